"""The playground's data sets: the tutorial's blobs, six more made here, and CSV tables.

Every generated set comes from its ``seed`` alone (the blobs from
:func:`ffnn.datasets.make_blobs`, the moons from :func:`ffnn.datasets.make_moons`, the others
from ``np.random.default_rng(seed)``), then the points are split into training and test points
by ``np.random.default_rng([seed, 1]).permutation(n)``: an exported script that calls
:func:`make_data` (or :func:`table_data` on the same CSV file) with the same settings gets the
same arrays, bit for bit.

With the defaults (``n_points=300``, ``noise=0.1``, ``seed=42``) "blobs" is the tutorial's data,
:func:`ffnn.datasets.tutorial_blobs` (``cluster_std = 15 · noise = 1.5``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ffnn.csvdata import DataError, Preprocessor, Table, infer_task
from ffnn.csvdata.rawinputs import drop_missing_targets
from ffnn.datasets import make_blobs, make_moons

__all__ = ["MAX_TABLE_ROWS", "Dataset", "make_data", "table_data", "targets_for"]

#: a CSV table with more rows (after dropping those without a target) is refused
MAX_TABLE_ROWS = 5000


@dataclass
class Dataset:
    """Training and test points, the task, and how the plane shows them.

    ``X_*`` are ``(n, n_features)`` float64; ``y_*`` are ``(n,)``: class indices (int64) or
    values (float64, for a regression). ``shown`` are the two feature indices drawn as the
    plane's axes, ``fixed`` ``(n_features,)`` the value the other features take on the plane
    (their training median), ``extent`` ``[xmin, xmax, ymin, ymax]`` of the plane.
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    task: str  # "binary", "multiclass" or "regression"
    classes: list[Any]
    x_name: str = "x1"
    y_name: str = "x2"
    shown: tuple[int, int] = (0, 1)
    fixed: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.fixed is None:
            self.fixed = np.median(self.X_train, axis=0)
        both = np.concatenate([self.X_train, self.X_test])[:, list(self.shown)]
        low, high = both.min(axis=0), both.max(axis=0)
        margin = np.maximum((high - low) * 0.1, 0.1)
        low, high = low - margin, high + margin
        self.extent = [float(low[0]), float(high[0]), float(low[1]), float(high[1])]

    def targets(self, y: np.ndarray) -> np.ndarray:
        """``y`` (``y_train`` or ``y_test``) as the loss takes it (:func:`targets_for`)."""
        return targets_for(self.task, y, len(self.classes))

    @property
    def n_outputs(self) -> int:
        return len(self.classes) if self.task == "multiclass" else 1

    def plane(self, nx: int, ny: int) -> np.ndarray:
        """``(ny · nx, n_features)`` inputs on a grid over the extent, row-major from the top
        (``y = ymax``) row down; the features not shown at ``fixed``."""
        xmin, xmax, ymin, ymax = self.extent
        xs = np.linspace(xmin, xmax, nx)
        ys = np.linspace(ymax, ymin, ny)
        grid = np.empty((ny * nx, self.X_train.shape[1]))
        grid[:] = self.fixed
        grid[:, self.shown[0]] = np.tile(xs, ny)
        grid[:, self.shown[1]] = np.repeat(ys, nx)
        return grid


def targets_for(task: str, y: np.ndarray, n_classes: int = 0) -> np.ndarray:
    """The targets as the task's loss takes them: ``(n, 1)`` floats, or one-hot rows
    ``(n, n_classes)`` for a multiclass task."""
    if task == "multiclass":
        return np.eye(n_classes)[y]
    return y.reshape(-1, 1).astype(np.float64)


def _split(
    X: np.ndarray, y: np.ndarray, test_ratio: float, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    n = X.shape[0]
    n_test = min(int(round(test_ratio * n)), n - 2)
    if n_test <= 0:
        return X, y, X[:0], y[:0]
    order = np.random.default_rng([seed, 1]).permutation(n)
    train, test = np.sort(order[n_test:]), np.sort(order[:n_test])
    return X[train], y[train], X[test], y[test]


def _generate(kind: str, n: int, noise: float, seed: int, classes: int) -> tuple[Any, Any]:
    """``(X (n, 2), y (n,))`` of one generated kind."""
    if kind == "blobs":
        X, y = make_blobs(n, centers=2, cluster_std=round(15 * noise, 10), random_state=seed)
        return X, y
    if kind == "moons":
        return make_moons(n, noise=noise, random_state=seed)
    rng = np.random.default_rng(seed)
    if kind == "circles":  # class 0 on the circle of radius 1, class 1 on radius 0.5
        y = np.arange(n) % 2
        angle = rng.uniform(0, 2 * np.pi, n)
        radius = np.where(y == 0, 1.0, 0.5) + rng.normal(0, noise, n)
        return np.column_stack([radius * np.cos(angle), radius * np.sin(angle)]), y
    if kind == "xor":  # class 1 where the two coordinates have the same sign
        X = rng.uniform(-1, 1, (n, 2))
        y = (X[:, 0] * X[:, 1] > 0).astype(np.int64)
        return X + rng.normal(0, noise, (n, 2)), y
    if kind == "spiral":  # two arms, each turning 1.5 times around the centre
        y = np.arange(n) % 2
        t = np.sqrt(rng.uniform(0, 1, n)) * 3 * np.pi
        angle = t + np.pi * y
        X = np.column_stack([t * np.cos(angle), t * np.sin(angle)]) / (3 * np.pi)
        return X + rng.normal(0, noise, (n, 2)), y
    if kind == "gaussians":  # `classes` clusters, their centres on a circle of radius 1
        y = np.arange(n) % classes
        centres = np.exp(2j * np.pi * np.arange(classes) / classes)
        spread = 0.15 + noise
        X = np.column_stack([centres.real[y], centres.imag[y]]) + rng.normal(0, spread, (n, 2))
        return X, y
    if kind == "surface":  # a regression: z = sin(2 x1) · cos(2 x2) + noise
        X = rng.uniform(-1.5, 1.5, (n, 2))
        z = np.sin(2 * X[:, 0]) * np.cos(2 * X[:, 1])
        return X, z + rng.normal(0, noise, n)
    raise ValueError(f"no generated data set {kind!r}")


def make_data(
    kind: str,
    *,
    n_points: int = 300,
    noise: float = 0.1,
    test_ratio: float = 0.0,
    seed: int = 42,
    classes: int = 3,
) -> Dataset:
    """A generated data set (``kind``: blobs, moons, circles, xor, spiral, gaussians with
    ``classes`` classes, or the regression "surface"), split by ``test_ratio``."""
    X, y = _generate(kind, n_points, noise, seed, classes)
    X = np.asarray(X, dtype=np.float64)
    if kind == "surface":
        task, labels = "regression", []
        y = np.asarray(y, dtype=np.float64)
    else:
        y = np.asarray(y, dtype=np.int64).reshape(-1)
        labels = list(range(int(y.max()) + 1))
        task = "binary" if len(labels) == 2 else "multiclass"
    return Dataset(*_split(X, y, test_ratio, seed), task=task, classes=labels)


def _ignore(text: str) -> None:
    """Notes on cells taken as missing: the playground shows none."""


def table_data(
    table: Table,
    target: str,
    features: list[str] | None = None,
    shown: list[str] | None = None,
    *,
    test_ratio: float = 0.0,
    seed: int = 42,
) -> Dataset:
    """The data ``ffnn train`` would train on from ``table`` (the rows with a target, the task
    inferred from the target column, the features through :class:`ffnn.TablePreprocessor`,
    a regression's target standardised), split by ``test_ratio``; ``shown``: two numeric
    feature columns for the plane (default: the first two)."""
    table, _ = drop_missing_targets(table, target)
    if table.n_rows > MAX_TABLE_ROWS:
        raise DataError(
            f"{table.path} has {table.n_rows} rows with a target; the playground takes at "
            f"most {MAX_TABLE_ROWS}"
        )
    task, _ = infer_task(table, target)
    prep, X, y = Preprocessor.fit(table, target, features, task, note=_ignore)
    assert prep.inputs is not None and prep.features is not None
    outputs = [str(name) for name in prep.inputs.get_feature_names_out()]
    # a number column (0/1 ones too, which are "boolean") is one input of the network
    specs = prep.inputs.columns_
    numeric = [s["name"] for s in specs if s["kind"] in ("numeric", "boolean") and s["outputs"]]
    shown = shown or numeric[:2]
    if len(shown) != 2 or shown[0] == shown[1]:
        raise DataError(
            f"the plane shows two numeric feature columns; {table.path} has "
            f"{len(numeric)} among the features ({', '.join(numeric) or 'none'})"
        )
    for name in shown:
        if name not in numeric:
            raise DataError(
                f"column {name!r} cannot be shown on the plane: it is not a numeric feature "
                f"(the numeric features: {', '.join(numeric) or 'none'})"
            )
    where = (outputs.index(shown[0]), outputs.index(shown[1]))
    if task == "regression":
        y, labels, kind = prep.scale_target(y), [], "regression"
    else:
        labels = list(prep.classes or [])
        kind = "binary" if len(labels) == 2 else "multiclass"
    X_train, y_train, X_test, y_test = _split(np.asarray(X, np.float64), y, test_ratio, seed)
    return Dataset(X_train, y_train, X_test, y_test, kind, labels, shown[0], shown[1], where)
