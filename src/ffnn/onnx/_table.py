"""The preprocessing of a fitted :class:`ffnn.TablePreprocessor` as ONNX operators: one graph
input per column it uses, each column encoded as :mod:`ffnn.preprocessing.kinds` encodes it.

Numeric columns are read as float64 ``(batch, 1)`` (NaN is missing); category, boolean and date
columns as strings ``(batch, 1)``, ``""`` and the missing tokens of
:mod:`ffnn.preprocessing.cells` (``NA``, ``null``, ``?``, ... in any case) missing. Columns the
preprocessor leaves out (ID, constant, empty, dropped dates) are no inputs. Everything is
computed in float64, then cast to the graph's float type for the network.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from ffnn.onnx._dates import date_parts
from ffnn.onnx._graph import Graph
from ffnn.preprocessing.cells import MAX_MAGNITUDE, MISSING_TEXT
from ffnn.preprocessing.kinds import FALSE_TEXT, TRUE_TEXT

__all__ = ["ML_DOMAIN", "add_preprocessing", "column_inputs"]

ML_DOMAIN = "ai.onnx.ml"


def _cases(words: frozenset[str]) -> list[str]:
    """Every spelling of ``words`` in upper and lower case (they are matched case-blind)."""
    spellings: set[str] = set()
    for word in words:
        options = [{ch.lower(), ch.upper()} for ch in word]
        spellings.update("".join(chars) for chars in itertools.product(*options))
    return sorted(spellings)


def column_inputs(specs: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """``(column name, "double" or "string")`` of each column the preprocessor uses."""
    return [
        (spec["name"], "double" if spec["kind"] == "numeric" else "string")
        for spec in specs
        if spec["outputs"]
    ]


def _encode(g: Graph, keys: list[str], values: list[int], default: int, x: str) -> str:
    """``values[k]`` where the string ``x`` is ``keys[k]``, else ``default`` (int64)."""
    if not keys:  # LabelEncoder needs a key: every value is the default
        fill = g.onnx.helper.make_tensor("value", g.onnx.TensorProto.INT64, [1], [default])
        return g.node("ConstantOfShape", [g.node("Shape", [x])], value=fill)
    return g.node(
        "LabelEncoder",
        [x],
        domain=ML_DOMAIN,
        keys_strings=keys,
        values_int64s=values,
        default_int64=default,
    )


def _missing_text(g: Graph, x: str) -> str:
    keys = _cases(MISSING_TEXT)
    flags = _encode(g, keys, [1] * len(keys), 0, x)
    return g.node("Cast", [flags], to=g.onnx.TensorProto.BOOL)


def _standardised(g: Graph, values: str, missing: str, stats: dict[str, float]) -> str:
    filled = g.node("Where", [missing, g.constant("median", stats["median"], np.float64), values])
    centred = g.node("Sub", [filled, g.constant("mean", stats["mean"], np.float64)])
    return g.node("Div", [centred, g.constant("std", stats["std"], np.float64)])


def _numeric(g: Graph, spec: dict[str, Any], x: str) -> tuple[list[str], str]:
    large = g.node("Greater", [g.node("Abs", [x]), g.constant("max", MAX_MAGNITUDE, np.float64)])
    missing = g.node("Or", [g.node("IsNaN", [x]), large])  # as cells.canonical reads numbers
    return [_standardised(g, x, missing, spec)], missing


def _boolean(g: Graph, spec: dict[str, Any], x: str) -> tuple[list[str], str]:
    trues, falses = _cases(TRUE_TEXT), _cases(FALSE_TEXT)
    code = _encode(g, trues + falses, [1] * len(trues) + [0] * len(falses), -1, x)
    missing = g.node("Less", [code, g.constant("zero", 0, np.int64)])
    value = g.node("Cast", [code], to=g.onnx.TensorProto.DOUBLE)
    return [
        g.node("Where", [missing, g.constant("fill", spec["fill"], np.float64), value])
    ], missing


def _date(g: Graph, spec: dict[str, Any], x: str) -> tuple[list[str], str]:
    flat = g.node("Reshape", [x, g.constant("flat", [-1], np.int64)])
    missing, parts = date_parts(g, flat, spec.get("format", "iso"))
    column = g.constant("column", [-1, 1], np.int64)
    missing = g.node("Reshape", [missing, column])
    values = dict(zip(("days", "year", "month", "weekday"), parts, strict=True))
    periodic = _periodic(g, g.node("Reshape", [values["days"], column]), missing, spec)
    values["days"] = g.node(
        "Sub", [values["days"], g.constant("origin", spec["origin"], np.float64)]
    )
    outputs = [
        _standardised(g, g.node("Reshape", [values[part], column]), missing, stats)
        for part, stats in spec["parts"].items()
    ]
    return outputs + periodic, missing


def _periodic(g: Graph, days: str, missing: str, spec: dict[str, Any]) -> list[str]:
    """sin and cos of ``2 pi days / period`` for each of the spec's periods, 0 where missing."""
    zero = g.constant("zero", 0.0, np.float64)
    filled = g.node("Where", [missing, zero, days])
    outputs = []
    for period in spec.get("periods", []):
        angle = g.node("Mul", [filled, g.constant("frequency", 2.0 * np.pi / period, np.float64)])
        outputs += [g.node("Where", [missing, zero, g.node(op, [angle])]) for op in ("Sin", "Cos")]
    return outputs


def _category(g: Graph, spec: dict[str, Any], x: str) -> list[str]:
    categories = list(spec["categories"])
    missing = _missing_text(g, x)
    other = len(categories)
    index = _encode(g, categories, list(range(other)), other, x)
    instead = other + 1 if spec["missing"] else -1  # no missing column: no 1 at all
    index = g.node("Where", [missing, g.constant("missing", instead, np.int64), index])
    width = other + 1 + bool(spec["missing"])
    positions = g.constant("positions", np.arange(width)[None, :], np.int64)
    onehot = g.node("Cast", [g.node("Equal", [index, positions])], to=g.onnx.TensorProto.DOUBLE)
    outputs = [onehot]
    if spec.get("frequencies") is not None:
        values = list(spec["frequencies"])
        shares = [float(spec["frequencies"][v]) for v in values] + [0.0]  # unseen, missing: 0
        rank = _encode(g, values, list(range(len(values))), len(values), x)
        rank = g.node("Where", [missing, g.constant("absent", len(values), np.int64), rank])
        share = g.node("Gather", [g.constant("shares", shares, np.float64), rank])
        stats = spec["frequency"]
        centred = g.node("Sub", [share, g.constant("mean", stats["mean"], np.float64)])
        outputs.append(g.node("Div", [centred, g.constant("std", stats["std"], np.float64)]))
    return outputs


def add_preprocessing(g: Graph, specs: list[dict[str, Any]], dtype: np.dtype) -> str:
    """Nodes from the column inputs to the features ``(batch, n_features_out)`` in the graph's
    float type, rounded to ``dtype`` (the preprocessor's) on the way as ``transform`` rounds
    them; the inputs are named after the columns (:func:`column_inputs`)."""
    blocks: list[str] = []
    for position, spec in enumerate(specs):
        if not spec["outputs"]:
            continue
        g.scope = f"columns.{position}"
        x, kind = spec["name"], spec["kind"]
        if kind == "category":
            blocks += _category(g, spec, x)
            continue
        encoders = {"numeric": _numeric, "boolean": _boolean, "date": _date}
        if kind not in encoders:
            raise ValueError(f"column {x!r}: kind {kind!r} has no ONNX form")
        outputs, missing = encoders[kind](g, spec, x)
        blocks += outputs
        if spec["indicator"]:
            blocks.append(g.node("Cast", [missing], to=g.onnx.TensorProto.DOUBLE))
    g.scope = "columns"
    if not blocks:
        raise ValueError("the preprocessor uses no column: there is nothing to feed the network")
    joined = g.node("Concat", blocks, axis=1) if len(blocks) > 1 else blocks[0]
    limit = float(np.finfo(dtype).max)  # as TablePreprocessor.transform clips
    low, high = g.constant("low", -limit, np.float64), g.constant("high", limit, np.float64)
    clipped = g.node("Clip", [joined, low, high])
    rounded = g.node("Cast", [clipped], to=g.onnx.helper.np_dtype_to_tensor_dtype(dtype))
    return rounded if dtype == g.dtype else g.node("Cast", [rounded], to=g.elem_type)
