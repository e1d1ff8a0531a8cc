"""Metrics: how good predictions are, in the units people report.

``accuracy`` takes labels; the ``*_from_logits`` helpers score a batch of raw network outputs
against targets prepared by a loss (shaped like the logits), which is what the training loop
has at hand.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ffnn.losses import BinaryCrossEntropy, CrossEntropy, Loss

__all__ = ["accuracy", "mean_absolute_error", "get_batch_metric"]


def accuracy(y_true: Any, y_pred: Any) -> float:
    """Fraction of predictions equal to the true labels.

    ``(n,)`` and ``(n, 1)`` are treated alike, so a column of labels (the tutorial's ``y``)
    compares element by element with a flat prediction instead of broadcasting to ``(n, n)``.
    """
    true = np.asarray(y_true)
    pred = np.asarray(y_pred)
    if true.ndim == 2 and true.shape[1] == 1:
        true = true[:, 0]
    if pred.ndim == 2 and pred.shape[1] == 1:
        pred = pred[:, 0]
    if true.shape != pred.shape:
        raise ValueError(
            f"y_true and y_pred must have the same shape, got {true.shape} and {pred.shape}"
        )
    if true.size == 0:
        raise ValueError("accuracy of an empty set of predictions is undefined")
    return float(np.mean(true == pred))


def mean_absolute_error(y_true: Any, y_pred: Any) -> float:
    """``mean |y_true - y_pred|`` over all entries."""
    true = np.asarray(y_true, dtype=float)
    pred = np.asarray(y_pred, dtype=float)
    if true.shape != pred.shape:
        raise ValueError(
            f"y_true and y_pred must have the same shape, got {true.shape} and {pred.shape}"
        )
    return float(np.mean(np.abs(true - pred)))


def _accuracy_from_logits(loss: Loss, logits: np.ndarray, targets: np.ndarray) -> float:
    if isinstance(loss, CrossEntropy):
        return float(np.mean(logits.argmax(axis=1) == targets.argmax(axis=1)))
    # binary and multi-label: a sample's entries are scored one by one, as Keras does
    return float(np.mean(loss.predict(logits) == (targets > 0.5)))


def _mae_from_logits(loss: Loss, logits: np.ndarray, targets: np.ndarray) -> float:
    return float(np.mean(np.abs(loss.link(logits) - targets)))


BatchMetric = Callable[[Loss, np.ndarray, np.ndarray], float]

_BATCH_METRICS: dict[str, BatchMetric] = {
    "accuracy": _accuracy_from_logits,
    "mae": _mae_from_logits,
}


def get_batch_metric(name: str, loss: Loss) -> BatchMetric:
    """The function ``(loss, logits, targets) -> float`` behind the metric ``name``."""
    if name not in _BATCH_METRICS:
        raise ValueError(f"unknown metric {name!r}; expected one of {sorted(_BATCH_METRICS)}")
    if name == "accuracy" and not isinstance(loss, BinaryCrossEntropy | CrossEntropy):
        raise ValueError(f"metric 'accuracy' needs a classification loss, got {loss!r}")
    return _BATCH_METRICS[name]
