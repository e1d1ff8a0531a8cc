"""The data sets of the workloads, generated once per run (fixed seeds, no download).

The runner calls :func:`prepare` once per data set and caches the arrays in an ``.npz`` file;
every timed subprocess then :func:`load` s them, so no contender pays for data generation and
all of them train on the same numbers.

Each data set is ``X_train (n, d)``, ``y_train (n,)`` (class indices; ``(n, 1)`` 0/1 floats for
the tutorial's blobs), ``X_test``, ``y_test``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

Arrays = dict[str, np.ndarray]


def _teacher_split(n_train: int, n_test: int, n_features: int, n_classes: int, seed: int) -> Arrays:
    """Gaussian inputs labelled by a random linear teacher (``argmax(X T)``): learnable, fast
    to make at any size."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_train + n_test, n_features), dtype=np.float32)
    teacher = rng.standard_normal((n_features, n_classes), dtype=np.float32)
    y = np.argmax(X @ teacher, axis=1)
    return {
        "X_train": X[:n_train],
        "y_train": y[:n_train],
        "X_test": X[n_train:],
        "y_test": y[n_train:],
    }


def blobs() -> Arrays:
    """The tutorial's 300 points (2 features, y ``(300, 1)``); trained and scored on the same."""
    from ffnn.datasets import tutorial_blobs

    X, y = tutorial_blobs()
    return {"X_train": X, "y_train": y, "X_test": X, "y_test": y}


def medium() -> Arrays:
    """20 000 training (+ 5 000 test) samples x 50 features, 5 classes, standardised."""
    from sklearn.datasets import make_classification

    X, y = make_classification(
        n_samples=25_000,
        n_features=50,
        n_informative=30,
        n_redundant=10,
        n_classes=5,
        n_clusters_per_class=2,
        random_state=0,
    )
    X_train, X_test = X[:20_000], X[20_000:]
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    return {
        "X_train": (X_train - mean) / std,
        "y_train": y[:20_000],
        "X_test": (X_test - mean) / std,
        "y_test": y[20_000:],
    }


def large() -> Arrays:
    """60 000 training (+ 10 000 test) samples x 784 float32 Gaussian inputs, 10 classes."""
    return _teacher_split(60_000, 10_000, 784, 10, seed=0)


def scaling() -> Arrays:
    """160 000 training (+ 10 000 test) samples x 50 float32, 5 classes; jobs use prefixes."""
    return _teacher_split(160_000, 10_000, 50, 5, seed=1)


def digits() -> Arrays:
    """scikit-learn's 8x8 digits (1 797 images, 10 classes) scaled to [0, 1], 75/25 split."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X / 16.0, y, test_size=0.25, random_state=0, stratify=y
    )
    return {"X_train": X_train, "y_train": y_train, "X_test": X_test, "y_test": y_test}


def mnist1d() -> Arrays:
    """MNIST-1D (Greydanus 2020): 4 000 training and 1 000 test sequences of 40 values, 10
    classes, generated locally by the ``mnist1d`` package with its default arguments."""
    from mnist1d.data import get_dataset_args, make_dataset

    data = make_dataset(get_dataset_args())  # seeds NumPy's global generator (seed 42)
    return {
        "X_train": data["x"],
        "y_train": data["y"],
        "X_test": data["x_test"],
        "y_test": data["y_test"],
    }


MAKERS: dict[str, Callable[[], Arrays]] = {
    "blobs": blobs,
    "medium": medium,
    "large": large,
    "scaling": scaling,
    "digits": digits,
    "mnist1d": mnist1d,
}


def prepare(name: str, cache_dir: Path) -> Path:
    """Make data set ``name`` and save it under ``cache_dir`` (once); its path."""
    path = Path(cache_dir) / f"{name}.npz"
    if not path.exists():
        np.savez(path, **MAKERS[name]())
    return path


def load(name: str, cache_dir: Path) -> Arrays:
    """The arrays that :func:`prepare` saved."""
    with np.load(Path(cache_dir) / f"{name}.npz") as saved:
        return {key: saved[key] for key in saved.files}
