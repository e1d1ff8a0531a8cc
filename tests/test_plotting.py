"""Tests of ffnn.plotting: what each picture holds, saving, and matplotlib as an optional extra."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

import matplotlib.image  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.contour import ContourSet  # noqa: E402

import ffnn  # noqa: E402
from ffnn import plotting  # noqa: E402

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def blobs() -> tuple[np.ndarray, np.ndarray]:
    return ffnn.datasets.tutorial_blobs()


@pytest.fixture(scope="module")
def tutorial_params(blobs):
    X, y = blobs
    return ffnn.tutorial.train(X, y, num_iterations=300, plot=False, verbose=False)


def contour_sets(ax: Axes) -> list[ContourSet]:
    return [artist for artist in ax.collections if isinstance(artist, ContourSet)]


def legend_texts(ax: Axes) -> list[str]:
    legend = ax.get_legend()
    assert legend is not None
    return [text.get_text() for text in legend.get_texts()]


def run_python(code: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )


# -- matplotlib is optional ------------------------------------------------------------------
def test_importing_ffnn_plotting_does_not_import_matplotlib():
    result = run_python(
        "import sys, ffnn, ffnn.plotting; assert 'matplotlib' not in sys.modules, 'imported'"
    )
    assert result.returncode == 0, result.stderr


def test_missing_matplotlib_raises_an_import_error_naming_the_extra(monkeypatch, blobs):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"needs matplotlib: pip install 'ffnn\[plot\]'"):
        plotting.plot_dataset(*blobs)


def _headless_env(**extra: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "MPLBACKEND")
    }
    env.update(extra)
    return env


# The backend requested once ffnn has imported pyplot, before any figure resolves it.
_REQUESTED_BACKEND = (
    "import matplotlib{before}; from ffnn import plotting; plotting._pyplot(); "
    "print(matplotlib.rcParams._get_backend_or_none())"
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="display detection is for X11")
@pytest.mark.parametrize(
    ("env", "before", "expected"),
    [
        ({}, "", "agg"),  # no display: Agg chosen by ffnn
        ({"MPLBACKEND": "svg"}, "", "svg"),  # the user's choice is kept
        ({}, "; matplotlib.use('pdf')", "pdf"),
        ({"DISPLAY": ":0"}, "", "None"),  # a display: left to matplotlib
    ],
)
def test_pyplot_selects_agg_only_when_headless_and_no_backend_was_chosen(env, before, expected):
    result = run_python(_REQUESTED_BACKEND.format(before=before), env=_headless_env(**env))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().lower() == expected.lower()


# -- pictures --------------------------------------------------------------------------------
def test_plot_dataset_scatters_each_class_with_labels_and_legend(blobs):
    X, y = blobs
    ax = plotting.plot_dataset(X, y)
    assert isinstance(ax, Axes)
    assert ax.get_title() == "Generated Dataset"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("feature 1", "feature 2")
    assert legend_texts(ax) == ["class 0", "class 1"]
    class_0, class_1 = ax.collections
    np.testing.assert_array_equal(class_0.get_offsets(), X[y[:, 0] == 0])
    np.testing.assert_array_equal(class_1.get_offsets(), X[y[:, 0] == 1])
    # The tutorial's coolwarm colours: class 0 at the blue end, class 1 at the red end.
    cmap = matplotlib.colormaps["coolwarm"]
    np.testing.assert_allclose(class_0.get_facecolor()[0], cmap(0.0))
    np.testing.assert_allclose(class_1.get_facecolor()[0], cmap(1.0))
    assert tuple(ax.figure.get_size_inches()) == (6.4, 4.8)


def test_plot_dataset_draws_on_the_given_axes():
    fig, (left, right) = plt.subplots(1, 2)
    X, y = ffnn.datasets.make_blobs(n_samples=30, centers=3, random_state=0)
    assert plotting.plot_dataset(X, y, ax=right, title="three blobs") is right
    assert right.get_title() == "three blobs"
    assert not left.collections
    assert plt.get_fignums() == [fig.number]


def test_plot_dataset_refuses_other_than_two_features():
    with pytest.raises(ValueError, match="2 features, but X has 3"):
        plotting.plot_dataset(np.zeros((5, 3)), np.zeros(5))


def test_plot_loss_curve_of_a_list_is_the_tutorials_picture():
    losses = [0.69, 0.3, 0.1, 0.05]
    ax = plotting.plot_loss_curve(losses)
    assert ax.get_title() == "Training Loss Curve"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("Iteration (per 100)", "Loss")
    (line,) = ax.get_lines()
    np.testing.assert_array_equal(line.get_xdata(), [0, 1, 2, 3])  # as plt.plot(losses)
    np.testing.assert_array_equal(line.get_ydata(), losses)
    assert ax.get_legend() is None


def test_plot_loss_curve_of_a_history_plots_loss_and_val_loss_per_epoch():
    history = ffnn.History()
    for epoch, (loss, val_loss) in enumerate([(1.0, 1.1), (0.5, 0.7), (0.25, 0.6)]):
        history.record(epoch, {"loss": loss, "val_loss": val_loss})
    ax = plotting.plot_loss_curve(history)
    assert ax.get_xlabel() == "Epoch"
    training, validation = ax.get_lines()
    np.testing.assert_array_equal(training.get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(training.get_ydata(), [1.0, 0.5, 0.25])
    np.testing.assert_array_equal(validation.get_ydata(), [1.1, 0.7, 0.6])
    assert legend_texts(ax) == ["training loss", "validation loss"]


def test_plot_loss_curve_of_a_fitted_model_history(blobs):
    X, y = blobs
    model = ffnn.tutorial.tutorial_network()
    history = model.fit(X, y, loss="binary_cross_entropy", epochs=3, batch_size=None)
    ax = plotting.plot_loss_curve(history, xlabel="pass", label="train")
    assert ax.get_xlabel() == "pass"
    assert legend_texts(ax) == ["train"]
    np.testing.assert_array_equal(ax.get_lines()[0].get_ydata(), history["loss"])


def test_decision_boundary_of_a_binary_model_draws_probabilities_and_the_half_line(blobs):
    X, y = blobs
    model = ffnn.tutorial.tutorial_network()
    model.fit(X, y, loss="binary_cross_entropy", epochs=300, batch_size=None)
    ax = plotting.plot_decision_boundary(model, X, y)
    assert ax.get_title() == "Decision Boundary"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("feature 1", "feature 2")
    assert legend_texts(ax) == ["class 0", "class 1"]
    filled, line = contour_sets(ax)
    assert filled.filled and not line.filled
    np.testing.assert_allclose(line.levels, [0.5])
    # The grid covers every point.
    (x_low, x_high), (y_low, y_high) = ax.get_xlim(), ax.get_ylim()
    assert x_low < X[:, 0].min() and X[:, 0].max() < x_high
    assert y_low < X[:, 1].min() and X[:, 1].max() < y_high


def test_decision_boundary_of_a_multiclass_model_fills_one_region_per_class():
    X, y = ffnn.datasets.make_blobs(n_samples=150, centers=3, random_state=0)
    model = ffnn.Sequential([ffnn.Dense(2, 8), ffnn.ReLU(), ffnn.Dense(8, 3)], random_state=0)
    model.fit(X, y, loss="cross_entropy", epochs=5, batch_size=16)
    ax = plotting.plot_decision_boundary(model, X, y, resolution=50)
    filled = contour_sets(ax)[0]
    np.testing.assert_allclose(filled.levels, [-0.5, 0.5, 1.5, 2.5])
    assert legend_texts(ax) == ["class 0", "class 1", "class 2"]


def test_decision_boundary_of_the_tutorials_parameters(blobs, tutorial_params):
    X, y = blobs
    ax = plotting.plot_decision_boundary(
        lambda points: ffnn.tutorial.forward_propagation(points, tutorial_params)[0], X, y
    )
    assert [list(cs.levels) for cs in contour_sets(ax)][1] == [0.5]


def test_decision_boundary_of_a_score_callable_is_where_the_score_is_zero():
    # A logit-like score, -2..3 over the data: boundary at feature 1 = 1, a vertical line.
    X = np.array([[-1.0, 0.0], [0.0, 1.0], [2.0, 2.0], [3.0, 3.0]])
    y = np.array([0, 0, 1, 1])
    ax = plotting.plot_decision_boundary(lambda points: points[:, 0] - 1.0, X, y, resolution=41)
    (segment,) = contour_sets(ax)[1].allsegs[0]  # the one line of the 0.5 level
    np.testing.assert_allclose(segment[:, 0], 1.0, atol=1e-9)


def test_decision_boundary_of_a_multiclass_callable():
    X = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.0], [3.0, 1.0]])
    y = np.array([[1, 0], [1, 0], [0, 1], [0, 1]])  # one-hot rows
    ax = plotting.plot_decision_boundary(
        lambda points: np.column_stack([points[:, 0] < 1.5, points[:, 0] >= 1.5]), X, y
    )
    filled, lines = contour_sets(ax)
    np.testing.assert_allclose(filled.levels, [-0.5, 0.5, 1.5])
    np.testing.assert_allclose(lines.levels, [0.5])


def test_decision_boundary_rejects_a_bad_predictor(blobs):
    X, y = blobs
    with pytest.raises(TypeError, match="predict_proba method or be a callable"):
        plotting.plot_decision_boundary(object(), X, y)
    with pytest.raises(ValueError, match=r"got shape \(3,\)"):
        plotting.plot_decision_boundary(lambda points: np.zeros(3), X, y)
    with pytest.raises(ValueError, match="same number of samples"):
        plotting.plot_decision_boundary(lambda points: points[:, 0], X, y[:10])


# -- showing and saving ----------------------------------------------------------------------
def test_save_figure_writes_a_complete_png_of_the_figure_size_and_closes_it(tmp_path):
    ax = plotting.plot_loss_curve([1.0, 0.5])
    fig = ax.figure
    target = tmp_path / "new" / "folder" / "loss.png"
    assert plotting.save_figure(ax, target) == target
    assert target.read_bytes()[:8] == PNG_SIGNATURE
    assert matplotlib.image.imread(target).shape[:2] == (480, 640)  # 6.4 x 4.8 in at 100 dpi
    assert not plt.fignum_exists(fig.number)
    assert sorted(p.name for p in target.parent.iterdir()) == ["loss.png"]  # no temporary left


def test_save_figure_replaces_an_existing_file_and_accepts_a_figure(tmp_path):
    target = tmp_path / "picture.png"
    target.write_bytes(b"old")
    fig, _ = plt.subplots(figsize=(2, 1))
    plotting.save_figure(fig, str(target))
    assert matplotlib.image.imread(target).shape[:2] == (100, 200)
    assert [p.name for p in tmp_path.iterdir()] == ["picture.png"]


def test_save_figure_without_suffix_writes_a_png_under_that_name(tmp_path):
    plotting.save_figure(plotting.plot_loss_curve([1.0]), tmp_path / "picture")
    assert [p.name for p in tmp_path.iterdir()] == ["picture"]
    assert (tmp_path / "picture").read_bytes()[:8] == PNG_SIGNATURE


def test_save_figure_leaves_no_temporary_file_when_saving_fails(tmp_path):
    fig, _ = plt.subplots()
    with pytest.raises(ValueError, match="not supported"):
        plotting.save_figure(fig, tmp_path / "picture.unknown-format")
    assert list(tmp_path.iterdir()) == []


def test_show_if_interactive_never_shows_on_agg_and_keeps_the_figure(monkeypatch):
    def no_show(*args, **kwargs):
        raise AssertionError("plt.show() called on a non-interactive backend")

    monkeypatch.setattr(plt, "show", no_show)
    ax = plotting.plot_loss_curve([1.0, 0.5])
    assert plotting.show_if_interactive(ax.figure) is False
    assert plt.get_fignums() == [ax.figure.number]


def test_show_if_interactive_shows_on_an_interactive_backend(monkeypatch):
    shown = []
    monkeypatch.setattr(matplotlib, "get_backend", lambda: "TkAgg")
    monkeypatch.setattr(plt, "show", lambda *args, **kwargs: shown.append(True))
    assert plotting.show_if_interactive(plotting.plot_loss_curve([1.0]).figure) is True
    assert shown == [True]


def test_tutorial_train_with_plot_draws_the_loss_curve_without_showing(blobs, monkeypatch):
    monkeypatch.setattr(plt, "show", lambda *args, **kwargs: pytest.fail("plt.show() called"))
    X, y = blobs
    ffnn.tutorial.train(X, y, num_iterations=200, verbose=False)  # plot=True, as the tutorial
    (ax,) = plt.gcf().axes
    assert ax.get_title() == "Training Loss Curve"
    assert len(ax.get_lines()[0].get_ydata()) == 2


def test_saved_pictures_are_readable_back(tmp_path, blobs, tutorial_params):
    X, y = blobs
    path = plotting.save_figure(
        plotting.plot_decision_boundary(
            lambda points: ffnn.tutorial.forward_propagation(points, tutorial_params)[0],
            X,
            y,
            resolution=20,
        ),
        Path(tmp_path) / "boundary.png",
    )
    image = matplotlib.image.imread(path)
    assert image.shape == (480, 640, 4)
    assert image[..., :3].std() > 0.05  # not a blank picture


# -- training curves of a History ------------------------------------------------------------
@pytest.fixture(scope="module")
def fitted_history(blobs):
    X, y = blobs
    model = ffnn.tutorial.tutorial_network()
    return model.fit(
        X,
        y,
        loss="binary_cross_entropy",
        epochs=4,
        batch_size=100,
        metrics=["accuracy"],
        validation_split=0.2,
    )


def test_plot_history_draws_one_panel_per_quantity_with_its_validation_curve(fitted_history):
    loss_ax, accuracy_ax = plotting.plot_history(fitted_history)
    assert (loss_ax.get_title(), accuracy_ax.get_title()) == ("Loss", "Accuracy")
    assert (accuracy_ax.get_xlabel(), accuracy_ax.get_ylabel()) == ("Epoch", "Accuracy")
    for ax, name in [(loss_ax, "loss"), (accuracy_ax, "accuracy")]:
        training, validation = ax.get_lines()
        np.testing.assert_array_equal(training.get_xdata(), [1, 2, 3, 4])
        np.testing.assert_array_equal(training.get_ydata(), fitted_history[name])
        np.testing.assert_array_equal(validation.get_ydata(), fitted_history[f"val_{name}"])
        assert legend_texts(ax) == [f"training {name}", f"validation {name}"]
    assert loss_ax.figure is accuracy_ax.figure


def test_plot_history_loss_panel_is_plot_loss_curve_of_the_history(fitted_history):
    (panel,) = plotting.plot_history(fitted_history, names=["loss"])
    single = plotting.plot_loss_curve(fitted_history)
    for mine, theirs in zip(panel.get_lines(), single.get_lines(), strict=True):
        np.testing.assert_array_equal(mine.get_xydata(), theirs.get_xydata())
    assert legend_texts(panel) == legend_texts(single)


def test_plot_history_numbers_the_epochs_of_a_resumed_run():
    history = ffnn.History()
    for epoch in (5, 6, 7):
        history.record(epoch, {"loss": 1.0 / epoch, "mae": 2.0 / epoch})
    loss_ax, mae_ax = plotting.plot_history(history)
    np.testing.assert_array_equal(loss_ax.get_lines()[0].get_xdata(), [6, 7, 8])
    assert mae_ax.get_title() == "MAE"
    assert legend_texts(mae_ax) == ["training mae"]


def test_plot_history_draws_on_the_given_axes(fitted_history):
    fig, axes = plt.subplots(2, 1)
    assert list(plotting.plot_history(fitted_history, axes=axes)) == list(axes)
    assert plt.get_fignums() == [fig.number]


def test_plot_history_rejects_bad_input(fitted_history):
    with pytest.raises(TypeError, match="history must be an ffnn History.*got dict"):
        plotting.plot_history({"loss": [1.0]})
    with pytest.raises(ValueError, match="at least one epoch, got an empty History"):
        plotting.plot_history(ffnn.History())
    with pytest.raises(ValueError, match=r"recorded \(loss, accuracy\), got \['mse'\]"):
        plotting.plot_history(fitted_history, names=["mse"])
    with pytest.raises(TypeError, match="names must be a list"):
        plotting.plot_history(fitted_history, names="loss")
    with pytest.raises(ValueError, match=r"axes must hold 2 matplotlib Axes.*got 3"):
        plotting.plot_history(fitted_history, axes=plt.subplots(1, 3)[1])


# -- decision boundaries: multi-class and bad input ------------------------------------------
def test_decision_boundary_of_three_classes_puts_the_lines_between_the_regions():
    # class 0 left of feature 1 = 1, class 1 between 1 and 2, class 2 right of 2
    def one_hot(points):
        return np.eye(3)[np.digitize(points[:, 0], [1.0, 2.0])]

    X = np.array([[0.0, 0.0], [1.5, 1.0], [3.0, 0.5]])
    ax = plotting.plot_decision_boundary(one_hot, X, [0, 1, 2], resolution=301)
    filled, lines = contour_sets(ax)
    np.testing.assert_allclose(filled.levels, [-0.5, 0.5, 1.5, 2.5])
    np.testing.assert_allclose(lines.levels, [0.5, 1.5])
    step = 3.6 / 300  # grid spacing: the span 3, padded by 10% each side, in 300 steps
    for level, x in zip(lines.allsegs, [1.0, 2.0], strict=True):
        (segment,) = level
        np.testing.assert_allclose(segment[:, 0], x, atol=step)
    assert legend_texts(ax) == ["class 0", "class 1", "class 2"]


def test_decision_boundary_of_a_softmax_model_colours_the_predicted_class():
    X, y = ffnn.datasets.make_blobs(n_samples=90, centers=3, random_state=1)
    model = ffnn.Sequential([ffnn.Dense(2, 8), ffnn.ReLU(), ffnn.Dense(8, 3)], random_state=0)
    model.fit(X, y, loss="cross_entropy", epochs=30, batch_size=16)
    ax = plotting.plot_decision_boundary(model, X, y, resolution=40)
    filled = contour_sets(ax)[0]
    # the fill colours are the class colours of the legend (tab10), one per region
    tab10 = matplotlib.colormaps["tab10"]
    np.testing.assert_allclose(filled.cmap.colors, [tab10(0), tab10(1), tab10(2)])
    assert ax.get_legend() is not None and filled.get_alpha() == pytest.approx(0.35)


def test_decision_boundary_rejects_bad_data(blobs):
    X, y = blobs
    model = ffnn.tutorial.tutorial_network()  # never fitted: no loss
    with pytest.raises(ValueError, match="the model has no loss yet: fit it first"):
        plotting.plot_decision_boundary(model, X, y)
    with pytest.raises(ValueError, match="draws 2 features, but X has 3"):
        plotting.plot_decision_boundary(lambda p: p[:, 0], np.zeros((4, 3)), np.zeros(4))
    bad = X.copy()
    bad[3, 1] = np.nan
    with pytest.raises(ValueError, match=r"X contains NaN or infinity \(first at index \(3, 1\)\)"):
        plotting.plot_decision_boundary(lambda p: p[:, 0], bad, y)
    with pytest.raises(ValueError, match="y must hold class labels .* got nan at index 0"):
        plotting.plot_decision_boundary(lambda p: p[:, 0], X, np.full(len(X), np.nan))
    with pytest.raises(ValueError, match="resolution must be at least 2, got 1"):
        plotting.plot_decision_boundary(lambda p: p[:, 0], X, y, resolution=1)
    assert plt.get_fignums() == []  # refused before a figure was made


def test_output_folder_makes_a_new_numbered_folder_and_never_reuses_one(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    first = plotting.output_folder(None, "run")
    second = plotting.output_folder(None, "run")
    assert (first, second) == (Path("run"), Path("run_2"))
    assert first.is_dir() and second.is_dir()


def test_output_folder_refuses_to_overwrite_pictures_unless_told(tmp_path):
    out = tmp_path / "given" / "nested"
    assert plotting.output_folder(out, "unused", ["a.png"]) == out and out.is_dir()
    (out / "a.png").write_bytes(b"picture")
    with pytest.raises(FileExistsError, match=r"already holds a\.png; pass --overwrite"):
        plotting.output_folder(out, "unused", ["a.png", "b.png"])
    assert plotting.output_folder(out, "unused", ["a.png"], overwrite=True) == out
    assert (out / "a.png").read_bytes() == b"picture"  # the folder is handed back, not emptied
