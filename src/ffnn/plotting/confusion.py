"""The confusion matrix: how often each true class is predicted as each class."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ffnn._checks import check_positive_int
from ffnn.plotting._base import _axes_or_new, _class_labels, _root_figure

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_confusion_matrix"]

NORMALIZE = (None, "true", "pred", "all")


def _confusion_counts(true: np.ndarray, predicted: np.ndarray, n_classes: int) -> np.ndarray:
    """``counts[i, j]``: the samples of true class ``i`` predicted as ``j``; ``(K, K)`` ints."""
    return np.bincount(true * n_classes + predicted, minlength=n_classes**2).reshape(
        n_classes, n_classes
    )


def plot_confusion_matrix(
    y_true: Any,
    y_pred: Any,
    *,
    normalize: str | None = None,
    n_classes: int | None = None,
    display_labels: Sequence[str] | None = None,
    ax: Axes | None = None,
    title: str = "Confusion Matrix",
    cmap: str = "Blues",
) -> Axes:
    """The confusion matrix as a coloured grid, its value written in every cell.

    Rows are the true classes, columns the predicted ones (scikit-learn's layout):
    ``C[i, j]`` counts the samples of class ``i`` predicted as ``j``. ``normalize`` divides
    as scikit-learn's ``confusion_matrix(normalize=...)`` does: ``"true"`` by each row's sum
    (recall on the diagonal), ``"pred"`` by each column's sum (precision on the diagonal),
    ``"all"`` by the number of samples; an empty row or column gives 0. Counts are written as
    integers, fractions with two decimals.

    Parameters
    ----------
    y_true : (n_samples,) or (n_samples, 1) class labels 0, 1, ..., or (n_samples, K) one-hot
        rows.
    y_pred : the predicted labels in the same forms, e.g. ``model.predict(X)``; rows of
        probabilities ``(n_samples, K)`` count as their argmax.
    normalize : None (counts), ``"true"``, ``"pred"`` or ``"all"``.
    n_classes : K, the matrix's size; the largest label + 1 when ``None``.
    display_labels : K names for the axes' ticks; ``0, 1, ..., K-1`` when ``None``.
    ax : the Axes to draw on; a new figure when ``None``.
    title : the Axes title.
    cmap : a matplotlib colormap name.

    Returns
    -------
    The Axes drawn on.
    """
    true = _class_labels(y_true, "y_true")
    predicted = _class_labels(y_pred, "y_pred")
    if true.shape != predicted.shape:
        raise ValueError(
            f"y_true and y_pred must have the same number of samples, got {true.shape[0]} and "
            f"{predicted.shape[0]}"
        )
    if normalize not in NORMALIZE:
        raise ValueError(f"normalize must be None, 'true', 'pred' or 'all', got {normalize!r}")
    largest = int(max(true.max(), predicted.max()))
    if n_classes is None:
        n_classes = largest + 1
    elif check_positive_int(n_classes, "n_classes") <= largest:
        raise ValueError(f"n_classes must exceed the largest label, {largest}, got {n_classes}")
    if display_labels is None:
        names = [str(k) for k in range(n_classes)]
    else:
        names = [str(name) for name in display_labels]
        if isinstance(display_labels, str) or len(names) != n_classes:
            raise ValueError(
                f"display_labels must be {n_classes} names, one per class, got {display_labels!r}"
            )

    counts = _confusion_counts(true, predicted, n_classes)  # (K, K)
    matrix = counts.astype(np.float64)
    if normalize is not None:
        total = {
            "true": counts.sum(axis=1, keepdims=True),  # (K, 1)
            "pred": counts.sum(axis=0, keepdims=True),  # (1, K)
            "all": counts.sum(keepdims=True),  # (1, 1)
        }[normalize]
        matrix = np.divide(matrix, total, out=np.zeros_like(matrix), where=total > 0)

    ax = _axes_or_new(ax)
    # A fixed scale from 0: to the largest count, or to 1 for fractions.
    high = 1.0 if normalize is not None else max(float(counts.max()), 1.0)
    image = ax.imshow(matrix, cmap=cmap, interpolation="nearest", vmin=0.0, vmax=high)
    _root_figure(ax).colorbar(image, ax=ax, label="count" if normalize is None else "fraction")
    threshold = high / 2.0
    for i, j in np.ndindex(n_classes, n_classes):
        value = matrix[i, j]
        text = f"{counts[i, j]:d}" if normalize is None else f"{value:.2f}"
        # dark text on light cells, light text on dark ones
        colour = image.cmap(0.0) if value > threshold else image.cmap(1.0)
        ax.text(j, i, text, ha="center", va="center", color=colour)
    ax.set_xticks(np.arange(n_classes), names)
    ax.set_yticks(np.arange(n_classes), names)
    ax.set_xlabel("Predicted label")
    ax.set_ylabel("True label")
    ax.set_title(title)
    return ax
