"""Tests of ffnn.plotting.animation: snapshots of the decision boundary during fit, the GIF."""

from __future__ import annotations

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
Image = pytest.importorskip("PIL.Image")  # comes with matplotlib

import matplotlib.pyplot as plt  # noqa: E402

import ffnn  # noqa: E402
from ffnn.plotting import DecisionBoundaryRecorder, save_decision_boundary_animation  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def blobs() -> tuple[np.ndarray, np.ndarray]:
    return ffnn.datasets.tutorial_blobs()


def fit_with(
    recorder: DecisionBoundaryRecorder, X, y, epochs: int
) -> tuple[ffnn.Sequential, ffnn.History]:
    model = ffnn.tutorial.tutorial_network()
    history = model.fit(
        X,
        y,
        loss="binary_cross_entropy",
        optimizer=ffnn.SGD(learning_rate=0.1),
        epochs=epochs,
        batch_size=None,
        callbacks=[recorder],
    )
    return model, history


def gif_frames(path) -> list[np.ndarray]:
    with Image.open(path) as image:
        assert image.format == "GIF"
        frames = []
        for index in range(image.n_frames):
            image.seek(index)
            frames.append(np.asarray(image.convert("RGB")))
    return frames


# -- recording -------------------------------------------------------------------------------
def test_recorder_keeps_the_probability_grid_and_loss_every_n_epochs(blobs):
    X, y = blobs
    recorder = DecisionBoundaryRecorder(X, y, every=2, resolution=12)
    model, history = fit_with(recorder, X, y, epochs=6)
    assert recorder.epochs == [2, 4, 6]
    assert recorder.losses == history["loss"][1::2]
    assert [grid.shape for grid in recorder.probabilities] == [(12, 12)] * 3
    assert all(grid.dtype == np.float32 for grid in recorder.probabilities)
    # the last snapshot is the trained model's P(class 1) on the grid
    points = np.column_stack([recorder.xx.ravel(), recorder.yy.ravel()])
    expected = model.predict_proba(points)[:, 0].reshape(12, 12)
    np.testing.assert_allclose(recorder.probabilities[-1], expected, rtol=1e-6)
    # the grid covers the data
    assert recorder.xx.min() < X[:, 0].min() and X[:, 0].max() < recorder.xx.max()


def test_recorder_adds_the_final_state_when_the_last_epoch_is_not_a_multiple(blobs):
    X, y = blobs
    recorder = DecisionBoundaryRecorder(X, y, every=2, resolution=5)
    _, history = fit_with(recorder, X, y, epochs=5)
    assert recorder.epochs == [2, 4, 5]
    assert recorder.losses[-1] == history["loss"][-1]


def test_recorder_never_holds_more_than_max_frames_and_stays_evenly_spaced(blobs):
    X, y = blobs
    recorder = DecisionBoundaryRecorder(X, y, every=1, resolution=5, max_frames=4)
    fit_with(recorder, X, y, epochs=10)
    # 1..4 fill it; at 5 every other is dropped (2, 4 stay) and every doubles; 6, 8; at 10 again
    assert recorder.epochs == [4, 8, 10]
    assert recorder.every == 4
    assert len(recorder.probabilities) == len(recorder.losses) == 3


def test_recorder_log_spacing_records_early_epochs_densely(blobs):
    X, y = blobs
    recorder = DecisionBoundaryRecorder(X, y, every="log", resolution=5)
    fit_with(recorder, X, y, epochs=20)
    assert recorder.epochs == [1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 18, 20]


def test_recorder_of_a_softmax_model_keeps_one_probability_per_class():
    X, y = ffnn.datasets.make_blobs(n_samples=60, centers=3, random_state=0)
    model = ffnn.Sequential([ffnn.Dense(2, 6), ffnn.ReLU(), ffnn.Dense(6, 3)], random_state=0)
    recorder = DecisionBoundaryRecorder(X, y, resolution=7)
    model.fit(X, y, loss="cross_entropy", epochs=2, batch_size=20, callbacks=[recorder])
    assert [grid.shape for grid in recorder.probabilities] == [(7, 7, 3)] * 2
    np.testing.assert_allclose(recorder.probabilities[-1].sum(axis=2), 1.0, rtol=1e-5)


def test_recorder_records_a_loop_of_your_own(blobs, tmp_path):
    X, y = blobs
    recorder = DecisionBoundaryRecorder(X, y, resolution=8)
    params = ffnn.tutorial.initialize_parameters(2, 4, 1)
    for iteration in range(3):
        y_hat, cache = ffnn.tutorial.forward_propagation(X, params)
        grads = ffnn.tutorial.backward_propagation(X, y, cache, params)
        ffnn.tutorial.update_parameters(params, grads, 0.1)
        predictor = lambda points: ffnn.tutorial.forward_propagation(points, params)[0]  # noqa: E731
        recorder.record(predictor, iteration, ffnn.tutorial.compute_loss(y, y_hat))
    assert recorder.epochs == [0, 1, 2]
    assert len(gif_frames(save_decision_boundary_animation(recorder, tmp_path / "a.gif"))) == 3


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"every": 0}, ValueError, "every must be a positive int, got 0"),
        ({"every": "linear"}, ValueError, "every must be a positive int or 'log', got 'linear'"),
        ({"every": 1.5}, TypeError, "every must be a positive int, got float 1.5"),
        ({"resolution": 1}, ValueError, "resolution must be at least 2, got 1"),
        ({"max_frames": 1}, ValueError, "max_frames must be at least 2, got 1"),
    ],
)
def test_recorder_rejects_bad_settings(blobs, kwargs, error, message):
    with pytest.raises(error, match=message):
        DecisionBoundaryRecorder(*blobs, **kwargs)


def test_recorder_rejects_bad_data(blobs):
    X, y = blobs
    with pytest.raises(ValueError, match="draws 2 features, but X has 3"):
        DecisionBoundaryRecorder(np.zeros((4, 3)), np.zeros(4))
    with pytest.raises(ValueError, match="same number of samples, got 300 and 10"):
        DecisionBoundaryRecorder(X, y[:10])
    recorder = DecisionBoundaryRecorder(X, y, resolution=4)
    with pytest.raises(ValueError, match="epoch must be an int >= 0, got -1"):
        recorder.record(lambda points: points[:, 0], -1)
    with pytest.raises(ValueError, match="predictor returned NaN"):
        recorder.record(lambda points: np.full(len(points), np.nan), 0)
    assert len(recorder) == 0


# -- the GIF ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def recorder(blobs) -> DecisionBoundaryRecorder:
    X, y = blobs
    recorder = DecisionBoundaryRecorder(X, y, every="log", resolution=20)
    fit_with(recorder, X, y, epochs=60)
    return recorder


def test_animation_writes_one_gif_frame_per_snapshot_of_a_fixed_size(recorder, tmp_path):
    target = tmp_path / "out" / "training.gif"
    assert save_decision_boundary_animation(recorder, target, figsize=(3.2, 2.4)) == target
    frames = gif_frames(target)
    assert len(frames) == len(recorder) == 18  # 1, 2, 3, 4, 5, 6, 8, ..., 48, 58, 60
    assert {frame.shape for frame in frames} == {(240, 320, 3)}  # 3.2 x 2.4 in at 100 dpi
    # the boundary moves (and the title changes): every frame differs from the one before
    for before, after in zip(frames[:-1], frames[1:], strict=True):
        assert np.abs(before.astype(int) - after.astype(int)).sum() > 0
    assert [p.name for p in target.parent.iterdir()] == ["training.gif"]  # no temporary left
    assert plt.get_fignums() == []


def test_animation_replaces_an_existing_file(recorder, tmp_path):
    target = tmp_path / "training.gif"
    target.write_bytes(b"old")
    save_decision_boundary_animation(recorder, str(target), figsize=(2.0, 1.5), fps=10)
    with Image.open(target) as image:
        assert image.size == (200, 150)
        assert image.info["duration"] == 100  # ms per frame at 10 fps
    assert [p.name for p in tmp_path.iterdir()] == ["training.gif"]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"path": "a.png"}, ValueError, r"path must end in \.gif, got '.*a\.png'"),
        ({"fps": 0}, ValueError, "fps must be a positive int, got 0"),
        ({"fps": 60}, ValueError, "fps must be at most 50 .* got 60"),
        ({"fps": 2.5}, TypeError, "fps must be a positive int, got float 2.5"),
        ({"figsize": (3, 0)}, ValueError, r"figsize\[1\] must be a positive finite number, got 0"),
        ({"figsize": 3}, TypeError, r"figsize must be \(width, height\) in inches, got 3"),
    ],
)
def test_animation_rejects_bad_arguments(recorder, tmp_path, kwargs, error, message):
    path = tmp_path / kwargs.pop("path", "a.gif")
    with pytest.raises(error, match=message):
        save_decision_boundary_animation(recorder, path, **kwargs)
    assert list(tmp_path.iterdir()) == []


def test_animation_needs_a_recorder_with_snapshots(blobs, tmp_path):
    with pytest.raises(TypeError, match="recorder must be a DecisionBoundaryRecorder, got list"):
        save_decision_boundary_animation([], tmp_path / "a.gif")
    with pytest.raises(ValueError, match="at least 1 snapshot, got 0: pass it to fit"):
        save_decision_boundary_animation(DecisionBoundaryRecorder(*blobs), tmp_path / "a.gif")
    assert list(tmp_path.iterdir()) == []
