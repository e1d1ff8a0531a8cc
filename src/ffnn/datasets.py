"""Small data sets, generated without scikit-learn.

:func:`make_blobs` draws the same numbers as ``sklearn.datasets.make_blobs`` for an int seed
(the same legacy Mersenne-Twister stream, drawn in the same order), so the tutorial's data set
needs no scikit-learn: ``tutorial_blobs()`` is the tutorial's
``make_blobs(n_samples=300, centers=2, cluster_std=1.5, random_state=42)`` with ``y`` as a column.
"""

from __future__ import annotations

import numpy as np

from ffnn._checks import check_positive_int

__all__ = ["make_blobs", "tutorial_blobs"]


def make_blobs(
    n_samples: int = 100,
    centers: int = 3,
    n_features: int = 2,
    cluster_std: float = 1.0,
    center_box: tuple[float, float] = (-10.0, 10.0),
    shuffle: bool = True,
    random_state: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Isotropic Gaussian blobs, one per class.

    Centres are drawn uniformly in ``center_box``; class ``i`` gets ``n_samples // centers``
    points (the first ``n_samples % centers`` classes one more) from ``N(center_i, cluster_std²)``.

    Returns
    -------
    X : (n_samples, n_features) float64
    y : (n_samples,) int class labels 0..centers-1
    """
    n_samples = check_positive_int(n_samples, "n_samples")
    centers = check_positive_int(centers, "centers")
    n_features = check_positive_int(n_features, "n_features")
    if cluster_std <= 0:
        raise ValueError(f"cluster_std must be positive, got {cluster_std}")
    # The legacy generator, as scikit-learn's check_random_state makes from an int.
    rng = np.random.RandomState(random_state)  # noqa: NPY002
    centre_points = rng.uniform(center_box[0], center_box[1], size=(centers, n_features))
    counts = [n_samples // centers + (1 if i < n_samples % centers else 0) for i in range(centers)]
    X = np.empty((n_samples, n_features))
    y = np.empty(n_samples, dtype=np.int64)
    start = 0
    for label, count in enumerate(counts):
        X[start : start + count] = rng.normal(
            loc=centre_points[label], scale=cluster_std, size=(count, n_features)
        )
        y[start : start + count] = label
        start += count
    if shuffle:
        order = np.arange(n_samples)
        rng.shuffle(order)
        X, y = X[order], y[order]
    return X, y


def tutorial_blobs() -> tuple[np.ndarray, np.ndarray]:
    """The tutorial's data: 300 points in two blobs (std 1.5, seed 42); ``y`` is ``(300, 1)``."""
    X, y = make_blobs(n_samples=300, centers=2, cluster_std=1.5, random_state=42)
    return X, y.reshape((y.shape[0], 1))
