"""Tests of ffnn.plotting.histograms: every weight and every output value lands in one bin."""

from __future__ import annotations

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

import ffnn  # noqa: E402
from ffnn import plotting  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def model() -> ffnn.Sequential:
    X, y = ffnn.datasets.make_blobs(n_samples=60, centers=3, random_state=0)
    model = ffnn.Sequential(
        [ffnn.Dense(2, 8), ffnn.ReLU(), ffnn.Dense(8, 5), ffnn.Tanh(), ffnn.Dense(5, 3)],
        random_state=0,
    )
    model.fit(X, y, loss="cross_entropy", epochs=3, batch_size=20)
    return model


def bar_heights(ax) -> np.ndarray:
    return np.array([patch.get_height() for patch in ax.patches])


def test_weight_histograms_count_every_weight_of_every_dense_layer_once(model):
    axes = plotting.plot_weight_histograms(model, bins=7)
    assert axes.shape == (1, 3)
    dense = [layer for layer in model.layers if isinstance(layer, ffnn.Dense)]
    for ax, layer in zip(axes[0], dense, strict=True):
        heights = bar_heights(ax)
        assert len(heights) == 7
        assert heights.sum() == layer.weight.data.size
        counts, _ = np.histogram(layer.weight.data, bins=7)
        np.testing.assert_array_equal(heights, counts)
    assert axes[0, 1].get_title() == "layers[2] Dense 8→5: weights"
    assert (axes[0, 0].get_xlabel(), axes[0, 0].get_ylabel()) == ("weight", "count")


def test_weight_histograms_with_biases_add_a_row(model):
    axes = plotting.plot_weight_histograms(model, biases=True)
    assert axes.shape == (2, 3)
    assert bar_heights(axes[1, 2]).sum() == 3  # the last layer's 3 biases
    assert axes[1, 0].get_title() == "layers[0] Dense 2→8: biases"
    assert len({ax.figure for ax in axes.ravel()}) == 1


def test_weight_histograms_draw_on_the_given_axes(model):
    fig, given = plt.subplots(3, 1)
    axes = plotting.plot_weight_histograms(model, axes=given)
    assert list(axes.ravel()) == list(given)
    with pytest.raises(ValueError, match=r"axes must hold 6 matplotlib Axes \(2 x 3 panels\)"):
        plotting.plot_weight_histograms(model, biases=True, axes=given)


def test_weight_histograms_reject_bad_input(model):
    with pytest.raises(TypeError, match="model must be an ffnn Sequential, got dict"):
        plotting.plot_weight_histograms({"W1": np.zeros((2, 2))})
    with pytest.raises(ValueError, match="bins must be a positive int, got 0"):
        plotting.plot_weight_histograms(model, bins=0)
    with pytest.raises(TypeError, match="biases must be True or False, got str 'yes'"):
        plotting.plot_weight_histograms(model, biases="yes")


def test_activation_histograms_count_every_output_of_every_layer(model):
    X = np.random.default_rng(0).normal(size=(40, 2))
    outputs = model.layer_outputs(X)
    axes = plotting.plot_activation_histograms(model, X, bins=9)
    assert axes.shape == (5,)
    for ax, values in zip(axes, outputs, strict=True):
        heights = bar_heights(ax)
        assert len(heights) == 9 and heights.sum() == values.size
    zeros = np.mean(outputs[1] == 0)
    assert axes[1].get_title() == f"layers[1] ReLU ({zeros:.0%} zeros)"
    assert axes[-1].get_xlabel() == "logit" and axes[0].get_xlabel() == "output"


def test_activation_histograms_of_chosen_layers(model):
    X = np.zeros((4, 2))
    (relu_ax, tanh_ax) = plotting.plot_activation_histograms(model, X, layers=[1, 3])
    assert relu_ax.get_title().startswith("layers[1] ReLU")
    assert tanh_ax.get_title().startswith("layers[3] Tanh")
    assert bar_heights(tanh_ax).sum() == 4 * 5


def test_activation_histograms_reject_bad_input(model):
    with pytest.raises(ValueError, match=r"layers must be indices in \[0, 5\).*got \[5\]"):
        plotting.plot_activation_histograms(model, np.zeros((3, 2)), layers=[5])
    with pytest.raises(TypeError, match="layers must be a list of indices"):
        plotting.plot_activation_histograms(model, np.zeros((3, 2)), layers=["relu"])
    with pytest.raises(ValueError, match="X has 3 features, but the model expects 2"):
        plotting.plot_activation_histograms(model, np.zeros((3, 3)))
    with pytest.raises(ValueError, match="X contains NaN"):
        plotting.plot_activation_histograms(model, np.full((3, 2), np.nan))
    assert plt.get_fignums() == []
