"""Initial values for weights and biases.

Every initializer is called as ``initializer(shape, rng, dtype)``. Weights are ``(n_in, n_out)``,
so ``fan_in = shape[0]`` and ``fan_out = shape[1]``. Values are drawn in float64 from the
generator passed in (a ``np.random.Generator`` or a legacy ``np.random.RandomState``; never the
global ``np.random``) and then cast, so a float32 and a float64 model with the same seed start
from the same numbers (rounded).

``initializer.get_config()`` is a JSON-serialisable dict such as ``{"name": "he_normal"}`` or
``{"name": "tutorial", "scale": 0.01}``, and :func:`get` turns it back into an initializer.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ffnn._checks import Generator, check_positive_float
from ffnn._registry import Registry

__all__ = [
    "Initializer",
    "TutorialNormal",
    "Zeros",
    "Ones",
    "GlorotUniform",
    "GlorotNormal",
    "HeUniform",
    "HeNormal",
    "get",
]


def _fans(shape: tuple[int, ...], name: str) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight shape ``(n_in, n_out)``."""
    if len(shape) != 2:
        raise ValueError(
            f"{name} computes its scale from the fans of a weight shape (n_in, n_out), got "
            f"shape {tuple(shape)}; initialise 1-D biases with 'zeros' or 'ones'"
        )
    return shape[0], shape[1]


#: Every initializer by short name and class name.
INITIALIZERS: Registry[type[Initializer]] = Registry("initializer")


class Initializer:
    """Base class: ``__call__(shape, rng, dtype) -> array`` of that shape and dtype."""

    #: The name :func:`get` knows this initializer by (the key of its config).
    name = ""

    def __call__(self, shape: tuple[int, ...], rng: Generator, dtype: Any) -> np.ndarray:
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        """``{"name": ...}`` plus the constructor arguments; ``get(config)`` rebuilds it."""
        return {"name": self.name}

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


@INITIALIZERS.register("tutorial")
class TutorialNormal(Initializer):
    """The tutorial's ``randn(n_in, n_out) * 0.01``: a normal with standard deviation ``scale``.

    With a ``np.random.RandomState(42)`` generator, layers initialised in order draw exactly the
    tutorial's ``W1`` and ``W2``.
    """

    name = "tutorial"

    def __init__(self, scale: float = 0.01) -> None:
        self.scale = check_positive_float(scale, "scale")

    def __call__(self, shape: tuple[int, ...], rng: Generator, dtype: Any) -> np.ndarray:
        return (rng.standard_normal(shape) * self.scale).astype(dtype, copy=False)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "scale": self.scale}

    def __repr__(self) -> str:
        return f"TutorialNormal(scale={self.scale})"


@INITIALIZERS.register("zeros")
class Zeros(Initializer):
    """All zeros (the default for biases and for a normalisation layer's shift β)."""

    name = "zeros"

    def __call__(self, shape: tuple[int, ...], rng: Generator, dtype: Any) -> np.ndarray:
        return np.zeros(shape, dtype=dtype)


@INITIALIZERS.register("ones")
class Ones(Initializer):
    """All ones (a normalisation layer's scale γ starts at 1, so it begins as plain ``x̂``)."""

    name = "ones"

    def __call__(self, shape: tuple[int, ...], rng: Generator, dtype: Any) -> np.ndarray:
        return np.ones(shape, dtype=dtype)


@INITIALIZERS.register("glorot_uniform", "xavier_uniform")
class GlorotUniform(Initializer):
    """Glorot & Bengio (2010): ``U(-a, a)`` with ``a = sqrt(6 / (fan_in + fan_out))``.

    Keeps the variance of activations and gradients roughly constant through tanh and sigmoid
    layers.
    """

    name = "glorot_uniform"

    def __call__(self, shape: tuple[int, ...], rng: Generator, dtype: Any) -> np.ndarray:
        fan_in, fan_out = _fans(shape, self.name)
        limit = math.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-limit, limit, size=shape).astype(dtype, copy=False)


@INITIALIZERS.register("glorot_normal", "xavier_normal")
class GlorotNormal(Initializer):
    """Glorot & Bengio (2010): ``N(0, σ²)`` with ``σ = sqrt(2 / (fan_in + fan_out))``."""

    name = "glorot_normal"

    def __call__(self, shape: tuple[int, ...], rng: Generator, dtype: Any) -> np.ndarray:
        fan_in, fan_out = _fans(shape, self.name)
        std = math.sqrt(2.0 / (fan_in + fan_out))
        return (rng.standard_normal(shape) * std).astype(dtype, copy=False)


@INITIALIZERS.register("he_uniform", "kaiming_uniform")
class HeUniform(Initializer):
    """He et al. (2015): ``U(-a, a)`` with ``a = sqrt(6 / fan_in)``, for ReLU-like layers."""

    name = "he_uniform"

    def __call__(self, shape: tuple[int, ...], rng: Generator, dtype: Any) -> np.ndarray:
        fan_in, _ = _fans(shape, self.name)
        limit = math.sqrt(6.0 / fan_in)
        return rng.uniform(-limit, limit, size=shape).astype(dtype, copy=False)


@INITIALIZERS.register("he_normal", "kaiming_normal")
class HeNormal(Initializer):
    """He et al. (2015): ``N(0, σ²)`` with ``σ = sqrt(2 / fan_in)``, for ReLU-like layers.

    A plain (untruncated) normal, as ``torch.nn.init.kaiming_normal_``.
    """

    name = "he_normal"

    def __call__(self, shape: tuple[int, ...], rng: Generator, dtype: Any) -> np.ndarray:
        fan_in, _ = _fans(shape, self.name)
        std = math.sqrt(2.0 / fan_in)
        return (rng.standard_normal(shape) * std).astype(dtype, copy=False)


def get(identifier: str | dict[str, Any] | Initializer) -> Initializer:
    """An initializer from its name (``"he_normal"``, ``"glorot_uniform"``, ``"tutorial"``, ...),
    its config dict (``{"name": "tutorial", "scale": 0.1}``) or the instance itself."""
    if isinstance(identifier, Initializer):
        return identifier
    if isinstance(identifier, dict):
        arguments = dict(identifier)
        name = arguments.pop("name", None)
        if not isinstance(name, str) or INITIALIZERS.find(name) is None:
            raise ValueError(
                f"unknown initializer config {identifier!r}; expected a dict whose 'name' is one "
                f"of {INITIALIZERS.names()}"
            )
        try:
            return INITIALIZERS.lookup(name)(**arguments)
        except TypeError as error:
            raise TypeError(f"bad arguments for initializer {name!r}: {error}") from error
    cls = INITIALIZERS.find(identifier)
    if cls is not None:
        return cls()
    raise ValueError(
        f"unknown initializer {identifier!r}; expected an Initializer or one of "
        f"{INITIALIZERS.names()}"
    )
