"""Pictures of data sets, training and decision boundaries (needs the ``plot`` extra).

matplotlib is optional (``pip install 'ffnn[plot]'``) and imported only when a function here is
called, never by ``import ffnn.plotting``. Every drawing function follows scikit-learn's
``ax=None`` style: it draws on the Axes it is given, or on a new 6.4 x 4.8 in figure, and returns
the Axes, so pictures compose::

    fig, (left, right) = plt.subplots(1, 2)
    plot_loss_curve(history, ax=left)
    plot_decision_boundary(model, X, y, ax=right)

On a machine without a display the non-interactive "Agg" backend is selected (unless a backend
was already chosen), so nothing here ever blocks or fails headless.
"""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from ffnn._checks import check_array, check_positive_int, describe
from ffnn.training import History

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "plot_dataset",
    "plot_loss_curve",
    "plot_decision_boundary",
    "show_if_interactive",
    "save_figure",
]

MAX_CLASSES = 1000  # one colour per class: more are not told apart, and would take long
FIGSIZE = (6.4, 4.8)  # inches; 640 x 480 pixels at the saved 100 dpi
DPI = 100
CMAP = "coolwarm"  # the tutorial's: class 0 blue, class 1 red
MULTICLASS_CMAP = "tab10"  # 3 to 10 classes; more take colours spread over "turbo"

# Backends that draw to files only: plt.show() on them does nothing but warn.
_NON_INTERACTIVE_BACKENDS = {"agg", "cairo", "pdf", "pgf", "ps", "svg", "template"}


class SupportsPredictProba(Protocol):
    """A fitted classifier: ``predict_proba(X (n, 2)) -> (n, 1) or (n, K)`` probabilities."""

    def predict_proba(self, X: Any) -> Any: ...


Predictor = SupportsPredictProba | Callable[[np.ndarray], Any]


# -- matplotlib, lazily ---------------------------------------------------------------------
def _pyplot() -> Any:
    """``matplotlib.pyplot``, imported on first use; "Agg" selected when there is no display.

    A backend the user chose (``MPLBACKEND``, matplotlibrc, ``matplotlib.use``) is kept.
    """
    try:
        import matplotlib
    except ImportError as error:
        raise ImportError("ffnn.plotting needs matplotlib: pip install 'ffnn[plot]'") from error
    # _get_backend_or_none (matplotlib >= 3.5; not in its type stubs) reads the requested
    # backend without resolving it: None until MPLBACKEND, matplotlibrc or matplotlib.use set it.
    rc_params: Any = matplotlib.rcParams
    if rc_params._get_backend_or_none() is None and not _has_display():
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _has_display() -> bool:
    """False on Linux (and other X11 systems) without an X or Wayland display."""
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _axes_or_new(ax: Axes | None) -> Axes:
    if ax is not None:
        return ax
    _, new_ax = _pyplot().subplots(figsize=FIGSIZE, layout="constrained")
    return new_ax


def _root_figure(fig_or_ax: Any) -> Figure:
    from matplotlib.figure import Figure

    figure = fig_or_ax
    # An Axes (or a SubFigure) points to its figure; a Figure is its own root.
    while not isinstance(figure, Figure):
        parent = getattr(figure, "figure", None)
        if parent is None or parent is figure:
            raise TypeError(f"expected a matplotlib Figure or Axes, got {type(fig_or_ax).__name__}")
        figure = parent
    return figure


def _class_colors(n_classes: int) -> list[Any]:
    """One colour per class: the ends of coolwarm for two classes (blue, red: the tutorial's),
    distinct qualitative colours for more (coolwarm's middle is a pale grey)."""
    import matplotlib

    if n_classes <= 2:
        cmap = matplotlib.colormaps[CMAP]
        return [cmap(0.0), cmap(1.0)][:n_classes]
    if n_classes <= 10:
        return [matplotlib.colormaps[MULTICLASS_CMAP](k) for k in range(n_classes)]  # k-th colour
    cmap = matplotlib.colormaps["turbo"]
    return [cmap(k / (n_classes - 1)) for k in range(n_classes)]


def _check_points(X: Any, y: Any, function: str) -> tuple[np.ndarray, np.ndarray]:
    """``X (n, 2)`` as float64 and the class labels ``(n,)`` as non-negative ints.

    ``y`` may be labels ``(n,)``, a column ``(n, 1)`` (the tutorial's) or one-hot rows ``(n, K)``.
    """
    X = check_array(X, "X", dtype=np.float64)
    if X.shape[1] != 2:
        raise ValueError(f"{function} draws 2 features, but X has {X.shape[1]}")
    try:
        labels = np.asarray(y)
    except ValueError:  # rows of different lengths
        raise ValueError("y must be a rectangular array of labels, got a ragged one") from None
    if labels.dtype.kind not in "biuf":
        raise TypeError(f"y must hold class labels 0, 1, 2, ..., got {describe(y, labels)}")
    if labels.ndim not in (1, 2):
        raise ValueError(
            f"y must be labels (n_samples,), a column (n_samples, 1) or one-hot rows "
            f"(n_samples, K), got shape {labels.shape}"
        )
    if labels.ndim == 2 and labels.shape[1] > 1:
        labels = labels.argmax(axis=1)
    labels = labels.reshape(-1)
    if labels.shape[0] != X.shape[0]:
        raise ValueError(
            f"X and y must have the same number of samples, got {X.shape[0]} and {labels.shape[0]}"
        )
    bad = np.flatnonzero(~np.isfinite(labels) | (labels < 0) | (labels != np.round(labels)))
    if bad.size:
        raise ValueError(
            f"y must hold class labels 0, 1, 2, ... (or one-hot rows), got {labels[bad[0]]} at "
            f"index {bad[0]}"
        )
    if labels.max() >= MAX_CLASSES:
        raise ValueError(
            f"{function} colours at most {MAX_CLASSES} classes, but y has a label {labels.max():g}"
        )
    return X, labels.astype(np.int64)


def _scatter_classes(
    ax: Axes, X: np.ndarray, labels: np.ndarray, colors: Sequence[Any], outline: bool
) -> None:
    """One scatter per class, so each class gets its own legend entry."""
    for label in np.unique(labels):
        points = X[labels == label]  # (n_label, 2)
        ax.scatter(
            points[:, 0],
            points[:, 1],
            color=colors[label],
            label=f"class {label}",
            s=20,
            edgecolors="black" if outline else "none",
            linewidths=0.5,
        )


# -- pictures -------------------------------------------------------------------------------
def plot_dataset(X: Any, y: Any, ax: Axes | None = None, title: str = "Generated Dataset") -> Axes:
    """Scatter plot of 2-D points coloured by class (the tutorial's first picture).

    Parameters
    ----------
    X : (n_samples, 2) points.
    y : (n_samples,) or (n_samples, 1) class labels 0, 1, ..., or (n_samples, K) one-hot rows.
    ax : the Axes to draw on; a new figure when ``None``.
    title : the Axes title.

    Returns
    -------
    The Axes drawn on.
    """
    X, labels = _check_points(X, y, "plot_dataset")
    ax = _axes_or_new(ax)
    _scatter_classes(ax, X, labels, _class_colors(int(labels.max()) + 1), outline=False)
    ax.set_title(title)
    ax.set_xlabel("feature 1")
    ax.set_ylabel("feature 2")
    ax.legend(loc="best")
    return ax


def plot_loss_curve(
    losses: Sequence[float] | np.ndarray | History,
    ax: Axes | None = None,
    title: str = "Training Loss Curve",
    xlabel: str | None = None,
    ylabel: str = "Loss",
    label: str | None = None,
) -> Axes:
    """The loss against training progress.

    ``losses`` is either the tutorial's list (one loss per 100 iterations, plotted against its
    index as ``plt.plot(losses)`` does; x label "Iteration (per 100)"), or an
    :class:`ffnn.History`: ``history["loss"]`` and, when recorded, ``history["val_loss"]``
    against the epoch number from 1 (x label "Epoch"), with a legend.

    Parameters
    ----------
    losses : a sequence of floats, or a History.
    ax : the Axes to draw on; a new figure when ``None``.
    title, xlabel, ylabel : the Axes texts; ``xlabel=None`` picks the default described above.
    label : legend label of the curve (of the training curve for a History); a legend is drawn
        when given.

    Returns
    -------
    The Axes drawn on.
    """
    if not isinstance(losses, History):
        try:
            values = np.asarray(losses)
        except ValueError:  # nested sequences of different lengths
            values = np.asarray(None)
        if values.ndim != 1 or values.dtype.kind not in "biuf":
            raise TypeError(
                "losses must be a History or a flat sequence of numbers, got "
                f"{type(losses).__name__} (dtype {values.dtype}, shape {values.shape})"
            )
    ax = _axes_or_new(ax)
    if isinstance(losses, History):
        epochs = np.arange(1, len(losses.history.get("loss", [])) + 1)
        ax.plot(epochs, losses.history.get("loss", []), label=label or "training loss")
        if losses.history.get("val_loss"):
            val = losses.history["val_loss"]
            ax.plot(np.arange(1, len(val) + 1), val, label="validation loss")
        ax.legend(loc="best")
        default_xlabel = "Epoch"
    else:
        ax.plot(values.astype(np.float64), label=label)
        if label is not None:
            ax.legend(loc="best")
        default_xlabel = "Iteration (per 100)"
    ax.grid(alpha=0.3)
    ax.set_title(title)
    ax.set_xlabel(default_xlabel if xlabel is None else xlabel)
    ax.set_ylabel(ylabel)
    return ax


def _check_predictor(predictor: Any) -> None:
    if not (hasattr(predictor, "predict_proba") or callable(predictor)):
        raise TypeError(
            "predictor must have a predict_proba method or be a callable, got "
            f"{type(predictor).__name__}"
        )


def _scores_on(predictor: Predictor, points: np.ndarray) -> np.ndarray:
    """The predictor's output on ``points (n, 2)``, as a float array ``(n, n_outputs)``.

    An object with ``predict_proba`` is asked for probabilities (checked first: a
    :class:`ffnn.Sequential` is also callable, but calling it gives logits); anything else is
    called on the points.
    """
    _check_predictor(predictor)
    if hasattr(predictor, "predict_proba"):
        scores = predictor.predict_proba(points)
    else:
        scores = predictor(points)
    scores = np.asarray(scores)
    if scores.dtype.kind not in "biuf":
        raise TypeError(f"the predictor must return numbers, got an array of dtype {scores.dtype}")
    scores = scores.astype(np.float64)
    if not np.isfinite(scores).all():
        raise ValueError("the predictor returned NaN or infinity on the grid over X")
    if scores.ndim not in (1, 2) or scores.shape[0] != points.shape[0]:
        raise ValueError(
            f"the predictor must return (n,), (n, 1) or (n, K) values for n = {points.shape[0]} "
            f"points, got shape {scores.shape}"
        )
    return scores.reshape(points.shape[0], -1)


def _grid(X: np.ndarray, resolution: int) -> tuple[np.ndarray, np.ndarray]:
    """A ``(resolution, resolution)`` mesh over the data, padded by 10% of its span each side."""
    low, high = X.min(axis=0), X.max(axis=0)  # (2,) each
    pad = np.where(high > low, 0.1 * (high - low), 1.0)
    x1 = np.linspace(low[0] - pad[0], high[0] + pad[0], resolution)
    x2 = np.linspace(low[1] - pad[1], high[1] + pad[1], resolution)
    return np.meshgrid(x1, x2)  # (resolution, resolution) each


def _binary_probability(scores: np.ndarray) -> np.ndarray:
    """P(class 1) from one output per point ``(n, 1)``: kept as it is when it lies in [0, 1]
    (probabilities), else read as a logit or decision score and passed through σ, so that the
    0.5 contour is the score's 0 boundary."""
    column = scores[:, 0]
    if column.min() >= 0.0 and column.max() <= 1.0:
        return column
    return 0.5 * (1.0 + np.tanh(0.5 * column))  # σ(s), without overflow


def plot_decision_boundary(
    predictor: Predictor,
    X: Any,
    y: Any,
    ax: Axes | None = None,
    resolution: int = 200,
    title: str = "Decision Boundary",
) -> Axes:
    """What a classifier decides over the plane, with the points on top.

    The predictor is evaluated on a ``resolution x resolution`` grid covering the data (padded
    by 10% of its span). One output per point (binary): filled contours of P(class 1) with a
    colour bar and the decision boundary P = 0.5 as a black line. K outputs (multi-class): the
    region of each class, ``argmax_k p_k``, in its class colour, with black lines between
    regions.

    Parameters
    ----------
    predictor : an object with ``predict_proba`` (a fitted :class:`ffnn.Sequential`:
        ``(n, 1)`` probabilities of class 1 for binary cross-entropy, ``(n, K)`` for
        cross-entropy) or a callable mapping ``(n, 2)`` points to ``(n,)``, ``(n, 1)`` or
        ``(n, K)`` values. Single values in [0, 1] are read as probabilities, others as logits
        (boundary at 0). The tutorial's parameters:
        ``lambda X: ffnn.tutorial.forward_propagation(X, params)[0]``.
    X : (n_samples, 2) points.
    y : (n_samples,) or (n_samples, 1) class labels, or (n_samples, K) one-hot rows.
    ax : the Axes to draw on; a new figure when ``None``.
    resolution : grid points along each axis.
    title : the Axes title.

    Returns
    -------
    The Axes drawn on.
    """
    _check_predictor(predictor)
    X, labels = _check_points(X, y, "plot_decision_boundary")
    resolution = check_positive_int(resolution, "resolution")
    if resolution < 2:
        raise ValueError(f"resolution must be at least 2, got {resolution}")
    ax = _axes_or_new(ax)
    xx, yy = _grid(X, resolution)
    scores = _scores_on(predictor, np.column_stack([xx.ravel(), yy.ravel()]))  # (r², n_out)

    n_classes = max(int(labels.max()) + 1, scores.shape[1] if scores.shape[1] > 1 else 2)
    colors = _class_colors(n_classes)
    if scores.shape[1] == 1:
        probability = _binary_probability(scores).reshape(xx.shape)
        filled = ax.contourf(
            xx, yy, probability, levels=np.linspace(0.0, 1.0, 11), cmap=CMAP, alpha=0.5
        )
        if probability.min() < 0.5 < probability.max():  # else there is no boundary to draw
            ax.contour(xx, yy, probability, levels=[0.5], colors="black", linewidths=1.5)
        _root_figure(ax).colorbar(filled, ax=ax, label="P(class 1)")
    else:
        from matplotlib.colors import ListedColormap

        regions = scores.argmax(axis=1).reshape(xx.shape)
        k = scores.shape[1]
        boundaries = np.arange(k + 1) - 0.5  # region k fills (k - 0.5, k + 0.5)
        ax.contourf(xx, yy, regions, levels=boundaries, cmap=ListedColormap(colors[:k]), alpha=0.35)
        inner = boundaries[(boundaries > regions.min()) & (boundaries < regions.max())]
        if inner.size:  # else one class covers the whole grid
            ax.contour(xx, yy, regions, levels=inner, colors="black", linewidths=1.0)
    _scatter_classes(ax, X, labels, colors, outline=True)
    ax.set_xlim(xx[0, 0], xx[0, -1])
    ax.set_ylim(yy[0, 0], yy[-1, 0])
    ax.set_title(title)
    ax.set_xlabel("feature 1")
    ax.set_ylabel("feature 2")
    ax.legend(loc="best")
    return ax


# -- showing and saving ---------------------------------------------------------------------
def show_if_interactive(fig: Figure | None = None) -> bool:
    """Show the figures (``plt.show()``) when the backend can open windows; never blocks headless.

    On a file-only backend (agg, pdf, ps, svg, pgf, cairo, template) nothing happens: the
    figures stay open, to be saved or inspected (``plt.close`` them when done; matplotlib warns
    past 20 open figures).

    Parameters
    ----------
    fig : the figure meant (the current one when ``None``); ``plt.show()`` shows every open
        figure, as the tutorial's call does.

    Returns
    -------
    Whether ``plt.show()`` was called.
    """
    plt = _pyplot()
    import matplotlib

    if matplotlib.get_backend().lower() in _NON_INTERACTIVE_BACKENDS:
        return False
    plt.show()
    return True


def save_figure(fig_or_ax: Figure | Axes, path: str | os.PathLike[str]) -> Path:
    """Save a figure at 100 dpi and close it; the file appears complete or not at all.

    The parent folders are created. The picture is written to a temporary file in the same
    folder, then moved over ``path`` in one step (``os.replace``), so a reader never sees a
    half-written file. The format follows the suffix (``.png``, ``.svg``, ``.pdf``, ...); a
    name without one is written as PNG (matplotlib's ``savefig.format``), under that very name.

    Parameters
    ----------
    fig_or_ax : the Figure, or any Axes on it.
    path : where to write.

    Returns
    -------
    ``path`` as a :class:`pathlib.Path`.
    """
    plt = _pyplot()
    figure = _root_figure(fig_or_ax)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    file_format = target.suffix[1:].lower() or plt.rcParams["savefig.format"]
    # Hidden and unique, in the same folder so that os.replace is one atomic rename.
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    try:
        figure.savefig(temporary, dpi=DPI, format=file_format)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
        plt.close(figure)
    return target
