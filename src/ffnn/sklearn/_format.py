"""The scikit-learn estimators' section of a model file (``"estimator"``, docs/format.md).

A file saved from a fitted :class:`MLPClassifier` / :class:`MLPRegressor` is a Sequential file
(the estimator's ``model_``, written by :mod:`ffnn.io`) with an ``"estimator"`` section:
``{"class", "params", "attributes", "arrays"}`` and ``estimator/<n>.npy`` (``classes_``, and
the best weights with early stopping). A reader that ignores the section gets the network.
This module registers the section with :mod:`ffnn.io` when ``ffnn.sklearn`` is imported; the
file format itself never imports the adapter.

Nothing in the section is trusted: the parameters go through the estimator's own checks, every
fitted attribute has a declared kind, labels are bools, numbers or strings (never objects), and
the network must have the sizes the parameters and attributes say.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
from sklearn.exceptions import NotFittedError
from sklearn.preprocessing import LabelBinarizer

from ffnn.io import ArrayReader, Section, SectionParts, register_section
from ffnn.io._archive import ARRAY_DTYPES
from ffnn.layers import Dense
from ffnn.model import Sequential
from ffnn.sklearn import estimators
from ffnn.sklearn._base import _OUTPUT_LOSSES, BaseMLP
from ffnn.sklearn._format_values import (
    attribute_from_json,
    attribute_json,
    float_from_json,
    float_json,
    param_from_json,
    param_json,
)
from ffnn.sklearn._losses import SummedBinaryCrossEntropy
from ffnn.sklearn._optimizers import SklearnAdam, SklearnSGD
from ffnn.sklearn._params import hidden_layer_sizes
from ffnn.training import History

__all__ = ["EstimatorSection"]

_ESTIMATOR_CLASSES = ("MLPClassifier", "MLPRegressor")
_OUT_ACTIVATIONS = {"MLPClassifier": ("softmax", "logistic"), "MLPRegressor": ("identity", "exp")}
_Y_TYPES = ("binary", "multiclass", "multilabel-indicator")
# The fitted attributes stored as JSON, and what each must be.
_ATTRIBUTE_KINDS = {
    "n_features_in_": "int",
    "n_iter_": "int",
    "t_": "int",
    "n_outputs_": "int",
    "n_layers_": "int",
    "_no_improvement_count": "int",
    "out_activation_": "str",
    "loss_": "float",
    "best_loss_": "float?",
    "best_validation_score_": "float?",
    "loss_curve_": "floats",
    "validation_scores_": "floats?",
    "feature_names_in_": "strs",
}
_REQUIRED_ATTRIBUTES = (
    "n_features_in_",
    "n_iter_",
    "t_",
    "n_outputs_",
    "n_layers_",
    "out_activation_",
)
# Class labels: bools, integers, floats and strings, little-endian; never objects.
_LABEL_DTYPES = {"|b1", "|i1", "|u1", "<i2", "<u2", "<i4", "<u4", "<i8", "<u8", "<f2", "<f4", "<f8"}
_UNICODE_DTYPE = re.compile(r"<U[1-9][0-9]{0,3}")


def _is_label_dtype(dtype: Any) -> bool:
    return isinstance(dtype, str) and (
        dtype in _LABEL_DTYPES or _UNICODE_DTYPE.fullmatch(dtype) is not None
    )


def _estimator_section(estimator: BaseMLP, name: str) -> SectionParts:
    """The network, optimizer, ``"estimator"`` section and arrays of a fitted estimator."""
    if "model_" not in estimator.__dict__:
        raise NotFittedError(f"this {name} is not fitted yet: fit it first, then save it")
    params = {
        key: param_json(value, key, name) for key, value in estimator.get_params(deep=False).items()
    }
    state = estimator.__dict__
    attributes: dict[str, Any] = {
        key: attribute_json(state[key], kind)
        for key, kind in _ATTRIBUTE_KINDS.items()
        if key in state
    }
    history = estimator.history_
    attributes["history_"] = {
        "history": {
            key: [float_json(item) for item in values] for key, values in history.history.items()
        },
        "epoch": [int(epoch) for epoch in history.epoch],
        "params": {
            key: param_json(value, "history_", name) for key, value in history.params.items()
        },
        "stopped_by": history.stopped_by,
    }
    arrays: list[tuple[dict[str, Any], np.ndarray]] = []
    if name == "MLPClassifier":
        binarizer = estimator._label_binarizer
        attributes["label_binarizer"] = {
            "y_type": str(binarizer.y_type_),
            "sparse_input": bool(binarizer.sparse_input_),
        }
        classes = np.asarray(estimator.classes_)
        entry: dict[str, Any] = {"name": "classes_"}
        if classes.dtype == object:
            if not all(isinstance(label, str) for label in classes):
                raise TypeError(
                    f"cannot save {name}.classes_: the labels must be bools, numbers or "
                    f"strings of one kind, got an object array of {classes[:5]!r}"
                )
            classes = classes.astype(str)
            entry["as_object"] = True
        if classes.dtype.byteorder == ">":
            classes = classes.astype(classes.dtype.newbyteorder("<"))
        if not _is_label_dtype(classes.dtype.str):
            raise TypeError(
                f"cannot save {name}.classes_ of dtype {classes.dtype}: labels must be bools, "
                "integers, floats or strings (of at most 9999 characters)"
            )
        arrays.append((entry, classes))
    if estimator.early_stopping and "_best_weights" in state:
        for index, weights in enumerate(estimator._best_weights):
            arrays.append(({"name": f"_best_weights.{index}"}, np.asarray(weights)))
    section = {"class": name, "params": params, "attributes": attributes}
    return SectionParts(state["model_"], state.get("_optimizer"), section, arrays)


def _read_estimator_arrays(
    spec: dict[str, Any], read_array: ArrayReader
) -> dict[str, tuple[dict[str, Any], np.ndarray]]:
    found: dict[str, tuple[dict[str, Any], np.ndarray]] = {}
    for entry in spec.get("arrays", []):
        name = entry.get("name") if isinstance(entry, dict) else None
        if not isinstance(name, str) or name in found:
            raise ValueError(f"malformed or repeated estimator array entry {entry!r}")
        if name != "classes_" and not re.fullmatch(r"_best_weights\.[0-9]{1,6}", name):
            raise ValueError(f"unknown estimator array {name!r}")
        allowed = _is_label_dtype if name == "classes_" else ARRAY_DTYPES.__contains__
        found[name] = (entry, read_array(entry, allowed))
    return found


def _history(spec: Any) -> History:
    """The ``history_`` of an estimator from its JSON, every field checked."""
    if not isinstance(spec, dict):
        raise ValueError("attribute 'history_' is missing or not an object")
    params = spec.get("params") or {}
    logs = spec.get("history") or {}
    epochs = spec.get("epoch") or []
    stopped_by = spec.get("stopped_by")
    if (
        not isinstance(params, dict)
        or not isinstance(logs, dict)
        or not all(isinstance(values, list) for values in logs.values())
        or not isinstance(epochs, list)
        or not all(isinstance(e, int) and not isinstance(e, bool) for e in epochs)
        or not (stopped_by is None or isinstance(stopped_by, str))
    ):
        raise ValueError("attribute 'history_' is malformed")
    history = History({key: param_from_json(value) for key, value in params.items()})
    history.history = {
        key: [float_from_json(item) for item in values] for key, values in logs.items()
    }
    history.epoch = list(epochs)
    history.stopped_by = stopped_by
    return history


def _rebuild_estimator(
    spec: dict[str, Any],
    arrays: dict[str, tuple[dict[str, Any], np.ndarray]],
    model: Sequential,
) -> BaseMLP:
    name = spec["class"]
    cls = getattr(estimators, name)
    known = cls().get_params(deep=False)
    params = spec["params"]
    unknown = sorted(set(params) - set(known))
    if unknown:
        raise ValueError(f"unknown parameters {unknown}")
    decoded = {}
    for key, value in params.items():
        try:
            decoded[key] = param_from_json(value)
        except ValueError as error:
            raise ValueError(f"parameter {key!r}: {error}") from None
    estimator = cls(**decoded)
    estimator._check_parameters()
    hidden = hidden_layer_sizes(estimator)

    attributes = dict(spec["attributes"])
    history_spec = attributes.pop("history_", None)
    binarizer_spec = attributes.pop("label_binarizer", None)
    unknown = sorted(set(attributes) - set(_ATTRIBUTE_KINDS))
    if unknown:
        raise ValueError(f"unknown attributes {unknown}")
    missing = [key for key in _REQUIRED_ATTRIBUTES if key not in attributes]
    if missing:
        raise ValueError(f"missing attributes {missing}")
    state: dict[str, Any] = {}
    for key, value in attributes.items():
        try:
            state[key] = attribute_from_json(value, _ATTRIBUTE_KINDS[key])
        except ValueError as error:
            raise ValueError(f"attribute {key!r}: {error}") from None

    dense = [layer for layer in model.layers if isinstance(layer, Dense)]
    if not dense:
        raise ValueError("the network has no Dense layer")
    units = [dense[0].n_in] + [layer.n_out for layer in dense]
    expected = [state["n_features_in_"], *hidden, state["n_outputs_"]]
    if units != expected or state["n_layers_"] != len(units):
        raise ValueError(
            f"the network's layer sizes {units} do not match n_features_in_, "
            f"hidden_layer_sizes and n_outputs_ ({expected}) or n_layers_ "
            f"({state['n_layers_']})"
        )
    out = state["out_activation_"]
    if out not in _OUT_ACTIVATIONS[name]:
        raise ValueError(f"out_activation_ {out!r} is not one of {_OUT_ACTIVATIONS[name]}")
    names = state.get("feature_names_in_")
    if names is not None:
        if len(names) != state["n_features_in_"]:
            raise ValueError("feature_names_in_ does not have n_features_in_ names")
        state["feature_names_in_"] = np.asarray(names, dtype=object)

    loss = _OUTPUT_LOSSES[out]()
    if out == "logistic" and state["n_outputs_"] > 1:
        loss = SummedBinaryCrossEntropy()
    model.loss = loss
    optimizer = model.optimizer
    wanted = {"sgd": SklearnSGD, "adam": SklearnAdam}.get(estimator.solver)
    if optimizer is not None and (wanted is None or type(optimizer) is not wanted):
        raise ValueError(
            f"the optimizer state is for {type(optimizer).__name__}, not for "
            f"solver={estimator.solver!r}"
        )

    history = _history(history_spec)

    best: list[np.ndarray] = []
    while f"_best_weights.{len(best)}" in arrays:
        best.append(arrays[f"_best_weights.{len(best)}"][1])
    weights = model.get_weights()
    if best:
        if [(w.shape, w.dtype) for w in best] != [(w.shape, w.dtype) for w in weights]:
            raise ValueError("the stored _best_weights do not fit the network")
        weights = best
    extra = sorted(set(arrays) - {"classes_"} - {f"_best_weights.{i}" for i in range(len(best))})
    if extra:
        raise ValueError(f"unknown estimator arrays {extra}")

    if name == "MLPClassifier":
        if "classes_" not in arrays:
            raise ValueError("the classifier's classes_ array is missing")
        entry, classes = arrays["classes_"]
        if classes.ndim != 1:
            raise ValueError(f"classes_ must be one-dimensional, got shape {classes.shape}")
        if entry.get("as_object"):
            if classes.dtype.kind != "U":
                raise ValueError("as_object is only for string labels")
            classes = classes.astype(object)
        if not isinstance(binarizer_spec, dict):
            raise ValueError("the classifier's label_binarizer attribute is missing")
        y_type = binarizer_spec.get("y_type")
        if y_type not in _Y_TYPES:
            raise ValueError(f"unknown target type {y_type!r}")
        n_outputs = 1 if y_type == "binary" and len(classes) <= 2 else len(classes)
        wanted_out = "softmax" if y_type == "multiclass" else "logistic"
        if state["n_outputs_"] != n_outputs or out != wanted_out:
            raise ValueError(
                f"{len(classes)} classes of type {y_type!r} need {n_outputs} outputs and a "
                f"{wanted_out} link, the file says {state['n_outputs_']} and {out!r}"
            )
        binarizer = LabelBinarizer()
        binarizer.classes_ = classes
        binarizer.y_type_ = y_type
        binarizer.sparse_input_ = bool(binarizer_spec.get("sparse_input", False))
        estimator._label_binarizer = binarizer
        estimator.classes_ = classes
    elif "classes_" in arrays or binarizer_spec is not None:
        raise ValueError("a regressor has no classes_")

    for key, value in state.items():
        setattr(estimator, key, value)
    estimator.model_ = model
    estimator.history_ = history
    estimator._optimizer = optimizer
    estimator._best_weights = weights
    return estimator


class EstimatorSection(Section):
    """The ``"estimator"`` section: ffnn's own MLPClassifier and MLPRegressor, fitted."""

    key = "estimator"

    def owns(self, obj: Any) -> bool:
        for name in _ESTIMATOR_CLASSES:
            cls = getattr(estimators, name)
            if type(obj) is cls:
                return True
            if isinstance(obj, cls):
                raise TypeError(
                    f"save stores ffnn's {name} itself, not the subclass {type(obj).__name__} "
                    "(a file names its class and load rebuilds only ffnn's own)"
                )
        return False

    def write(self, obj: Any) -> SectionParts:
        return _estimator_section(obj, type(obj).__name__)

    def read(self, body: dict[str, Any], read_array: ArrayReader, model: Sequential) -> BaseMLP:
        name = body.get("class")
        if name not in _ESTIMATOR_CLASSES:
            raise ValueError(
                f"unknown estimator class {name!r}; ffnn loads only "
                f"{' and '.join(_ESTIMATOR_CLASSES)}"
            )
        for key in ("params", "attributes"):
            if not isinstance(body.get(key), dict):
                raise ValueError(f"the estimator section has no {key!r} object")
        if not isinstance(body.get("arrays", []), list):
            raise ValueError("the estimator section's 'arrays' is not a list")
        arrays = _read_estimator_arrays(body, read_array)
        try:
            return _rebuild_estimator(body, arrays, model)
        except (TypeError, ValueError, KeyError) as error:
            message = error.args[0] if isinstance(error, KeyError) and error.args else error
            raise ValueError(f"the {name} cannot be rebuilt: {message}") from None


register_section(EstimatorSection())
