"""Tabular data for the command line: CSV files in, arrays out, predictions back to CSV.

The ``ffnn`` commands read CSV files with a header row, comma-separated, UTF-8 (a byte-order
mark is allowed); blank lines are skipped and cells are stripped of surrounding spaces. Only
NumPy and the standard ``csv`` module are used: pandas is not needed.

- :class:`Table` holds the cells as text, column by column, and parses the numeric ones.
- :class:`Preprocessor` turns chosen columns into a network's inputs and targets (features
  standardised with the training mean and standard deviation, class labels as indices 0..K-1,
  regression targets standardised too) and outputs back into labels and values. Its settings
  travel in the model file as ``model.metadata`` (JSON values; see :meth:`to_metadata`).

Every problem with a file or a column raises :class:`DataError`, a ``ValueError`` whose message
names the file, the column and the line.
"""

from __future__ import annotations

import csv
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from ffnn.model import Sequential

__all__ = [
    "DataError",
    "Table",
    "read_csv",
    "write_csv",
    "format_numbers",
    "infer_task",
    "Preprocessor",
    "MAX_INFERRED_CLASSES",
]

#: a numeric target with at most this many distinct integer values is taken for class labels
MAX_INFERRED_CLASSES = 10
TASKS = ("classification", "regression")
Label = str | int | float


class DataError(ValueError):
    """A file, a column or a model's metadata that a command cannot use; the message says why."""


def _names(names: Sequence[str], limit: int = 12) -> str:
    """``a, b, c`` (the first ``limit`` names, then how many more)."""
    shown = ", ".join(repr(n) if not n or "," in n else n for n in names[:limit])
    return shown + (f", ... ({len(names) - limit} more)" if len(names) > limit else "")


@dataclass(frozen=True)
class Table:
    """The cells of a CSV file as text: ``cells[j][i]`` is row ``i`` of ``columns[j]``.

    ``lines[i]`` is the line of the file that row ``i`` came from (for messages).
    """

    path: str
    columns: list[str]
    cells: list[list[str]]
    lines: list[int]

    @property
    def n_rows(self) -> int:
        return len(self.lines)

    def column(self, name: str) -> list[str]:
        """The cells of column ``name``; :class:`DataError` listing the columns if it is absent."""
        if name not in self.columns:
            raise DataError(
                f"{self.path} has no column {name!r} (its columns: {_names(self.columns)})"
            )
        return self.cells[self.columns.index(name)]

    def numbers(self, name: str) -> np.ndarray:
        """Column ``name`` as float64 ``(n_rows,)``; every cell must be a finite number."""
        cells = self.column(name)
        try:
            values = np.array(cells, dtype=np.float64)
        except ValueError:  # find the culprit (or parse what only Python's float accepts)
            values = np.array([self._number(name, line, cell) for line, cell in self._rows(cells)])
        finite = np.isfinite(values)
        if not finite.all():
            row = int(np.argmin(finite))
            raise DataError(
                f"{self.path}: column {name!r} holds {cells[row]} on line {self.lines[row]}; "
                "fill in or drop the missing values first"
            )
        return values

    def matrix(self, names: Sequence[str]) -> np.ndarray:
        """Columns ``names`` as a float64 matrix ``(n_rows, len(names))``."""
        return np.column_stack([self.numbers(name) for name in names]).reshape(self.n_rows, -1)

    def _rows(self, cells: list[str]) -> zip[tuple[int, str]]:
        return zip(self.lines, cells, strict=True)

    def _number(self, name: str, line: int, cell: str) -> float:
        try:
            return float(cell)
        except ValueError:
            what = "an empty cell" if not cell else repr(cell)
            raise DataError(
                f"{self.path}: column {name!r} is not numeric: {what} on line {line}"
            ) from None


def read_csv(path: str | os.PathLike[str]) -> Table:
    """Read a CSV file with a header row into a :class:`Table`.

    Raises :class:`DataError` for a missing, unreadable or empty file, a header without data
    rows, repeated column names, and rows whose number of cells differs from the header's.
    """
    name = os.fspath(path)
    try:
        with open(name, newline="", encoding="utf-8-sig") as stream:
            reader = csv.reader(stream)
            rows = [(reader.line_num, row) for row in reader if any(c.strip() for c in row)]
    except FileNotFoundError:
        raise DataError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise DataError(f"{name} is a folder, not a CSV file") from None
    except UnicodeDecodeError:
        raise DataError(f"{name} is not a UTF-8 text file (is it a CSV file?)") from None
    except (OSError, csv.Error) as error:
        raise DataError(f"cannot read {name}: {error}") from None
    if not rows:
        raise DataError(f"{name} is empty: expected a header row, then data rows")
    columns = [cell.strip() for cell in rows[0][1]]
    repeated = sorted({c for c in columns if columns.count(c) > 1})
    if repeated:
        raise DataError(f"{name}: the header names columns more than once: {_names(repeated)}")
    if len(rows) == 1:
        raise DataError(f"{name} has a header but no data rows")
    for line, row in rows[1:]:
        if len(row) != len(columns):
            raise DataError(
                f"{name}: line {line} has {len(row)} cells, the header has {len(columns)}"
            )
    cells = [
        [cell.strip() for cell in column] for column in zip(*(r for _, r in rows[1:]), strict=True)
    ]
    return Table(name, columns, cells, [line for line, _ in rows[1:]])


def write_csv(
    path: str | os.PathLike[str] | None, header: Sequence[str], columns: Sequence[Sequence[str]]
) -> None:
    """Write ``columns`` (each a sequence of cells, all of one length) under ``header``, to
    ``path`` or, when it is ``None``, to standard output."""
    rows = zip(*columns, strict=True)
    if path is None:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        return
    with open(path, "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def format_numbers(values: np.ndarray) -> list[str]:
    """Each number in its shortest form that reads back exactly in its own dtype
    (``0.1`` for a float32 0.1, not ``0.10000000149011612``)."""
    return [str(value) for value in np.asarray(values).ravel()]


def infer_task(table: Table, target: str) -> tuple[str, str]:
    """``(task, reason)`` for predicting column ``target``: text labels or at most
    :data:`MAX_INFERRED_CLASSES` distinct integers make a classification, other numbers a
    regression."""
    cells = table.column(target)
    try:
        values = np.array(cells, dtype=np.float64)
    except ValueError:
        return "classification", f"column {target!r} holds text"
    distinct = np.unique(values[np.isfinite(values)])
    if (distinct == np.round(distinct)).all() and len(distinct) <= MAX_INFERRED_CLASSES:
        return "classification", f"column {target!r} holds {len(distinct)} distinct integers"
    return "regression", f"column {target!r} holds numbers"


def _label(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


def _label_text(label: Label) -> str:
    return label if isinstance(label, str) else str(label)


@dataclass
class Preprocessor:
    """From table columns to a network's inputs and targets, and from outputs back.

    Attributes
    ----------
    task : ``"classification"`` or ``"regression"``.
    features : the feature columns in input order; ``None`` for a model saved without them
        (then every column is a feature, in file order, except the target).
    target : the column the model predicts (``None`` when unknown).
    classes : classification only: class ``k`` is ``classes[k]`` (text or numbers).
    feature_mean, feature_scale : ``(n_features,)``; inputs are ``(x - mean) / scale``
        (``None``: used as they are).
    target_mean, target_scale : regression only: the network predicts
        ``(y - mean) / scale``.
    """

    task: str
    features: list[str] | None = None
    target: str | None = None
    classes: list[Label] | None = None
    feature_mean: np.ndarray | None = None
    feature_scale: np.ndarray | None = None
    target_mean: float = 0.0
    target_scale: float = 1.0

    # -- fitted on training data ---------------------------------------------------------
    @classmethod
    def fit(
        cls, table: Table, target: str, features: Sequence[str] | None, task: str
    ) -> tuple[Preprocessor, np.ndarray, np.ndarray]:
        """Settings learnt from ``table``, and its data: ``(preprocessor, X, y)`` with ``X``
        ``(n_rows, n_features)`` standardised and ``y`` ``(n_rows,)`` class indices (int64) or
        values in the target's own units (float64)."""
        if task not in TASKS:
            raise DataError(f"task must be one of {TASKS}, got {task!r}")
        table.column(target)  # absent: the error lists the columns
        if features is None:
            # a column without a name is a saved index (pandas' to_csv), not a feature
            features = [c for c in table.columns if c != target and c]
        if not features:
            raise DataError(f"{table.path} has no feature columns beside the target {target!r}")
        if target in features:
            raise DataError(f"the target {target!r} cannot also be a feature")
        X = table.matrix(features)  # (n_rows, n_features)
        scale = X.std(axis=0)
        scale[scale == 0] = 1.0  # a constant feature is centred, not divided by zero
        prep = cls(task, list(features), target, None, X.mean(axis=0), scale)
        if task == "classification":
            prep.classes = cls._classes(table, target)
        else:
            text = next((c for c in table.column(target) if c and not _is_number(c)), None)
            if text is not None:
                raise DataError(
                    f"a regression needs a numeric target, but {table.path}: column {target!r} "
                    f"holds {text!r}; use --task classification to predict labels"
                )
            values = table.numbers(target)  # (n_rows,), empty cells and NaN reported
            prep.target_mean = float(values.mean())
            prep.target_scale = float(values.std()) or 1.0
        return prep, prep.standardise(X), prep.targets(table, target)

    @staticmethod
    def _classes(table: Table, target: str) -> list[Label]:
        cells = table.column(target)
        if all(_is_number(c) for c in cells):
            classes: list[Label] = [_label(v) for v in np.unique(table.numbers(target))]
        else:
            if "" in cells:
                line = table.lines[cells.index("")]
                raise DataError(f"{table.path}: column {target!r} has an empty cell on line {line}")
            classes = sorted(set(cells))
        if len(classes) < 2:
            raise DataError(
                f"{table.path}: column {target!r} holds one class only "
                f"({_label_text(classes[0])}); a classifier needs at least two"
            )
        return classes

    # -- the model file --------------------------------------------------------------------
    def to_metadata(self) -> dict[str, Any]:
        """The settings as JSON values, for ``model.metadata``."""
        metadata: dict[str, Any] = {"task": self.task, "target": self.target}
        metadata["features"] = self.features
        if self.classes is not None:
            metadata["classes"] = list(self.classes)
        if self.feature_mean is not None and self.feature_scale is not None:
            metadata["feature_scaling"] = {
                "mean": self.feature_mean.tolist(),
                "scale": self.feature_scale.tolist(),
            }
        if self.task == "regression":
            metadata["target_scaling"] = {"mean": self.target_mean, "scale": self.target_scale}
        return metadata

    @classmethod
    def from_model(cls, model: Sequential, path: str) -> Preprocessor:
        """The settings stored with ``model`` (by ``ffnn train``), checked against it; for a
        model saved without them, what its loss implies (inputs used as they are, classes
        0..K-1)."""
        metadata = model.metadata or {}
        if "task" not in metadata:
            return cls._for_plain_model(model, path)
        try:
            prep = cls._from_metadata(metadata)
        except (KeyError, TypeError, ValueError) as error:
            raise DataError(f"{path}: the model's metadata is malformed ({error})") from None
        prep._check_fits(model, path)
        return prep

    @classmethod
    def _from_metadata(cls, metadata: dict[str, Any]) -> Preprocessor:
        task, target, features = metadata["task"], metadata.get("target"), metadata["features"]
        if task not in TASKS:
            raise ValueError(f"unknown task {task!r}")
        if target is not None and not isinstance(target, str):
            raise TypeError(f"target must be a column name, got {target!r}")
        if features is not None and not all(isinstance(f, str) for f in features):
            raise TypeError("features must be column names")
        prep = cls(task, None if features is None else list(features), target)
        if task == "classification":
            classes = metadata["classes"]
            if not all(
                isinstance(c, str | int | float) and not isinstance(c, bool) for c in classes
            ):
                raise TypeError("classes must be text or numbers")
            if len(classes) < 2:
                raise ValueError(f"a classifier needs two classes or more, got {classes!r}")
            prep.classes = list(classes)
        else:
            prep.target_mean = float(metadata["target_scaling"]["mean"])
            prep.target_scale = float(metadata["target_scaling"]["scale"])
        scaling = metadata.get("feature_scaling")
        if scaling is not None:
            prep.feature_mean = np.asarray(scaling["mean"], dtype=np.float64)
            prep.feature_scale = np.asarray(scaling["scale"], dtype=np.float64)
        return prep

    def _check_fits(self, model: Sequential, path: str) -> None:
        n_in = model.n_features_in
        lengths = [len(self.features)] if self.features is not None else []
        if self.feature_mean is not None and self.feature_scale is not None:
            lengths += [self.feature_mean.size, self.feature_scale.size]
        n_classes = len(self.classes or [])
        n_out = n_classes if n_classes > 2 else 1  # two classes: one sigmoid output
        if any(n != n_in for n in lengths) or model.n_outputs != n_out:
            raise DataError(
                f"{path}: the model's metadata does not fit the network "
                f"({n_in} inputs, {model.n_outputs} outputs)"
            )
        if model.loss is None or model.loss.is_classifier != (self.task == "classification"):
            raise DataError(f"{path}: the model's loss {model.loss!r} does not do {self.task}")

    @classmethod
    def _for_plain_model(cls, model: Sequential, path: str) -> Preprocessor:
        from ffnn.losses import BinaryCrossEntropy, CrossEntropy

        loss, n_out = model.loss, model.n_outputs
        if loss is None:
            raise DataError(f"{path}: the model has no loss, so its task is unknown: fit it first")
        if isinstance(loss, CrossEntropy):
            return cls("classification", classes=list(range(n_out)))
        if isinstance(loss, BinaryCrossEntropy) and n_out == 1:
            return cls("classification", classes=[0, 1])
        if not loss.is_classifier and n_out == 1:
            return cls("regression")
        raise DataError(
            f"{path}: the command line handles models with one target; this one has {n_out} "
            f"outputs with {loss!r}"
        )

    # -- data in and out -------------------------------------------------------------------
    def feature_columns(self, table: Table, exclude: str | None = None) -> list[str]:
        """The columns of ``table`` that feed the network, in input order."""
        if self.features is None:
            return [c for c in table.columns if c != exclude and c]
        missing = [f for f in self.features if f not in table.columns]
        if missing:
            raise DataError(
                f"{table.path} lacks the feature column(s) {_names(missing)}; the model expects "
                f"{len(self.features)} features ({_names(self.features)}), the file has "
                f"{_names(table.columns)}"
            )
        return self.features

    def inputs(self, table: Table, n_features: int, exclude: str | None = None) -> np.ndarray:
        """The network's inputs ``(n_rows, n_features)`` from ``table``, standardised; a model
        saved without feature names takes every column (except ``exclude``), in file order."""
        names = self.feature_columns(table, exclude)
        if len(names) != n_features:
            raise DataError(
                f"the model expects {n_features} feature columns, {table.path} gives "
                f"{len(names)}: {_names(names)} (the model file names no features, so every "
                "column except the target is used)"
            )
        return self.standardise(table.matrix(names))

    def standardise(self, X: np.ndarray) -> np.ndarray:
        if self.feature_mean is None or self.feature_scale is None:
            return X
        return (X - self.feature_mean) / self.feature_scale

    def targets(self, table: Table, column: str) -> np.ndarray:
        """Column ``column`` as class indices ``(n_rows,)`` int64 (classification) or values
        float64 (regression, in the target's own units)."""
        if self.task == "regression":
            return table.numbers(column)
        classes = self.classes or []
        cells: Sequence[Any] = table.column(column)
        if all(isinstance(c, str) for c in classes):
            index: dict[Any, int] = {c: k for k, c in enumerate(classes)}
        else:
            index = {float(c): k for k, c in enumerate(classes)}
            cells = table.numbers(column).tolist()
        indices = np.empty(table.n_rows, dtype=np.int64)
        for row, cell in enumerate(cells):
            if cell not in index:
                label = cell if isinstance(cell, str) else _label(cell)
                shown = "an empty cell" if cell == "" else f"the label {_label_text(label)!r}"
                raise DataError(
                    f"{table.path}: column {column!r} holds {shown} on line {table.lines[row]}, "
                    f"which is not a class the model knows ({self.class_names()})"
                )
            indices[row] = index[cell]
        return indices

    def class_names(self) -> list[str]:
        return [_label_text(c) for c in self.classes or []]

    def labels(self, indices: np.ndarray) -> list[str]:
        """The class label of every index, as text."""
        names = self.class_names()
        return [names[k] for k in np.asarray(indices).ravel()]

    def scale_target(self, values: np.ndarray) -> np.ndarray:
        return (values - self.target_mean) / self.target_scale

    def unscale_target(self, outputs: np.ndarray) -> np.ndarray:
        """Network outputs back in the target's units, in the outputs' dtype."""
        values = np.asarray(outputs, dtype=np.float64) * self.target_scale + self.target_mean
        return values.astype(np.asarray(outputs).dtype)


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True
