"""Input checks shared by the public entry points: one place that says what was expected.

Every check raises ``TypeError`` (wrong kind of thing) or ``ValueError`` (right kind, wrong
value) with the argument's name, what was expected and what was received.
"""

from __future__ import annotations

import math
import numbers
import os
import sys
from typing import Any, TypeAlias

import numpy as np

RandomState: TypeAlias = "int | np.random.Generator | np.random.RandomState | None"
Generator: TypeAlias = "np.random.Generator | np.random.RandomState"

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def check_random_state(random_state: Any) -> np.random.Generator | np.random.RandomState:
    """Turn ``random_state`` into a generator.

    ``None`` gives a fresh unseeded ``np.random.Generator``; an int seeds
    ``np.random.default_rng``; a ``Generator`` or a legacy ``RandomState`` (the tutorial's
    stream) is used as it is, so its draws continue where they are.
    """
    if random_state is None or (
        isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool)
    ):
        if random_state is not None and int(random_state) < 0:
            raise ValueError(f"random_state must be a non-negative int, got {random_state}")
        return np.random.default_rng(None if random_state is None else int(random_state))
    if isinstance(random_state, np.random.Generator | np.random.RandomState):
        return random_state
    raise TypeError(
        "random_state must be None, an int, a numpy.random.Generator or a "
        f"numpy.random.RandomState, got {type(random_state).__name__} {random_state!r:.60}"
    )


def check_dtype(dtype: Any) -> np.dtype:
    """A floating dtype the models compute in: float32 or float64."""
    try:
        resolved = np.dtype(dtype)
    except TypeError as error:
        raise TypeError(f"dtype must be float32 or float64, got {dtype!r}") from error
    if resolved not in FLOAT_DTYPES:
        raise ValueError(f"dtype must be float32 or float64, got {resolved}")
    return resolved


def check_positive_int(value: Any, name: str) -> int:
    """An int >= 1 (bools refused)."""
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise TypeError(f"{name} must be a positive int, got {type(value).__name__} {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be a positive int, got {value}")
    return int(value)


def check_positive_float(value: Any, name: str) -> float:
    """A finite real number > 0."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise TypeError(f"{name} must be a positive number, got {type(value).__name__} {value!r}")
    if not math.isfinite(float(value)) or value <= 0:
        raise ValueError(f"{name} must be a positive finite number, got {value}")
    return float(value)


def check_bool(value: Any, name: str) -> bool:
    """``True`` or ``False`` (NumPy bools too); anything else, even 0 or "yes", is refused."""
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__} {value!r}")
    return bool(value)


def check_non_negative_int(value: Any, name: str) -> int:
    """An int >= 0 (bools refused)."""
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int >= 0, got {type(value).__name__} {value!r}")
    if value < 0:
        raise ValueError(f"{name} must be an int >= 0, got {value}")
    return int(value)


def check_non_negative_float(value: Any, name: str) -> float:
    """A finite real number >= 0 (bools refused)."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise TypeError(
            f"{name} must be a finite number >= 0, got {type(value).__name__} {value!r}"
        )
    if not (math.isfinite(float(value)) and float(value) >= 0):
        raise ValueError(f"{name} must be a finite number >= 0, got {value}")
    return float(value)


def check_finite_float(value: Any, name: str) -> float:
    """A finite real number (bools refused)."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise TypeError(f"{name} must be a finite number, got {type(value).__name__} {value!r}")
    if not math.isfinite(float(value)):
        raise ValueError(f"{name} must be a finite number, got {value}")
    return float(value)


def check_fraction(value: Any, name: str, *, closed: bool = False) -> float:
    """A real number in ``[0, 1)``, or in ``[0, 1]`` when ``closed`` (bools refused)."""
    interval = "[0, 1]" if closed else "[0, 1)"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{name} must be a number in {interval}, got {type(value).__name__} {value!r:.60}"
        )
    number = float(value)
    if not (0 <= number <= 1 if closed else 0 <= number < 1):
        raise ValueError(f"{name} must be a number in {interval}, got {value}")
    return number


def check_optional_positive_float(value: Any, name: str) -> float | None:
    """``None``, or a finite real number > 0."""
    return None if value is None else check_positive_float(value, name)


def check_path(path: Any, name: str = "path") -> str:
    """A file system path: a ``str`` or an ``os.PathLike`` giving one."""
    try:
        resolved = os.fspath(path)
    except TypeError:
        resolved = None
    if not isinstance(resolved, str):
        raise TypeError(
            f"{name} must be a str or an os.PathLike path, got {type(path).__name__} {path!r}"
        )
    return resolved


def describe(value: Any, array: np.ndarray) -> str:
    """What a non-numeric ``value`` (made into ``array``) is, for an error message."""
    if array.ndim == 0:
        return f"{type(value).__name__} {value!r:.60}"
    hint = " (strings or mixed objects?)" if array.dtype.kind in "OUS" else ""
    return f"an array of dtype {array.dtype}{hint}"


def check_array(X: Any, name: str = "X", *, dtype: Any = None, ndim: int = 2) -> np.ndarray:
    """A finite, non-empty numeric array with ``ndim`` dimensions, cast to ``dtype`` if given.

    No copy is made when ``X`` already is an array of that dtype. A pandas DataFrame or any
    array-like is accepted; strings, objects, complex numbers and ragged nested lists are
    refused, and so are finite values too large for ``dtype`` (1e300 in float32).
    """
    if hasattr(X, "to_numpy") and not isinstance(X, np.ndarray):
        X = X.to_numpy()
    try:
        array = np.asarray(X)
    except ValueError as error:  # rows of different lengths
        raise ValueError(
            f"{name} must be a rectangular array (n_samples, n_features), got a nested sequence "
            f"NumPy cannot make one of ({error})"
        ) from None
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers, got {describe(X, array)}")
    if array.ndim != ndim:
        shape = "(n_samples, n_features)" if ndim == 2 else f"{ndim} dimensions"
        raise ValueError(
            f"{name} must be a {ndim}-D array {shape}, got {array.ndim}-D with shape {array.shape}"
            + (
                "; reshape a single feature with X.reshape(-1, 1)"
                if ndim == 2 and array.ndim == 1
                else ""
            )
        )
    if array.size == 0:
        needed = "sample" if array.shape[0] == 0 else "feature"
        raise ValueError(f"{name} is empty: shape {array.shape}, at least one {needed} is needed")
    original = array
    if dtype is not None:
        with np.errstate(over="ignore"):  # reported below: finite values too large for dtype
            array = array.astype(dtype, copy=False)
    if array.dtype.kind == "f" and not _all_finite(array):
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0])
        if original.dtype.kind == "f" and not np.isfinite(original[bad]):
            raise ValueError(
                f"{name} contains NaN or infinity (first at index {bad}): got {original[bad]}; "
                "remove or impute those values"
            )
        raise ValueError(
            f"{name} holds values too large for {array.dtype} (first at index {bad}): got "
            f"{original[bad]}; scale the inputs (e.g. to zero mean and unit variance)"
        )
    return array


def _all_finite(array: np.ndarray) -> bool:
    """Whether every entry is finite, without a boolean array the size of the data: a sum
    is finite exactly when no entry is NaN or infinite, unless it overflows, and only then is
    the entry-by-entry test needed."""
    with np.errstate(over="ignore", invalid="ignore"):
        total = np.add.reduce(array, axis=None)
    return bool(np.isfinite(total)) or bool(np.isfinite(array).all())


def check_n_features(X: np.ndarray, n_features: int, name: str = "X") -> None:
    """The feature count a model was built for."""
    if X.shape[1] != n_features:
        raise ValueError(f"{name} has {X.shape[1]} features, but the model expects {n_features}")


def check_same_length(X: np.ndarray, y: np.ndarray, x_name: str = "X", y_name: str = "y") -> None:
    """Inputs and targets describe the same samples."""
    if X.shape[0] != y.shape[0]:
        raise ValueError(
            f"{x_name} and {y_name} must have the same number of samples, got "
            f"{X.shape[0]} and {y.shape[0]}"
        )


def user_stacklevel() -> int:
    """The ``stacklevel`` for ``warnings.warn`` that points at the first caller outside ffnn
    (however many of ffnn's own frames lie between it and the warning)."""
    package = os.path.dirname(os.path.abspath(__file__)) + os.sep
    frame = sys._getframe(1)  # the function about to warn: stacklevel 1
    level = 1
    while frame.f_back is not None and frame.f_code.co_filename.startswith(package):
        frame = frame.f_back
        level += 1
    return level
