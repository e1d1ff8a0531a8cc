"""Data sets: small ones generated without scikit-learn, and MNIST-style IDX files read from disk.

:func:`make_blobs` and :func:`make_moons` draw the same numbers as scikit-learn's functions of
those names for an int seed (the same legacy Mersenne-Twister stream, drawn in the same order),
so the tutorial's data set needs no scikit-learn: ``tutorial_blobs()`` is the tutorial's
``make_blobs(n_samples=300, centers=2, cluster_std=1.5, random_state=42)`` with ``y`` as a column.

:func:`load_idx` and :func:`load_mnist` (defined in :mod:`ffnn.idx`) read MNIST and
Fashion-MNIST from their standard IDX files (docs/real-data.md).
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from ffnn._checks import (
    check_bool,
    check_finite_float,
    check_positive_int,
)
from ffnn.idx import load_idx, load_mnist

__all__ = ["load_idx", "load_mnist", "make_blobs", "make_moons", "tutorial_blobs"]


def make_blobs(
    n_samples: int = 100,
    centers: int = 3,
    n_features: int = 2,
    cluster_std: float = 1.0,
    center_box: tuple[float, float] = (-10.0, 10.0),
    shuffle: bool = True,
    random_state: int | np.random.RandomState | None = None,
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
    cluster_std = check_finite_float(cluster_std, "cluster_std")
    if cluster_std <= 0:
        raise ValueError(f"cluster_std must be positive, got {cluster_std}")
    if not isinstance(center_box, tuple | list) or len(center_box) != 2:
        raise TypeError(f"center_box must be a pair (low, high), got {center_box!r}")
    low = check_finite_float(center_box[0], "center_box[0]")
    high = check_finite_float(center_box[1], "center_box[1]")
    if not low < high:
        raise ValueError(f"center_box must be (low, high) with low < high, got {center_box!r}")
    shuffle = check_bool(shuffle, "shuffle")
    rng = _legacy_generator(random_state)
    centre_points = rng.uniform(low, high, size=(centers, n_features))
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
        X, y = _shuffled(X, y, rng)
    return X, y


def _legacy_generator(random_state: Any) -> np.random.RandomState:
    """The legacy Mersenne-Twister generator scikit-learn's ``check_random_state`` makes: from
    ``None`` (fresh entropy), an int in ``[0, 2**32)``, or a ``RandomState`` used as it is."""
    if isinstance(random_state, np.random.RandomState):
        return random_state
    if random_state is not None and (
        not isinstance(random_state, numbers.Integral) or isinstance(random_state, bool)
    ):
        raise TypeError(
            "random_state must be None, an int or a numpy.random.RandomState (the data sets draw "
            f"scikit-learn's legacy stream), got {type(random_state).__name__} {random_state!r}"
        )
    seed = None if random_state is None else int(random_state)
    if seed is not None and not 0 <= seed < 2**32:
        raise ValueError(f"random_state must be an int in [0, 2**32), got {random_state}")
    return np.random.RandomState(seed)  # noqa: NPY002


def _shuffled(
    X: np.ndarray, y: np.ndarray, rng: np.random.RandomState
) -> tuple[np.ndarray, np.ndarray]:
    """Rows of X and y in the order scikit-learn's ``utils.shuffle`` gives for ``rng``."""
    order = np.arange(X.shape[0])
    rng.shuffle(order)
    return X[order], y[order]


def make_moons(
    n_samples: int = 100,
    shuffle: bool = True,
    noise: float | None = None,
    random_state: int | np.random.RandomState | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles: a binary problem no straight line separates.

    Class 0: ``(cos t, sin t)``, class 1: ``(1 - cos t, 1/2 - sin t)``, ``t`` evenly spaced in
    ``[0, π]`` (``n_samples // 2`` points in class 0); then Gaussian noise of standard deviation
    ``noise`` on every coordinate.

    Returns
    -------
    X : (n_samples, 2) float64
    y : (n_samples,) int labels 0/1
    """
    n_samples = check_positive_int(n_samples, "n_samples")
    if noise is not None:
        noise = check_finite_float(noise, "noise")
        if noise < 0:
            raise ValueError(f"noise must be >= 0, got {noise}")
    shuffle = check_bool(shuffle, "shuffle")
    n_outer = n_samples // 2
    n_inner = n_samples - n_outer
    rng = _legacy_generator(random_state)
    t_outer = np.linspace(0, np.pi, n_outer)
    t_inner = np.linspace(0, np.pi, n_inner)
    X = np.column_stack(
        [
            np.append(np.cos(t_outer), 1 - np.cos(t_inner)),
            np.append(np.sin(t_outer), 1 - np.sin(t_inner) - 0.5),
        ]
    )
    y = np.append(np.zeros(n_outer, dtype=np.int64), np.ones(n_inner, dtype=np.int64))
    if shuffle:
        X, y = _shuffled(X, y, rng)
    if noise is not None:
        X += rng.normal(scale=noise, size=X.shape)
    return X, y


def tutorial_blobs() -> tuple[np.ndarray, np.ndarray]:
    """The tutorial's data: 300 points in two blobs (std 1.5, seed 42); ``y`` is ``(300, 1)``."""
    X, y = make_blobs(n_samples=300, centers=2, cluster_std=1.5, random_state=42)
    return X, y.reshape((y.shape[0], 1))
