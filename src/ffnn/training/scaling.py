"""The feature-scale diagnostic ``fit`` runs first: :func:`feature_scale_problem`.

Gradient descent on features of wildly different scales crawls along the small ones and
diverges along the large ones; ``fit`` warns (:class:`FeatureScaleWarning`) before training.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "MAX_MAGNITUDE",
    "MAX_RANGE_IN_SPREADS",
    "MAX_SCALE_RATIO",
    "SCALE_SAMPLE_ROWS",
    "FeatureScaleWarning",
    "feature_scale_problem",
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
