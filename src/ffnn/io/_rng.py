"""Random generators in a model file: their state as JSON, and back.

A checkpoint stores the model's generator (shuffling, dropout masks) so that resumed training
draws the same numbers an uninterrupted run would. ``np.random.Generator`` states are dicts of
integers; the legacy ``RandomState`` state holds a ``uint32`` array, written as the tagged list
``{"__array__": [...], "dtype": "<u4"}``. Only the bit generators NumPy ships are rebuilt, and
only unsigned-integer arrays are read back.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["generator_state", "new_generator", "set_generator_state"]

_BIT_GENERATORS = ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")


def _plain(value: Any) -> Any:
    """A generator state with its arrays as tagged lists, for JSON."""
    if isinstance(value, np.ndarray):
        return {"__array__": value.tolist(), "dtype": value.dtype.str}
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    if isinstance(value, np.integer | np.floating):
        return value.item()
    return value


def _unplain(value: Any) -> Any:
    """The inverse of :func:`_plain`; only unsigned-integer arrays are rebuilt."""
    if isinstance(value, dict) and "__array__" in value:
        if value.get("dtype") not in ("<u4", "<u8"):
            raise ValueError(f"unexpected array in a generator state: {value.get('dtype')!r}")
        return np.asarray(value["__array__"], dtype=value["dtype"])
    if isinstance(value, dict):
        return {key: _unplain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_unplain(item) for item in value]
    return value


def generator_state(rng: np.random.Generator | np.random.RandomState) -> dict[str, Any]:
    """``{"kind": "Generator" | "RandomState", "state": <JSON>}`` for ``rng``."""
    if isinstance(rng, np.random.Generator):
        return {"kind": "Generator", "state": _plain(rng.bit_generator.state)}
    return {"kind": "RandomState", "state": _plain(list(rng.get_state()))}


#: What NumPy's state setters raise on a state of the wrong form (its own checks).
_STATE_ERRORS = (TypeError, ValueError, KeyError, IndexError, OverflowError)


def new_generator(spec: Any) -> Any:
    """A generator of the saved kind, in the saved state (``None``: the seed ``0``); a state
    NumPy refuses is a ``ValueError``."""
    if spec is None:
        return 0
    try:
        return _new_generator(spec)
    except _STATE_ERRORS as error:
        message = error.args[0] if isinstance(error, KeyError) and error.args else error
        raise ValueError(f"invalid random generator state ({message})") from None


def _new_generator(spec: Any) -> Any:
    if not isinstance(spec, dict):
        raise ValueError(f"a generator state must be a JSON object, got {type(spec).__name__}")
    kind, state = spec.get("kind"), _unplain(spec.get("state"))
    if kind == "RandomState":
        if not isinstance(state, list):
            raise ValueError(f"a RandomState state is a list, got {type(state).__name__}")
        rng = np.random.RandomState()  # noqa: NPY002
        rng.set_state(tuple(state))
        return rng
    name = state.get("bit_generator") if isinstance(state, dict) else None
    if kind != "Generator" or name not in _BIT_GENERATORS:
        raise ValueError(f"unknown random generator {kind!r} / {name!r}")
    generator = np.random.Generator(getattr(np.random, name)())
    generator.bit_generator.state = state
    return generator


def set_generator_state(rng: Any, spec: dict[str, Any]) -> None:
    """Put ``rng`` back into the state :func:`generator_state` wrote."""
    state = _unplain(spec["state"])
    if isinstance(rng, np.random.Generator):
        rng.bit_generator.state = state
    else:
        rng.set_state(tuple(state))
