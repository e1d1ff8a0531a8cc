"""From the columns of a :class:`~ffnn.csvdata.table.Table` to a network's inputs and targets,
and from its outputs back to labels and values; the settings travel in the model file.

:func:`infer_task` decides between classification and regression from the target column.
:class:`Preprocessor` turns the input columns into numbers with a fitted
:class:`ffnn.TablePreprocessor` (:mod:`ffnn.csvdata.rawinputs`), turns class labels into indices
0..K-1 and standardises a regression's target; its settings are stored as ``model.metadata``
(JSON values; see :meth:`Preprocessor.to_metadata`) and read back by
:meth:`Preprocessor.from_model`, checked against the network. Files of earlier versions, whose
metadata holds ``feature_scaling`` (numeric features standardised) instead of
``preprocessing``, are read and applied as they were.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ffnn.csvdata.rawinputs import Note, fit_inputs, transform_inputs
from ffnn.csvdata.table import DataError, Table, quote_names
from ffnn.preprocessing import TablePreprocessor
from ffnn.preprocessing.cells import canonical

if TYPE_CHECKING:
    from ffnn.model import Sequential

__all__ = ["MAX_INFERRED_CLASSES", "TASKS", "infer_task", "Preprocessor"]

#: a numeric target with at most this many distinct integer values is taken for class labels
MAX_INFERRED_CLASSES = 10
TASKS = ("classification", "regression")
Label = str | int | float


def infer_task(table: Table, target: str) -> tuple[str, str]:
    """``(task, reason)`` for predicting column ``target``: text labels or at most
    :data:`MAX_INFERRED_CLASSES` distinct integers make a classification, other numbers a
    regression."""
    cells = [cell for cell in table.column(target) if canonical(cell) is not None]
    try:
        values = np.array(cells, dtype=np.float64)
    except ValueError:
        return "classification", f"column {target!r} holds text"
    distinct = np.unique(values[np.isfinite(values)])  # NaN: missing cells, skipped by train
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
    inputs : the fitted :class:`ffnn.TablePreprocessor` of the feature columns (``None`` for a
        model of an earlier ``ffnn train``, or one saved without metadata).
    feature_mean, feature_scale : earlier files only: ``(n_features,)``; inputs are
        ``(x - mean) / scale`` (``None``: used as they are).
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
    inputs: TablePreprocessor | None = None

    # -- fitted on training data ---------------------------------------------------------
    @classmethod
    def fit(
        cls,
        table: Table,
        target: str,
        features: Sequence[str] | None,
        task: str,
        note: Note = print,
    ) -> tuple[Preprocessor, np.ndarray, np.ndarray]:
        """Settings learnt from ``table``, and its data: ``(preprocessor, X, y)`` with ``X``
        ``(n_rows, n_outputs)`` as :class:`ffnn.TablePreprocessor` encodes the feature columns
        (any kind: numbers, text, dates...) and ``y`` ``(n_rows,)`` class indices (int64) or
        values in the target's own units (float64). ``table`` has a value in every target cell
        (:func:`~ffnn.csvdata.rawinputs.drop_missing_targets`); ``note`` reports cells taken as
        missing."""
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
        inputs, X = fit_inputs(table, features, note)
        prep = cls(task, list(features), target, inputs=inputs)
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
            spread = float(values.std())
            prep.target_scale = spread if spread >= 1 / _limit(np.dtype(np.float32)) else 1.0
            _check_finite(table, [target], np.array([prep.target_mean]), [prep.target_scale])
        return prep, X, prep.targets(table, target)

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
        if self.inputs is not None:
            metadata["preprocessing"] = self.inputs.to_config()
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
        prep._check_statistics(np.dtype(model.dtype), path)
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
            scaling = metadata["target_scaling"]
            if not isinstance(scaling, dict):
                raise TypeError("target_scaling must be an object {mean, scale}")
            prep.target_mean = float(_numbers([scaling["mean"]], "target_scaling.mean")[0])
            prep.target_scale = float(_numbers([scaling["scale"]], "target_scaling.scale")[0])
        scaling = metadata.get("feature_scaling")
        if scaling is not None:
            if not isinstance(scaling, dict):
                raise TypeError("feature_scaling must be an object {mean, scale}")
            prep.feature_mean = _numbers(scaling["mean"], "feature_scaling.mean")
            prep.feature_scale = _numbers(scaling["scale"], "feature_scaling.scale")
        config = metadata.get("preprocessing")
        if config is not None:
            if scaling is not None:
                raise ValueError("it holds both preprocessing and feature_scaling")
            prep.inputs = TablePreprocessor.from_config(config)
            names = [str(n) for n in getattr(prep.inputs, "feature_names_in_", [])]
            if features is None or names != list(features):
                raise ValueError("the preprocessing's columns are not the features")
        return prep

    def _check_statistics(self, dtype: np.dtype, path: str) -> None:
        """Refuse scaling statistics that would make ordinary data non-finite: every mean
        within ``±limit`` and every scale within ``[1/limit, limit]``, ``limit`` the square
        root of the largest number of the model's dtype (1.8e19 for float32), so that a
        standardised input, a folded weight (``W / scale``) or an unscaled prediction stays
        finite."""
        limit = _limit(dtype)
        pairs = [(np.asarray(self.target_mean), np.asarray(self.target_scale), "target_scaling")]
        if self.feature_mean is not None and self.feature_scale is not None:
            pairs.append((self.feature_mean, self.feature_scale, "feature_scaling"))
        for mean, scale, name in pairs:
            if np.any(np.abs(mean) > limit) or np.any((scale < 1 / limit) | (scale > limit)):
                raise DataError(
                    f"{path}: the model's metadata holds {name} statistics out of range (means "
                    f"within ±{limit:.3g}, scales within [{1 / limit:.3g}, {limit:.3g}] for "
                    f"{dtype} models); the file is damaged or hostile"
                )

    def _check_fits(self, model: Sequential, path: str) -> None:
        n_in = model.n_features_in
        lengths = [len(self.features)] if self.features is not None else []
        if self.inputs is not None:
            lengths = [len(self.inputs.get_feature_names_out())]
        if self.feature_mean is not None and self.feature_scale is not None:
            lengths += [self.feature_mean.size, self.feature_scale.size]
        n_classes = len(self.classes or [])
        n_out = n_classes if n_classes > 2 else 1  # two classes: one sigmoid output
        if any(n != n_in for n in lengths) or model.n_outputs != n_out:
            needs = f"{n_classes} classes need {n_out} output(s)" if n_classes else "1 output"
            raise DataError(
                f"{path}: the model's metadata does not fit the network "
                f"({n_in} inputs, {model.n_outputs} outputs): it gives "
                f"{' and '.join(map(str, sorted(set(lengths)))) or n_in} inputs, and {needs}"
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
        missing = [f for f in self.features if f not in table.positions]
        if missing:
            raise DataError(
                f"{table.path} lacks the feature column(s) {quote_names(missing)}; the model "
                f"expects {len(self.features)} features ({quote_names(self.features)}), the "
                f"file has {quote_names(table.columns)}"
            )
        return self.features

    def network_inputs(
        self, table: Table, n_features: int, exclude: str | None = None, note: Note = print
    ) -> np.ndarray:
        """The network's inputs ``(n_rows, n_features)`` from ``table``: encoded by the stored
        :class:`ffnn.TablePreprocessor` (``note`` reports cells taken as missing), or, for an
        earlier file, standardised; a model saved without feature names takes every column
        (except ``exclude``), in file order."""
        if self.inputs is not None:
            return transform_inputs(self.inputs, table, note)
        names = self.feature_columns(table, exclude)
        if len(names) != n_features:
            raise DataError(
                f"the model expects {n_features} feature columns, {table.path} gives "
                f"{len(names)}: {quote_names(names)} (the model file names no features, so every "
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


def _limit(dtype: np.dtype) -> float:
    """The bound on scaling statistics, ``√(largest number of dtype)`` (1.8e19 for float32):
    means within ``±limit`` and scales within ``[1/limit, limit]`` keep a standardised input, a
    folded weight (``W / scale``) and an unscaled prediction finite. Training and loading hold
    the statistics to the same bound, so ``train`` never saves a file ``load`` refuses."""
    return float(np.sqrt(np.finfo(dtype).max))


def _check_finite(table: Table, names: Sequence[str], mean: np.ndarray, scale: Any) -> None:
    """The standardisation of columns ``names`` is finite, can be undone and is within the
    bound a model file may hold (:func:`_limit`, float32); a DataError naming the first column
    otherwise."""
    limit = _limit(np.dtype(np.float32))
    for name, m, s in zip(names, mean, scale, strict=True):
        if not (np.isfinite(m) and np.isfinite(s) and abs(m) <= limit and 1 / limit <= s <= limit):
            raise DataError(
                f"{table.path}: column {name!r} cannot be standardised in float32 (mean {m:g}, "
                f"standard deviation {s:g}; both must be within {limit:.3g}): rescale its numbers"
            )


def _numbers(values: Any, name: str) -> np.ndarray:
    """``values`` as float64 ``(n,)``, once it is a list of finite JSON numbers."""
    if not isinstance(values, list) or not all(
        isinstance(v, int | float) and not isinstance(v, bool) and abs(v) <= 1e308 for v in values
    ):
        raise TypeError(f"{name} must be a list of finite numbers")
    return np.asarray(values, dtype=np.float64)


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True
