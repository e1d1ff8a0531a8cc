"""JSON forms of an estimator's constructor arguments and fitted attributes.

Used by :mod:`ffnn.sklearn._format`. JSON has no tuples, mappings with non-string keys,
non-finite floats or random generators, so those are tagged objects: ``{"tuple": [...]}``,
``{"mapping": [[key, value], ...]}``, ``{"float": "inf"}``, ``{"random_state": <state>}``.
Reading accepts exactly these forms and refuses anything else with a ``ValueError``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import Any

import numpy as np

from ffnn.io._rng import generator_state, new_generator

__all__ = [
    "attribute_from_json",
    "attribute_json",
    "float_from_json",
    "float_json",
    "param_from_json",
    "param_json",
]


def float_json(value: Any) -> Any:
    """A float for JSON: finite as a number, ``inf``, ``-inf`` and ``nan`` as ``{"float": ...}``."""
    value = float(value)
    return value if math.isfinite(value) else {"float": repr(value)}


def float_from_json(value: Any) -> float:
    if isinstance(value, dict) and set(value) == {"float"}:
        if value["float"] in ("inf", "-inf", "nan"):
            return float(value["float"])
    elif isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    raise ValueError(f"expected a number, got {value!r}")


def param_json(value: Any, name: str, owner: str) -> Any:
    """A constructor argument as JSON; tuples, mappings, non-finite floats and a
    ``RandomState`` as tagged objects (``{"tuple": [...]}``, ``{"mapping": [[key, value],
    ...]}``, ``{"float": "inf"}``, ``{"random_state": <state>}``)."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, np.bool_ | np.str_):
        return value.item()
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float_json(value)
    if name == "dtype" and isinstance(value, type | np.dtype):
        try:
            return np.dtype(value).name
        except TypeError:
            pass
    if isinstance(value, np.random.RandomState):
        return {"random_state": generator_state(value)["state"]}
    if isinstance(value, tuple):
        return {"tuple": [param_json(item, name, owner) for item in value]}
    if isinstance(value, list | np.ndarray):
        return [param_json(item, name, owner) for item in value]
    if isinstance(value, Mapping):
        return {
            "mapping": [
                [param_json(key, name, owner), param_json(item, name, owner)]
                for key, item in value.items()
            ]
        }
    raise TypeError(
        f"cannot save the {name!r} parameter of {owner}: it holds a {type(value).__name__}, "
        "and a model file stores only JSON values (None, bools, numbers, strings, and lists, "
        f"tuples and dicts of them) and numpy RandomState; set {name}=None before saving "
        f"(estimator.set_params({name}=None)) and set it again after loading"
    )


def param_from_json(value: Any) -> Any:
    """The inverse of :func:`param_json`; anything else is refused (``ValueError``)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list):
        return [param_from_json(item) for item in value]
    if isinstance(value, dict) and len(value) == 1:
        ((tag, body),) = value.items()
        if tag == "float":
            return float_from_json(value)
        if tag == "tuple" and isinstance(body, list):
            return tuple(param_from_json(item) for item in body)
        if tag == "mapping" and isinstance(body, list):
            pairs = [param_from_json(pair) for pair in body]
            if all(
                isinstance(pair, list)
                and len(pair) == 2
                and (pair[0] is None or isinstance(pair[0], bool | int | float | str))
                for pair in pairs
            ):
                return {key: item for key, item in pairs}
        if tag == "random_state":
            try:
                return new_generator({"kind": "RandomState", "state": body})
            except (TypeError, ValueError, KeyError, IndexError) as error:
                raise ValueError(f"invalid random_state state ({error})") from None
    raise ValueError(f"unexpected value {value!r}")


def attribute_json(value: Any, kind: str) -> Any:
    if kind.endswith("?") and value is None:
        return None
    kind = kind.rstrip("?")
    if kind == "int":
        return int(value)
    if kind == "str":
        return str(value)
    if kind == "float":
        return float_json(value)
    if kind == "floats":
        return [float_json(item) for item in value]
    return [str(item) for item in value]  # strs


def attribute_from_json(value: Any, kind: str) -> Any:
    if kind.endswith("?") and value is None:
        return None
    kind = kind.rstrip("?")
    if kind == "int":
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
        raise ValueError(f"expected an int >= 0, got {value!r}")
    if kind == "str":
        if isinstance(value, str):
            return value
        raise ValueError(f"expected a string, got {value!r}")
    if kind == "float":
        return float_from_json(value)
    if not isinstance(value, list):
        raise ValueError(f"expected a list, got {type(value).__name__}")
    if kind == "floats":
        return [float_from_json(item) for item in value]
    if not all(isinstance(item, str) for item in value):
        raise ValueError("expected a list of strings")
    return value
