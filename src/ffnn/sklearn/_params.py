"""The constructor arguments of :class:`ffnn.MLPClassifier` and :class:`ffnn.MLPRegressor`,
checked when fitting, as scikit-learn checks them.

Each failure raises :class:`InvalidParameterError` (a ``ValueError`` and a ``TypeError``, as
scikit-learn's) worded as scikit-learn words it: ``The 'alpha' parameter of MLPClassifier must
be a float in the range [0, inf). Got -1 instead.`` The accepted values are scikit-learn 1.9's,
plus ffnn's extras (``dropout``, ``callbacks``, ``dtype``, any ffnn activation, lists of them).
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ffnn import activations
from ffnn._checks import check_dtype
from ffnn.callbacks import Callback

__all__ = [
    "InvalidParameterError",
    "check_parameters",
    "hidden_activations",
    "hidden_layer_sizes",
    "invalid",
    "is_real",
]

SKLEARN_ACTIVATIONS = ("identity", "logistic", "tanh", "relu")


class InvalidParameterError(ValueError, TypeError):
    """A constructor argument with a value the estimator cannot use, found by ``fit``.

    Both a ``ValueError`` and a ``TypeError``, as scikit-learn's own, so code written for
    scikit-learn catches it the same way.
    """


def is_real(value: Any) -> bool:
    """A real number, bools excluded."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool | np.bool_)


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool | np.bool_)


def _in(low: float, high: float, closed: str) -> Callable[[Any], bool]:
    """A test for a real number in an interval; ``closed`` in left / right / both / neither."""

    def test(value: Any) -> bool:
        if not is_real(value) or np.isnan(value):
            return False
        above = value >= low if closed in ("left", "both") else value > low
        below = value <= high if closed in ("right", "both") else value < high
        return bool(above and below)

    return test


_RULES: dict[str, tuple[Callable[[Any], bool], str]] = {
    "alpha": (_in(0, np.inf, "left"), "a float in the range [0, inf)"),
    "learning_rate_init": (_in(0, np.inf, "neither"), "a float in the range (0, inf)"),
    "power_t": (_in(0, np.inf, "left"), "a float in the range [0, inf)"),
    "max_iter": (lambda v: _is_int(v) and v >= 1, "an int in the range [1, inf)"),
    "tol": (_in(0, np.inf, "left"), "a float in the range [0, inf)"),
    "momentum": (_in(0, 1, "both"), "a float in the range [0, 1]"),
    "validation_fraction": (_in(0, 1, "left"), "a float in the range [0, 1)"),
    "beta_1": (_in(0, 1, "left"), "a float in the range [0, 1)"),
    "beta_2": (_in(0, 1, "left"), "a float in the range [0, 1)"),
    "epsilon": (_in(0, np.inf, "neither"), "a float in the range (0, inf)"),
    "max_fun": (lambda v: _is_int(v) and v >= 1, "an int in the range [1, inf)"),
    "shuffle": (_is_bool, "an instance of 'bool'"),
    "warm_start": (_is_bool, "an instance of 'bool'"),
    "nesterovs_momentum": (_is_bool, "an instance of 'bool'"),
    "early_stopping": (_is_bool, "an instance of 'bool'"),
    "verbose": (lambda v: _is_bool(v) or (_is_int(v) and v >= 0), "a bool or an int >= 0"),
    "solver": (lambda v: v in ("lbfgs", "sgd", "adam"), "a str among {'adam', 'lbfgs', 'sgd'}"),
    "learning_rate": (
        lambda v: v in ("constant", "invscaling", "adaptive"),
        "a str among {'adaptive', 'constant', 'invscaling'}",
    ),
    "batch_size": (
        lambda v: v == "auto" or (_is_int(v) and v >= 1),
        "an int in the range [1, inf) or a str among {'auto'}",
    ),
    "n_iter_no_change": (
        lambda v: (_is_int(v) and v >= 1) or (is_real(v) and v == np.inf),
        "an int in the range [1, inf) or inf",
    ),
    "random_state": (
        lambda v: (
            v is None
            or isinstance(v, np.random.RandomState)
            or (_is_int(v) and 0 <= v <= 2**32 - 1)
        ),
        "an int in the range [0, 4294967295], an instance of 'numpy.random.RandomState' or None",
    ),
    "dropout": (_in(0, 1, "left"), "a float in the range [0, 1)"),
}


def invalid(estimator: Any, name: str, expected: str) -> InvalidParameterError:
    """The error for parameter ``name``: what was expected, what was received."""
    return InvalidParameterError(
        f"The {name!r} parameter of {type(estimator).__name__} must be {expected}. "
        f"Got {getattr(estimator, name)!r} instead."
    )


def hidden_layer_sizes(estimator: Any) -> list[int]:
    """``hidden_layer_sizes`` as a list: an int is one layer, ``()`` none."""
    sizes = estimator.hidden_layer_sizes
    if _is_int(sizes):
        sizes = [sizes]
    if isinstance(sizes, str) or not isinstance(sizes, Sequence | np.ndarray):
        raise invalid(
            estimator,
            "hidden_layer_sizes",
            "an int >= 1 or a sequence of ints >= 1 (one per layer)",
        )
    sizes = list(sizes)
    if not all(_is_int(s) for s in sizes):
        raise invalid(estimator, "hidden_layer_sizes", "a sequence of ints >= 1")
    if any(s <= 0 for s in sizes):
        raise ValueError(f"hidden_layer_sizes must be > 0, got {sizes}.")
    return [int(s) for s in sizes]


def _activation_ok(name: Any) -> bool:
    if not isinstance(name, str) or name.lower() == "softmax":
        return False
    try:
        activations.get(name)
    except ValueError:
        return False
    return True


def hidden_activations(estimator: Any, n_hidden: int) -> list[str]:
    """One activation name per hidden layer: ``activation`` repeated, or its list."""
    names = estimator.activation
    if isinstance(names, str):
        names = [names] * n_hidden
    elif not isinstance(names, Sequence) or len(names) != n_hidden:
        raise invalid(
            estimator,
            "activation",
            f"a str among {set(SKLEARN_ACTIVATIONS)} (or any ffnn activation name) or a "
            f"list of {n_hidden} such names, one per hidden layer",
        )
    names = list(names)
    if not all(_activation_ok(name) for name in names):
        raise invalid(
            estimator,
            "activation",
            f"a str among {set(SKLEARN_ACTIVATIONS)} or another ffnn activation name "
            "(softmax excepted), or a list of them",
        )
    return names


def check_parameters(estimator: Any) -> None:
    """Every constructor argument the two estimators share."""
    for name, (test, expected) in _RULES.items():
        if not test(getattr(estimator, name)):
            raise invalid(estimator, name, expected)
    hidden_activations(estimator, len(hidden_layer_sizes(estimator)))
    if estimator.dtype is not None:
        try:
            check_dtype(estimator.dtype)
        except (TypeError, ValueError):
            raise invalid(estimator, "dtype", "None, 'float32' or 'float64'") from None
    callbacks = estimator.callbacks
    if callbacks is not None and (
        not isinstance(callbacks, Sequence) or not all(isinstance(c, Callback) for c in callbacks)
    ):
        raise invalid(estimator, "callbacks", "None or a list of ffnn.callbacks.Callback objects")
    if estimator.dropout and estimator.solver == "lbfgs":
        raise InvalidParameterError(
            f"dropout={estimator.dropout} needs a stochastic solver ('sgd' or 'adam'); "
            "solver='lbfgs' minimises a fixed function"
        )
