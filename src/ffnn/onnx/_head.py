"""The head of an exported graph: what the logits become (probabilities, label, predictions),
read from the model's loss or from the fitted estimator."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ffnn.losses import Loss
from ffnn.model import Sequential
from ffnn.onnx._graph import Graph

__all__ = ["OUTPUTS", "Head", "add_head", "check_outputs", "unwrap"]

OUTPUTS = ("logits", "probabilities", "label", "predictions")


@dataclass(frozen=True)
class Head:
    """``link``: "none" (no loss), "unknown" (a loss of the user's own), "sigmoid", "softmax",
    "identity" or "exp"; ``classes``: the table a label index is looked up in (None: the index
    is the label); ``two_columns``: probabilities ``[σ(-z), σ(z)]`` (a binary estimator)."""

    link: str
    source: str
    classes: np.ndarray | None = None
    two_columns: bool = False
    label_note: str = ""  # why there is no label output, when there is none

    def available(self) -> tuple[str, ...]:
        if self.link in ("sigmoid", "softmax"):
            return ("logits", "probabilities") + (() if self.label_note else ("label",))
        if self.link in ("identity", "exp"):
            return ("logits", "predictions")
        return ("logits",)


def _link_of(loss: Loss | None) -> str:
    """The head's link, from what the loss's class declares (``Loss.link_name``)."""
    if loss is None:
        return "none"
    if loss.link_name in ("sigmoid", "softmax", "identity", "exp"):
        return loss.link_name
    if not loss.is_classifier and type(loss).link is Loss.link:
        return "identity"
    return "unknown"


def _class_table(classes: np.ndarray) -> tuple[np.ndarray | None, str]:
    """``classes_`` as an array ONNX can hold (int64, bool, float, str), or a note why not."""
    kind = classes.dtype.kind
    if kind in "iu":
        return classes.astype(np.int64), ""
    if kind in "bf":
        return classes, ""
    if kind == "U" or (kind == "O" and all(isinstance(c, str) for c in classes)):
        return classes.astype(object), ""
    return None, f"classes_ of dtype {classes.dtype} have no ONNX tensor type"


def unwrap(model: Any) -> tuple[Sequential, Head]:
    """The network of a Sequential or of a fitted ffnn estimator, and its head."""
    if isinstance(model, Sequential):
        return model, Head(_link_of(model.loss), "Sequential")
    name = type(model).__name__
    network = getattr(model, "model_", None)
    if not isinstance(network, Sequential):
        if hasattr(model, "fit") and hasattr(model, "hidden_layer_sizes"):
            raise ValueError(f"this {name} is not fitted (no model_): call fit before exporting")
        raise TypeError(
            "export_onnx expects an ffnn Sequential or a fitted ffnn MLPClassifier / "
            f"MLPRegressor, got {name}"
        )
    links = {"softmax": "softmax", "logistic": "sigmoid", "identity": "identity", "exp": "exp"}
    link = links.get(getattr(model, "out_activation_", ""), _link_of(network.loss))
    classes = getattr(model, "classes_", None)
    if classes is None or link not in ("sigmoid", "softmax"):
        return network, Head(link, name)
    if link == "sigmoid" and network.n_outputs > 1:  # multi-label: the 0/1 indicator
        return network, Head(link, name)
    table, note = _class_table(np.asarray(classes))
    if table is not None and len(table) == 1:  # one class, predicted whatever the score
        table = np.repeat(table, 2)
    return network, Head(link, name, table, two_columns=link == "sigmoid", label_note=note)


def check_outputs(outputs: str | Sequence[str], head: Head, loss: Loss | None) -> list[str]:
    available = head.available()
    if isinstance(outputs, str) and outputs == "auto":
        if head.link == "unknown":
            raise ValueError(
                f"the model's loss {loss!r} has no known output link in ONNX; pass "
                "outputs=['logits'] to export the logits alone"
            )
        if head.label_note:
            warnings.warn(f"no 'label' output: {head.label_note}", UserWarning, stacklevel=3)
        if head.link in ("identity", "exp"):
            return ["predictions"]
        return list(available)
    names = [outputs] if isinstance(outputs, str) else list(outputs)
    if not names or len(set(names)) != len(names) or not set(names) <= set(OUTPUTS):
        raise ValueError(
            f"outputs must be 'auto' or distinct names among {list(OUTPUTS)}, got {outputs!r}"
        )
    missing = [n for n in names if n not in available]
    if missing:
        why = f" ({head.label_note})" if "label" in missing and head.label_note else ""
        raise ValueError(
            f"this {head.source} (output link {head.link!r}) can give the outputs "
            f"{list(available)}, not {missing}{why}"
        )
    return names


def add_head(g: Graph, head: Head, n_outputs: int, names: list[str]) -> list[Any]:
    """Nodes from ``logits`` to the requested outputs; returns their declarations."""
    g.scope = "head"
    helper, tensor = g.onnx.helper, g.onnx.TensorProto
    declared: dict[str, tuple[int, list[Any]]] = {"logits": (g.elem_type, ["batch", n_outputs])}
    flat = n_outputs == 1  # label and predictions are then (batch,), as predict returns them
    positive = ""  # σ(logits), what a sigmoid head's label thresholds
    if head.link == "sigmoid" and {"probabilities", "label"} & set(names):
        if head.two_columns:
            positive = g.node("Sigmoid", ["logits"])
            negative = g.node("Sigmoid", [g.node("Neg", ["logits"])])
            g.node("Concat", [negative, positive], out="probabilities", axis=1)
        else:
            positive = g.node("Sigmoid", ["logits"], out="probabilities")
    elif head.link == "softmax" and "probabilities" in names:
        g.node("Softmax", ["logits"], out="probabilities", axis=1)
    declared["probabilities"] = (g.elem_type, ["batch", 2 if head.two_columns else n_outputs])
    if "label" in names:
        last = "" if head.classes is not None else "label"
        if head.link == "softmax":
            index = g.node("ArgMax", ["logits"], out=last, axis=1, keepdims=0)
        else:  # σ(z) > 0.5, as predict
            above = g.node("Greater", [positive, g.constant("threshold", 0.5)])
            index = g.node("Cast", [above], out="" if flat else last, to=tensor.INT64)
            if flat:
                shape = g.constant("flat", [-1], np.int64)
                index = g.node("Reshape", [index, shape], out=last)
        label_type = tensor.INT64
        if head.classes is not None:
            table = g.constant("classes", head.classes, head.classes.dtype)
            g.node("Gather", [table, index], out="label", axis=0)
            label_type = helper.np_dtype_to_tensor_dtype(head.classes.dtype)
        width_label = [] if head.link == "softmax" or flat else [n_outputs]
        declared["label"] = (label_type, ["batch", *width_label])
    if "predictions" in names:
        values = "logits" if head.link == "identity" else g.node("Exp", ["logits"])
        if flat:
            shape = g.constant("flat", [-1], np.int64)
            g.node("Reshape", [values, shape], out="predictions")
        else:
            g.node("Identity", [values], out="predictions")
        declared["predictions"] = (g.elem_type, ["batch"] if flat else ["batch", n_outputs])
    return [helper.make_tensor_value_info(n, *declared[n]) for n in names]
