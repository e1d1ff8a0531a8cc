"""The plane of a 2-D data set: the points by class, and what a classifier decides over it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from ffnn._checks import check_positive_int
from ffnn.plotting._base import (
    CMAP,
    _axes_or_new,
    _check_points,
    _class_colors,
    _root_figure,
    _scatter_classes,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.contour import QuadContourSet

__all__ = ["plot_dataset", "plot_decision_boundary", "SupportsPredictProba", "Predictor"]

BINARY_LEVELS = np.linspace(0.0, 1.0, 11)  # one fixed colour scale for every binary picture


class SupportsPredictProba(Protocol):
    """A fitted classifier: ``predict_proba(X (n, 2)) -> (n, 1) or (n, K)`` probabilities."""

    def predict_proba(self, X: Any) -> Any: ...


Predictor = SupportsPredictProba | Callable[[np.ndarray], Any]


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


def _check_predictor(predictor: Any) -> None:
    if not (hasattr(predictor, "predict_proba") or callable(predictor)):
        raise TypeError(
            "predictor must have a predict_proba method or be a callable, got "
            f"{type(predictor).__name__}"
        )


def _check_resolution(resolution: Any) -> int:
    resolution = check_positive_int(resolution, "resolution")
    if resolution < 2:
        raise ValueError(f"resolution must be at least 2, got {resolution}")
    return resolution


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


def _probability_grid(predictor: Predictor, xx: np.ndarray, yy: np.ndarray) -> np.ndarray:
    """The predictor over the mesh: P(class 1) ``(r, r)`` for one output, the ``K`` outputs
    ``(r, r, K)`` otherwise."""
    scores = _scores_on(predictor, np.column_stack([xx.ravel(), yy.ravel()]))  # (r², n_out)
    if scores.shape[1] == 1:
        return _binary_probability(scores).reshape(xx.shape)
    return scores.reshape(*xx.shape, scores.shape[1])


def _draw_grid(
    ax: Axes,
    xx: np.ndarray,
    yy: np.ndarray,
    grid: np.ndarray,
    X: np.ndarray,
    labels: np.ndarray,
) -> QuadContourSet | None:
    """Draw a probability grid from :func:`_probability_grid` and the points on ``ax``.

    Returns the filled contours of P(class 1) for a binary grid (to hang a colour bar on), None
    for a multi-class one (its colours are the class colours of the legend).
    """
    n_classes = max(int(labels.max()) + 1, grid.shape[2] if grid.ndim == 3 else 2)
    colors = _class_colors(n_classes)
    filled = None
    if grid.ndim == 2:
        filled = ax.contourf(xx, yy, grid, levels=BINARY_LEVELS, cmap=CMAP, alpha=0.5)
        if grid.min() < 0.5 < grid.max():  # else there is no boundary to draw
            ax.contour(xx, yy, grid, levels=[0.5], colors="black", linewidths=1.5)
    else:
        from matplotlib.colors import ListedColormap

        regions = grid.argmax(axis=2)  # (r, r)
        k = grid.shape[2]
        boundaries = np.arange(k + 1) - 0.5  # region k fills (k - 0.5, k + 0.5)
        ax.contourf(xx, yy, regions, levels=boundaries, cmap=ListedColormap(colors[:k]), alpha=0.35)
        inner = boundaries[(boundaries > regions.min()) & (boundaries < regions.max())]
        if inner.size:  # else one class covers the whole grid
            ax.contour(xx, yy, regions, levels=inner, colors="black", linewidths=1.0)
    _scatter_classes(ax, X, labels, colors, outline=True)
    ax.set_xlim(xx[0, 0], xx[0, -1])
    ax.set_ylim(yy[0, 0], yy[-1, 0])
    ax.set_xlabel("feature 1")
    ax.set_ylabel("feature 2")
    ax.legend(loc="best")
    return filled


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
    colour bar and the decision boundary P = 0.5 as a black line. K outputs (multi-class, e.g.
    softmax): the region of each class, ``argmax_k p_k``, in its class colour, with black lines
    between regions.

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
    resolution : grid points along each axis, at least 2.
    title : the Axes title.

    Returns
    -------
    The Axes drawn on.
    """
    _check_predictor(predictor)
    X, labels = _check_points(X, y, "plot_decision_boundary")
    xx, yy = _grid(X, _check_resolution(resolution))
    grid = _probability_grid(predictor, xx, yy)
    ax = _axes_or_new(ax)
    filled = _draw_grid(ax, xx, yy, grid, X, labels)
    if filled is not None:
        _root_figure(ax).colorbar(filled, ax=ax, label="P(class 1)")
    ax.set_title(title)
    return ax
