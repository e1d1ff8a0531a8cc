"""Metrics: how good predictions are, in the units people report.

``accuracy``, ``mean_absolute_error``, ``mean_squared_error`` and ``r2_score`` take labels or
values (as scikit-learn's functions of the same names, ``sample_weight`` included); the batch
metrics (:func:`get_batch_metric`) score a batch of raw network outputs against targets prepared
by a loss (shaped like the logits), which is what the training loop has at hand. Every weighted
mean is ``Σ_i w_i m_i / Σ_i w_i`` over samples, ``m_i`` being the mean over sample ``i``'s
outputs (:func:`ffnn.losses.weighted_mean`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

import numpy as np

from ffnn._checks import describe
from ffnn.losses import BinaryCrossEntropy, CrossEntropy, Loss, check_sample_weight, weighted_mean

__all__ = [
    "accuracy",
    "mean_absolute_error",
    "mean_squared_error",
    "r2_score",
    "BatchMetric",
    "get_batch_metric",
    "check_metric_names",
]


def _as_array(values: Any, name: str, dtype: Any) -> np.ndarray:
    """``values`` as an array; with a ``dtype`` (the metrics of values), checked to hold finite
    real numbers first."""
    try:
        array = np.asarray(values)
    except ValueError as error:  # rows of different lengths
        raise ValueError(
            f"{name} must be a rectangular array, got a ragged sequence ({error})"
        ) from None
    if dtype is None:
        return array
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers, got {describe(values, array)}")
    array = array.astype(dtype, copy=False)
    if not np.isfinite(array).all():
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0])
        raise ValueError(
            f"{name} contains NaN or infinity (first at index {bad}): got {array[bad]}"
        )
    return array


def _pair(
    y_true: Any, y_pred: Any, sample_weight: Any, *, dtype: Any = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """``y_true`` and ``y_pred`` as arrays of one shape, ``(n,)`` or ``(n, k)``, and the checked
    weights ``(n,)`` (float64) or ``None``."""
    true = _as_array(y_true, "y_true", dtype)
    pred = _as_array(y_pred, "y_pred", dtype)
    # a column and a flat vector of one output compare element by element (as in accuracy),
    # never broadcast to (n, n)
    if true.ndim == 2 and true.shape[1] == 1 and pred.ndim == 1:
        true = true[:, 0]
    elif pred.ndim == 2 and pred.shape[1] == 1 and true.ndim == 1:
        pred = pred[:, 0]
    if true.shape != pred.shape:
        raise ValueError(
            f"y_true and y_pred must have the same shape, got {true.shape} and {pred.shape}"
        )
    if true.ndim not in (1, 2):
        raise ValueError(f"y_true must be (n_samples,) or (n_samples, n_outputs), got {true.shape}")
    if true.size == 0:
        raise ValueError("a metric of an empty set of predictions is undefined")
    weight = None
    if sample_weight is not None:
        weight = check_sample_weight(sample_weight, true.shape[0], np.float64)
    return true, pred, weight


def accuracy(y_true: Any, y_pred: Any, sample_weight: Any = None) -> float:
    """Fraction of predictions equal to the true labels, ``Σ w_i [ŷ_i = y_i] / Σ w_i``.

    ``(n,)`` and ``(n, 1)`` are treated alike, so a column of labels (the tutorial's ``y``)
    compares element by element with a flat prediction instead of broadcasting to ``(n, n)``.
    Multi-label ``(n, k)`` 0/1 arrays are scored entry by entry (Keras' ``binary_accuracy``;
    scikit-learn's ``accuracy_score`` asks for whole rows to match instead).
    """
    true, pred = np.asarray(y_true), np.asarray(y_pred)
    if true.ndim == 2 and true.shape[1] == 1:
        true = true[:, 0]
    if pred.ndim == 2 and pred.shape[1] == 1:
        pred = pred[:, 0]
    true, pred, weight = _pair(true, pred, sample_weight)
    return weighted_mean(true == pred, weight)


def mean_absolute_error(y_true: Any, y_pred: Any, sample_weight: Any = None) -> float:
    """``mean |y_true - y_pred|``: over samples (weighted), and uniformly over outputs."""
    true, pred, weight = _pair(y_true, y_pred, sample_weight, dtype=float)
    return weighted_mean(np.abs(true - pred), weight)


def mean_squared_error(y_true: Any, y_pred: Any, sample_weight: Any = None) -> float:
    """``mean (y_true - y_pred)²``: over samples (weighted), and uniformly over outputs."""
    true, pred, weight = _pair(y_true, y_pred, sample_weight, dtype=float)
    diff = true - pred
    return weighted_mean(diff * diff, weight)


def r2_score(y_true: Any, y_pred: Any, sample_weight: Any = None) -> float:
    """Coefficient of determination, as ``sklearn.metrics.r2_score``.

    Per output ``k``: ``R²_k = 1 - Σ_i w_i (y_ik - ŷ_ik)² / Σ_i w_i (y_ik - ȳ_k)²`` with ``ȳ_k``
    the weighted mean of ``y_true``; a constant ``y_true`` scores 1 when predicted exactly, else
    0. The result is the plain mean of ``R²_k`` over outputs. At least two samples are needed.
    """
    true, pred, weight = _pair(y_true, y_pred, sample_weight, dtype=float)
    n_samples = true.shape[0]
    if n_samples < 2:
        raise ValueError(f"r2_score needs at least 2 samples, got {n_samples}")
    true, pred = true.reshape(n_samples, -1), pred.reshape(n_samples, -1)  # (n, k)
    column = np.ones((n_samples, 1)) if weight is None else weight[:, None]
    residual = (column * (true - pred) ** 2).sum(axis=0)  # (k,)
    mean = (column * true).sum(axis=0) / column.sum()
    spread = (column * (true - mean) ** 2).sum(axis=0)  # (k,)
    scores = np.ones(true.shape[1])  # residual 0: a perfect fit
    fit = (residual != 0) & (spread != 0)
    scores[fit] = 1 - residual[fit] / spread[fit]
    scores[(residual != 0) & (spread == 0)] = 0.0  # imperfect fit of a constant
    return float(scores.mean())


# -- batch metrics from logits -----------------------------------------------------------------
class BatchMetric(Protocol):
    """``(loss, logits, targets, sample_weight=None) -> float``: logits and targets
    ``(batch, n_outputs)`` (targets from ``loss.prepare_targets``), weights ``(batch,)``."""

    def __call__(
        self, loss: Loss, logits: np.ndarray, targets: np.ndarray, sample_weight: Any = None
    ) -> float: ...


def _accuracy_from_logits(
    loss: Loss, logits: np.ndarray, targets: np.ndarray, sample_weight: Any = None
) -> float:
    if isinstance(loss, CrossEntropy):
        hits = logits.argmax(axis=1) == targets.argmax(axis=1)  # (batch,)
    else:  # binary and multi-label: entries scored one by one, as Keras' binary_accuracy
        hits = loss.predict(logits) == (targets > 0.5)  # (batch, n_outputs)
    return weighted_mean(hits, sample_weight)


def _mae_from_logits(
    loss: Loss, logits: np.ndarray, targets: np.ndarray, sample_weight: Any = None
) -> float:
    return weighted_mean(np.abs(loss.link(logits) - targets), sample_weight)


def _mse_from_logits(
    loss: Loss, logits: np.ndarray, targets: np.ndarray, sample_weight: Any = None
) -> float:
    diff = loss.link(logits) - targets
    return weighted_mean(diff * diff, sample_weight)


_BATCH_METRICS: dict[str, BatchMetric] = {
    "accuracy": _accuracy_from_logits,
    "mae": _mae_from_logits,
    "mse": _mse_from_logits,
}


def check_metric_names(metrics: Any) -> list[str]:
    """``metrics`` as a list of names: ``None`` is none, a lone name is refused (a list of
    its letters is never meant)."""
    if metrics is None:
        return []
    if isinstance(metrics, str) or not isinstance(metrics, Iterable):
        raise TypeError(
            f"metrics must be a list of names such as ['accuracy'], got "
            f"{type(metrics).__name__} {metrics!r}"
        )
    names = list(metrics)
    for name in names:
        if not isinstance(name, str):
            raise TypeError(f"metrics must hold names (str), got {type(name).__name__} {name!r}")
    return names


def get_batch_metric(name: str, loss: Loss) -> BatchMetric:
    """The function ``(loss, logits, targets, sample_weight=None) -> float`` behind ``name``.

    ``"mae"`` and ``"mse"`` compare the loss's link (probabilities for a classifier) with the
    targets. A batch whose weights are all zero scores 0 (weight it by ``Σw`` when averaging).
    """
    if name not in _BATCH_METRICS:
        raise ValueError(f"unknown metric {name!r}; expected one of {sorted(_BATCH_METRICS)}")
    if name == "accuracy" and not isinstance(loss, BinaryCrossEntropy | CrossEntropy):
        raise ValueError(f"metric 'accuracy' needs a classification loss, got {loss!r}")
    return _BATCH_METRICS[name]
