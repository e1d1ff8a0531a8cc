"""What ``fit`` checks of the scale of the data before training: :func:`check_trainable`
refuses values too large for any finite training, :func:`feature_scale_problem` warns.

Gradient descent on features of wildly different scales crawls along the small ones and
diverges along the large ones; ``fit`` warns (:class:`FeatureScaleWarning`) before training.
Values so large that the loss or its gradient overflows in the model's dtype cannot be trained
on at all: ``fit`` and the scikit-learn estimators refuse them with a ``ValueError``
(:func:`trainable_bound`, :func:`check_trainable`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = [
    "MAX_MAGNITUDE",
    "MAX_RANGE_IN_SPREADS",
    "MAX_SCALE_RATIO",
    "SCALE_SAMPLE_ROWS",
    "SUMMED_TERMS",
    "FeatureScaleWarning",
    "check_trainable",
    "feature_scale_problem",
    "trainable_bound",
]


class FeatureScaleWarning(UserWarning):
    """Issued by ``fit`` when the input features are on wildly different scales, or huge:
    gradient descent then crawls along the small features or diverges along the large ones."""


#: At most this many rows (evenly spaced) are looked at by :func:`feature_scale_problem`.
SCALE_SAMPLE_ROWS = 2_000
#: Warn when the largest feature standard deviation exceeds the smallest non-zero one this much.
MAX_SCALE_RATIO = 1e3
#: Warn when a feature holds a value larger than this in absolute value.
MAX_MAGNITUDE = 1e6
#: A feature whose range spans more standard deviations than this is almost constant, with a few
#: rows apart (a border pixel inked in under 1 image of 400): its spread says nothing of its
#: scale, and it is left out of the comparison of spreads. A Gaussian spans about 7 in 2 000 rows.
MAX_RANGE_IN_SPREADS = 20.0


def _feature_list(indices: np.ndarray, values: np.ndarray) -> str:
    shown = ", ".join(f"{int(i)} ({values[i]:.3g})" for i in indices[:5])
    return shown + (f" and {indices.size - 5} more" if indices.size > 5 else "")


def feature_scale_problem(X: np.ndarray) -> str | None:
    """What is wrong with the scales of the features of ``X`` ``(n_samples, n_features)``, or
    ``None`` when nothing is.

    Two things are reported: standard deviations that differ by more than
    :data:`MAX_SCALE_RATIO` between features (constant and almost constant features aside: see
    :data:`MAX_RANGE_IN_SPREADS`), and values larger than :data:`MAX_MAGNITUDE` in absolute
    value. At most :data:`SCALE_SAMPLE_ROWS` evenly spaced rows are read (no random numbers
    are drawn), so the cost is bounded for any ``X``.
    """
    step = -(-X.shape[0] // SCALE_SAMPLE_ROWS)  # ceil(n / rows)
    sample = X[::step]  # (≤ rows, n_features), a view
    highest = sample.max(axis=0).astype(np.float64)
    lowest = sample.min(axis=0).astype(np.float64)
    magnitude = np.maximum(highest, -lowest)
    # the standard deviation in float64, 256 rows at a time: no temporary the size of the sample
    chunks = [sample[i : i + 256] for i in range(0, sample.shape[0], 256)]
    mean = sum(c.sum(axis=0, dtype=np.float64) for c in chunks) / sample.shape[0]
    squares = sum(np.square(c - mean).sum(axis=0) for c in chunks)
    spread = np.sqrt(squares / sample.shape[0])  # (n_features,)
    problems = []
    varying = np.flatnonzero((spread > 0) & (highest - lowest <= MAX_RANGE_IN_SPREADS * spread))
    if varying.size > 1:
        widest = varying[np.argmax(spread[varying])]
        narrowest = varying[np.argmin(spread[varying])]
        ratio = spread[widest] / spread[narrowest]
        if ratio > MAX_SCALE_RATIO:
            problems.append(
                f"their standard deviations differ {ratio:.3g}-fold (feature {widest}: "
                f"{spread[widest]:.3g}, feature {narrowest}: {spread[narrowest]:.3g})"
            )
    huge = np.flatnonzero(magnitude > MAX_MAGNITUDE)
    if huge.size:
        problems.append(
            f"feature(s) {_feature_list(huge, magnitude)} hold values above "
            f"{MAX_MAGNITUDE:g} in absolute value"
        )
    if not problems:
        return None
    return (
        "the features of X are badly scaled for training: "
        + "; ".join(problems)
        + ". Training may crawl or diverge; standardise the inputs first (subtract each "
        "feature's mean and divide by its standard deviation, computed on the training data, "
        "e.g. with sklearn.preprocessing.StandardScaler)."
    )


#: The bound of :func:`trainable_bound` leaves room for sums of this many squared terms.
SUMMED_TERMS = 1e8


def trainable_bound(dtype: Any) -> float:
    """The largest magnitude of a feature or target that a model of ``dtype`` can train on:
    ``√(max / SUMMED_TERMS)``, with ``max`` the dtype's largest finite number (``3.4e38`` for
    float32, ``1.8e308`` for float64), about ``1.8e15`` in float32 and ``1.3e150`` in float64.

    Why the square root: every loss and every update squares these values once. The squared
    error squares ``z - y``, whose size is the target's; the gradient of a first-layer weight
    is a feature times an output error, and the next forward pass multiplies a feature by such
    a weight, so a feature's square appears in the logits; Adam and RMSprop square the
    gradients. A value ``v`` is then safe only while ``v²``, summed over a batch, the outputs or
    the features of a dot product (:data:`SUMMED_TERMS` terms, ``10⁸``), stays finite. The
    bound is the same for every loss: classification targets are 0 and 1 and never come near
    it, so it binds the features, and the targets of regression losses (whose squared error,
    absolute error, Huber or Poisson deviance all grow with the target). Ordinary data (up to
    ``10⁶``, which :func:`feature_scale_problem` only warns about) is far below it.
    """
    return math.sqrt(float(np.finfo(dtype).max) / SUMMED_TERMS)


def _column_magnitudes(values: Any) -> np.ndarray:
    """``max |values[:, j]|`` per column ``(n_columns,)``, in float64, without a temporary the
    size of ``values``; a SciPy sparse matrix (anything with ``tocsr``) is read as such."""
    if hasattr(values, "tocsr") and not isinstance(values, np.ndarray):
        highest = np.asarray(values.max(axis=0).toarray(), dtype=np.float64).ravel()
        lowest = np.asarray(values.min(axis=0).toarray(), dtype=np.float64).ravel()
    else:
        highest = np.max(values, axis=0).astype(np.float64)
        lowest = np.min(values, axis=0).astype(np.float64)
    return np.maximum(highest, -lowest)


def check_trainable(X: Any, targets: np.ndarray, dtype: Any, prefix: str = "") -> None:
    """Refuse features ``X (n, n_features)`` (a NumPy array or a SciPy sparse matrix) or loss
    targets ``(n, n_outputs)`` holding a value beyond :func:`trainable_bound` of the model's
    ``dtype``, with a ``ValueError`` that names the data (``X`` or ``y``, with ``prefix``:
    ``"validation "``), the column, the largest magnitude and what to do.

    ``fit`` and the scikit-learn estimators (after scikit-learn's own checks) call it once
    before training: one pass over the data, with no temporary of its size.
    """
    bound = trainable_bound(dtype)
    name = np.dtype(dtype).name
    for data, label in ((X, "X"), (targets, "y")):
        if getattr(data, "dtype", None) == np.bool_:
            continue  # 0/1 targets
        magnitudes = _column_magnitudes(data)
        column = int(np.argmax(magnitudes))
        largest = float(magnitudes[column])
        if not largest > bound:
            continue
        if label == "X":
            remedy = (
                "scale the features first, e.g. with sklearn.preprocessing.StandardScaler "
                "(zero mean and unit variance, fitted on the training data)"
            )
        else:
            remedy = (
                "scale the targets first, e.g. with sklearn.compose.TransformedTargetRegressor"
                "(regressor, transformer=StandardScaler()), or divide them by a constant and "
                "multiply the predictions back"
            )
        if np.dtype(dtype) != np.float64:
            wider = trainable_bound(np.float64)
            remedy += f", or train in float64 (dtype='float64', whose bound is {wider:.3g})"
        raise ValueError(
            f"{prefix}{label} holds values up to {largest:.3g} in absolute value (column "
            f"{column}); a {name} model cannot train on values beyond {bound:.3g}: the loss or "
            f"its gradient would overflow to infinity. {remedy[0].upper()}{remedy[1:]}."
        )
