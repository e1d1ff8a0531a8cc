"""The *answering* form of an export: a network with its preprocessing, classes and target
scaling, whose graph answers as ``ffnn predict`` does (class labels and one probability per
class, or values in the target's units).

:func:`answer_form` checks the arguments of :func:`ffnn.onnx.to_onnx` that ask for it;
:func:`add_inputs` and :func:`add_answers` build the two ends of the graph.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ffnn.model import Sequential
from ffnn.onnx._dates import MIN_DATE_OPSET
from ffnn.onnx._graph import Graph
from ffnn.onnx._head import Head, add_head
from ffnn.onnx._table import ML_DOMAIN, add_preprocessing, column_inputs

__all__ = ["ANSWERS", "Form", "add_answers", "add_inputs", "answer_form"]

#: the outputs of the answering form: a classifier's, then a regressor's
ANSWERS = ("label", "probabilities", "prediction")


@dataclass(frozen=True)
class Form:
    """``specs``: the preprocessor's column specs (None: one ``input`` matrix);
    ``classes``: the labels (classification); ``mean``, ``scale``: the target scaling."""

    link: str
    specs: list[dict[str, Any]] | None
    prep_dtype: np.dtype
    classes: np.ndarray | None
    mean: float = 0.0
    scale: float = 1.0

    def min_opset(self) -> int:
        dates = any(s["kind"] == "date" and s["outputs"] for s in self.specs or [])
        return MIN_DATE_OPSET if dates else 0

    def domains(self) -> list[tuple[str, int]]:
        return [(ML_DOMAIN, 2)] if self.specs is not None else []


def _classes(classes: Any) -> np.ndarray:
    values = list(np.asarray(classes).tolist()) if isinstance(classes, np.ndarray) else classes
    if not isinstance(values, list | tuple) or len(values) < 2:
        raise ValueError(f"classes must be a list of two labels or more, got {classes!r:.80}")
    if all(isinstance(c, str) for c in values):
        table = np.asarray(values, dtype=object)
    elif all(isinstance(c, int | float) and not isinstance(c, bool) for c in values):
        integral = all(isinstance(c, int) for c in values)
        table = np.asarray(values, dtype=np.int64 if integral else np.float64)
    else:
        raise ValueError(f"classes must be all text or all numbers, got {values!r:.80}")
    if len(set(table.tolist())) != len(table):
        raise ValueError(f"classes must be distinct, got {values!r:.80}")
    return table


def _scaling(target_scaling: Any) -> tuple[float, float]:
    if isinstance(target_scaling, dict):
        pair = (target_scaling.get("mean"), target_scaling.get("scale"))
    elif isinstance(target_scaling, list | tuple) and len(target_scaling) == 2:
        pair = tuple(target_scaling)
    else:
        pair = (None, None)
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in pair):
        raise ValueError(
            f"target_scaling must be {{'mean': m, 'scale': s}} with numbers, got {target_scaling!r}"
        )
    mean, scale = float(pair[0]), float(pair[1])  # type: ignore[arg-type]
    if not (np.isfinite(mean) and np.isfinite(scale) and scale != 0):
        raise ValueError(
            "target_scaling needs a finite mean and a finite non-zero scale, got "
            f"{target_scaling!r}"
        )
    return mean, scale


def _specs(preprocessor: Any, network: Sequential) -> tuple[list[dict[str, Any]], np.dtype]:
    specs = getattr(preprocessor, "columns_", None)
    if not hasattr(preprocessor, "to_config") or not isinstance(specs, list):
        raise ValueError(
            "preprocessor must be a fitted ffnn.TablePreprocessor, got "
            f"{type(preprocessor).__name__}"
            + (" (not fitted)" if hasattr(preprocessor, "to_config") else "")
        )
    width = sum(len(spec["outputs"]) for spec in specs)
    if width != network.n_features_in:
        raise ValueError(
            f"the preprocessor gives {width} features, the network takes {network.n_features_in}"
        )
    for name, _ in column_inputs(specs):
        if not name or name in (*ANSWERS, "logits"):
            raise ValueError(
                f"a column named {name!r} cannot be a graph input (the graph's values "
                f"{[*ANSWERS, 'logits']} have those names): rename it before fitting"
            )
    return specs, np.dtype(preprocessor.dtype)


def answer_form(
    network: Sequential, head: Head, preprocessor: Any, classes: Any, target_scaling: Any
) -> Form:
    """The checked form, or a ValueError saying what does not fit the network."""
    specs, prep_dtype = (None, np.dtype(np.float64))
    if preprocessor is not None:
        specs, prep_dtype = _specs(preprocessor, network)
    link, n_out = head.link, network.n_outputs
    if link in ("sigmoid", "softmax"):
        if target_scaling is not None:
            raise ValueError("target_scaling is for a regression; this network classifies")
        if classes is None:
            classes = head.classes if head.classes is not None else list(range(max(n_out, 2)))
        table = _classes(classes)
        fits = (link == "sigmoid" and n_out == 1 and len(table) == 2) or (
            link == "softmax" and n_out == len(table)
        )
        if not fits:
            raise ValueError(
                f"{len(table)} classes do not fit a network of {n_out} output(s) with a {link} "
                "link (two classes: one sigmoid output; more: one softmax output per class)"
            )
        return Form(link, specs, prep_dtype, table)
    if link in ("identity", "exp"):
        if classes is not None:
            raise ValueError(f"classes are for a classifier; this network's link is {link!r}")
        mean, scale = (0.0, 1.0) if target_scaling is None else _scaling(target_scaling)
        return Form(link, specs, prep_dtype, None, mean, scale)
    raise ValueError(
        f"the network's loss {network.loss!r} has no known link (classification or regression); "
        "it cannot be exported with its preprocessing, classes or target scaling"
    )


def add_inputs(g: Graph, form: Form, n_features: int) -> tuple[list[Any], str]:
    """The graph's inputs and the name of the network's input value."""
    helper, tensor = g.onnx.helper, g.onnx.TensorProto
    if form.specs is None:
        return [helper.make_tensor_value_info("input", g.elem_type, ["batch", n_features])], "input"
    types = {"double": tensor.DOUBLE, "string": tensor.STRING}
    columns = column_inputs(form.specs)
    g._names.update(name for name, _ in columns)
    inputs = [helper.make_tensor_value_info(n, types[t], ["batch", 1]) for n, t in columns]
    return inputs, add_preprocessing(g, form.specs, form.prep_dtype)


def add_answers(g: Graph, form: Form, n_outputs: int) -> list[Any]:
    """Nodes from ``logits`` to ``label`` and ``probabilities``, or to ``prediction``."""
    if form.classes is not None:
        head = Head(form.link, "Sequential", form.classes, two_columns=form.link == "sigmoid")
        return add_head(g, head, n_outputs, ["label", "probabilities"])
    g.scope = "head"
    values = "logits" if form.link == "identity" else g.node("Exp", ["logits"])
    scaled = g.node("Mul", [values, g.constant("target_scale", form.scale)])
    g.node("Add", [scaled, g.constant("target_mean", form.mean)], out="prediction")
    info = g.onnx.helper.make_tensor_value_info
    return [info("prediction", g.elem_type, ["batch", n_outputs])]
