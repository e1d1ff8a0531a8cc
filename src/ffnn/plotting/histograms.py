"""Histograms of a network's insides: the weights of each Dense layer, each layer's outputs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ffnn._checks import check_positive_int
from ffnn.layers import Dense
from ffnn.model import Sequential
from ffnn.plotting._base import _axes_grid

__all__ = ["plot_weight_histograms", "plot_activation_histograms"]

PANEL_SIZE = (3.2, 2.6)  # inches per panel


def _check_model(model: Any) -> Sequential:
    if not isinstance(model, Sequential):
        raise TypeError(f"model must be an ffnn Sequential, got {type(model).__name__}")
    return model


def _histogram(ax: Any, values: np.ndarray, bins: int, title: str, xlabel: str) -> None:
    ax.hist(values.ravel(), bins=bins, color="tab:blue", edgecolor="white", linewidth=0.5)
    ax.set_title(title, fontsize="medium")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("count")
    ax.grid(alpha=0.3)


def plot_weight_histograms(
    model: Sequential, *, biases: bool = False, bins: int = 30, axes: Any = None
) -> np.ndarray:
    """One histogram of the weights of each Dense layer (and, optionally, of its biases).

    Useful to see the initialisation (``Dense(..., initializer="he")`` spreads the weights
    wider than ``"tutorial"``), weights that grow without bound, or layers that stopped moving.

    Parameters
    ----------
    model : a :class:`ffnn.Sequential`, fitted or not.
    biases : add a second row of panels with each Dense layer's biases.
    bins : bins per histogram.
    axes : ``rows x n_dense`` Axes to draw on (any array-like of them, row-major); a new figure
        of 3.2 x 2.6 in panels when ``None``.

    Returns
    -------
    The Axes, a NumPy object array ``(rows, n_dense)``: ``axes[0, j]`` the weights
    ``(n_in, n_out)`` of the j-th Dense layer, ``axes[1, j]`` its biases ``(n_out,)`` when
    ``biases=True``. Panel titles name the layer by its index in ``model.layers``.
    """
    model = _check_model(model)
    if not isinstance(biases, bool):
        raise TypeError(f"biases must be True or False, got {type(biases).__name__} {biases!r}")
    bins = check_positive_int(bins, "bins")
    dense = [(index, layer) for index, layer in enumerate(model.layers) if isinstance(layer, Dense)]
    panels = _axes_grid(axes, 2 if biases else 1, len(dense), PANEL_SIZE)
    for column, (index, layer) in enumerate(dense):
        name = f"layers[{index}] Dense {layer.n_in}→{layer.n_out}"
        _histogram(panels[0, column], layer.weight.data, bins, f"{name}: weights", "weight")
        if biases:
            _histogram(panels[1, column], layer.bias.data, bins, f"{name}: biases", "bias")
    return panels


def plot_activation_histograms(
    model: Sequential,
    X: Any,
    *,
    layers: Sequence[int] | None = None,
    bins: int = 30,
    axes: Any = None,
) -> np.ndarray:
    """One histogram per layer of what it outputs for ``X`` (``model.layer_outputs(X)``).

    A ReLU layer whose outputs are mostly 0 has dead units; a sigmoid or tanh layer whose
    outputs pile up at its ends is saturated. Each title gives the share of exact zeros.

    Parameters
    ----------
    model : a :class:`ffnn.Sequential`.
    X : (n_samples, n_features_in) inputs, run through the network in inference mode.
    layers : indices into ``model.layers`` of the layers to show; every layer when ``None``
        (the last one's outputs are the logits).
    bins : bins per histogram.
    axes : one Axes per layer shown (any array-like of them); a new figure of 3.2 x 2.6 in
        panels side by side when ``None``.

    Returns
    -------
    The Axes, a NumPy object array ``(n_shown,)`` in the order of ``layers``; panel ``i`` holds
    all ``n_samples x width`` output values of its layer.
    """
    model = _check_model(model)
    bins = check_positive_int(bins, "bins")
    n_layers = len(model.layers)
    if layers is None:
        shown = list(range(n_layers))
    else:
        if isinstance(layers, str | bytes) or not all(
            isinstance(i, int | np.integer) and not isinstance(i, bool) for i in layers
        ):
            raise TypeError(f"layers must be a list of indices into model.layers, got {layers!r}")
        shown = [int(i) for i in layers]
        if not shown or any(not 0 <= i < n_layers for i in shown):
            raise ValueError(
                f"layers must be indices in [0, {n_layers}) of model.layers, got {layers!r}"
            )
    outputs = model.layer_outputs(X)  # [(n_samples, width), ...], one per layer
    panels = _axes_grid(axes, 1, len(shown), PANEL_SIZE)[0]
    for ax, index in zip(panels, shown, strict=True):
        values = outputs[index]
        zeros = float(np.mean(values == 0))
        kind = type(model.layers[index]).__name__
        title = f"layers[{index}] {kind} ({zeros:.0%} zeros)"
        _histogram(ax, values, bins, title, "output" if index < n_layers - 1 else "logit")
    return panels
