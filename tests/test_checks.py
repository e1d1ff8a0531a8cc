"""Tests for ffnn._checks: every input check names the argument, what was expected and what
was received; the public entry points pass that on."""

from __future__ import annotations

import numpy as np
import pytest

from ffnn._checks import (
    check_array,
    check_dtype,
    check_fraction,
    check_n_features,
    check_optional_positive_float,
    check_positive_float,
    check_positive_int,
    check_random_state,
    check_same_length,
)
from ffnn.layers import Dense
from ffnn.losses import BinaryCrossEntropy
from ffnn.model import Sequential


# -- check_array ---------------------------------------------------------------------------------
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_check_array_rejects_nan_and_infinity_naming_the_argument_and_the_index(bad) -> None:
    X = np.ones((3, 2))
    X[2, 1] = bad
    with pytest.raises(ValueError, match=r"X_train contains NaN or infinity \(first at index"):
        check_array(X, "X_train")
    with pytest.raises(ValueError, match=r"index \(2, 1\)"):
        check_array(X, "X_train")


@pytest.mark.parametrize("bad", [[["a", "b"]], [["1.0", "2.0"]], [[None, 1.0]], [[1 + 2j, 0]]])
def test_check_array_rejects_strings_objects_and_complex_with_type_error(bad) -> None:
    with pytest.raises(TypeError, match="X must hold real numbers, got an array of dtype"):
        check_array(bad)


def test_check_array_hints_at_strings_for_text_and_objects() -> None:
    with pytest.raises(TypeError, match="strings or mixed objects"):
        check_array([["a", "b"]])


def test_check_array_rejects_1d_input_and_suggests_reshape() -> None:
    with pytest.raises(ValueError, match=r"X must be a 2-D array.*got 1-D.*reshape\(-1, 1\)"):
        check_array([1.0, 2.0, 3.0])


def test_check_array_rejects_3d_input() -> None:
    with pytest.raises(ValueError, match="got 3-D with shape"):
        check_array(np.zeros((2, 2, 2)))


def test_check_array_can_require_another_number_of_dimensions() -> None:
    assert check_array([1.0, 2.0], "y", ndim=1).shape == (2,)
    with pytest.raises(ValueError, match="y must be a 1-D array"):
        check_array([[1.0]], "y", ndim=1)


@pytest.mark.parametrize(("shape", "needed"), [((0, 2), "sample"), ((3, 0), "feature")])
def test_check_array_rejects_empty_input_saying_what_is_missing(shape, needed: str) -> None:
    with pytest.raises(ValueError, match=rf"X is empty: shape.*at least one {needed}"):
        check_array(np.zeros(shape))


def test_check_array_casts_to_the_dtype_without_copying_when_it_already_matches() -> None:
    X = np.ones((2, 2), dtype=np.float32)
    assert check_array(X, dtype=np.float32) is X
    cast = check_array([[1, 2]], dtype=np.float64)
    assert cast.dtype == np.float64
    np.testing.assert_array_equal(cast, [[1.0, 2.0]])


def test_check_array_accepts_bools_ints_and_objects_with_to_numpy() -> None:
    class Frame:  # the part of a pandas DataFrame that check_array uses
        def to_numpy(self) -> np.ndarray:
            return np.array([[1.0, 2.0], [3.0, 4.0]])

    np.testing.assert_array_equal(check_array(Frame()), [[1.0, 2.0], [3.0, 4.0]])
    assert check_array([[True, False]]).dtype == bool
    assert check_array([[1, 2]]).dtype.kind == "i"


# -- scalars -----------------------------------------------------------------------------------
def test_check_positive_int_accepts_ints_and_numpy_ints() -> None:
    assert check_positive_int(3, "epochs") == 3
    assert check_positive_int(np.int64(4), "epochs") == 4


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        (0, ValueError, "epochs must be a positive int, got 0"),
        (-2, ValueError, "got -2"),
        (2.0, TypeError, "epochs must be a positive int, got float 2.0"),
        (True, TypeError, "got bool True"),
        ("3", TypeError, "got str '3'"),
    ],
)
def test_check_positive_int_rejects_with_the_value_received(value, error, message: str) -> None:
    with pytest.raises(error, match=message):
        check_positive_int(value, "epochs")


@pytest.mark.parametrize(
    ("value", "error"),
    [(0.0, ValueError), (-1.0, ValueError), (np.nan, ValueError), (np.inf, ValueError)]
    + [("1", TypeError), (None, TypeError), (False, TypeError)],
)
def test_check_positive_float_rejects_non_positive_non_finite_and_non_numbers(value, error) -> None:
    with pytest.raises(error, match="lr must be a positive"):
        check_positive_float(value, "lr")


def test_check_positive_float_returns_a_python_float() -> None:
    value = check_positive_float(np.float32(0.25), "lr")
    assert value == 0.25 and type(value) is float


# -- dtype and random_state ----------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float32, "float32", np.dtype("float64"), float])
def test_check_dtype_accepts_float32_and_float64_spellings(dtype) -> None:
    assert check_dtype(dtype) in (np.dtype(np.float32), np.dtype(np.float64))


@pytest.mark.parametrize(
    ("dtype", "error"), [(np.int64, ValueError), ("float16", ValueError), ("nonsense", TypeError)]
)
def test_check_dtype_rejects_other_dtypes(dtype, error) -> None:
    with pytest.raises(error, match="dtype must be float32 or float64"):
        check_dtype(dtype)


def test_check_random_state_seeds_default_rng_from_an_int() -> None:
    a, b = check_random_state(3), check_random_state(np.int64(3))
    assert isinstance(a, np.random.Generator)
    assert a.standard_normal() == b.standard_normal() == np.random.default_rng(3).standard_normal()


def test_check_random_state_passes_generators_through() -> None:
    generator, legacy = np.random.default_rng(0), np.random.RandomState(0)
    assert check_random_state(generator) is generator
    assert check_random_state(legacy) is legacy
    assert isinstance(check_random_state(None), np.random.Generator)


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [(-1, ValueError, "non-negative int, got -1"), (True, TypeError, "got bool")]
    + [("42", TypeError, "got str"), (1.5, TypeError, "got float")],
)
def test_check_random_state_rejects_other_values(value, error, message: str) -> None:
    with pytest.raises(error, match=message):
        check_random_state(value)


# -- shapes ------------------------------------------------------------------------------------
def test_check_n_features_and_same_length_say_both_numbers() -> None:
    check_n_features(np.zeros((2, 3)), 3)
    with pytest.raises(ValueError, match="X_test has 3 features, but the model expects 4"):
        check_n_features(np.zeros((2, 3)), 4, "X_test")
    check_same_length(np.zeros((2, 3)), np.zeros(2))
    with pytest.raises(
        ValueError, match="X and y must have the same number of samples, got 2 and 5"
    ):
        check_same_length(np.zeros((2, 3)), np.zeros(5))


# -- through the public entry points ----------------------------------------------------------
@pytest.mark.parametrize(
    ("X", "error", "message"),
    [
        ([[1.0, np.nan]], ValueError, "X contains NaN"),
        ([["a", "b"]], TypeError, "X must hold real numbers"),
        ([1.0, 2.0], ValueError, "X must be a 2-D array"),
        (np.zeros((0, 2)), ValueError, "X is empty"),
    ],
)
def test_fit_and_predict_report_bad_inputs_by_name(X, error, message: str) -> None:
    model = Sequential([Dense(2, 1)], random_state=0)
    with pytest.raises(error, match=message):
        model.fit(X, [0], loss="bce")
    model.loss = BinaryCrossEntropy()
    with pytest.raises(error, match=message):
        model.predict(X)


def test_fit_reports_nan_targets() -> None:
    model = Sequential([Dense(2, 1)], random_state=0)
    with pytest.raises(ValueError, match="y contains NaN"):
        model.fit(np.zeros((2, 2)), [0.0, np.nan], loss="mse")


@pytest.mark.parametrize(
    ("value", "closed", "error", "match"),
    [
        (1.0, False, ValueError, r"rate must be a number in \[0, 1\), got 1.0"),
        (1.5, True, ValueError, r"rate must be a number in \[0, 1\], got 1.5"),
        (-0.1, True, ValueError, r"rate must be a number in \[0, 1\], got -0.1"),
        (float("nan"), False, ValueError, r"rate must be a number in \[0, 1\), got nan"),
        (True, False, TypeError, r"rate must be a number in \[0, 1\), got bool True"),
        ("0.5", True, TypeError, r"rate must be a number in \[0, 1\], got str '0.5'"),
    ],
)
def test_check_fraction_names_the_interval_and_the_value(value, closed, error, match) -> None:
    with pytest.raises(error, match=match):
        check_fraction(value, "rate", closed=closed)


def test_check_fraction_accepts_the_ends_it_includes() -> None:
    assert check_fraction(0, "rate") == 0.0 and isinstance(check_fraction(0, "rate"), float)
    assert check_fraction(1, "momentum", closed=True) == 1.0
    assert check_fraction(np.float32(0.25), "rate") == 0.25


def test_check_optional_positive_float_lets_none_through_only() -> None:
    assert check_optional_positive_float(None, "clip_norm") is None
    assert check_optional_positive_float(2, "clip_norm") == 2.0
    with pytest.raises(ValueError, match="clip_norm must be a positive finite number, got 0"):
        check_optional_positive_float(0, "clip_norm")
