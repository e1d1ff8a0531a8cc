"""Initial values for weights and biases.

Every initializer is called as ``initializer(shape, rng, dtype)``. Weights are ``(n_in, n_out)``,
so ``fan_in = shape[0]`` and ``fan_out = shape[1]``. Values are drawn in float64 from the
model's generator and then cast, so a float32 and a float64 model with the same seed start
from the same numbers (rounded).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ffnn._checks import Generator

__all__ = [
    "Initializer",
    "TutorialNormal",
    "Zeros",
    "GlorotUniform",
    "GlorotNormal",
    "HeUniform",
    "HeNormal",
    "get",
]


def _fans(shape: tuple[int, ...]) -> tuple[int, int]:
    if len(shape) != 2:
        raise ValueError(f"expected a weight shape (n_in, n_out), got {shape}")
    return shape[0], shape[1]


class Initializer:
    """Base class: ``__call__(shape, rng, dtype) -> array`` of that shape and dtype."""

    def __call__(self, shape: tuple[int, ...], rng: Generator, dtype: Any) -> np.ndarray:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class TutorialNormal(Initializer):
    """The tutorial's ``randn(n_in, n_out) * 0.01``: a normal with standard deviation ``scale``.

    With a ``np.random.RandomState(42)`` generator, layers initialised in order draw exactly the
    tutorial's ``W1`` and ``W2``.
    """

    def __init__(self, scale: float = 0.01) -> None:
        self.scale = scale

    def __call__(self, shape: tuple[int, ...], rng: Generator, dtype: Any) -> np.ndarray:
        return (rng.standard_normal(shape) * self.scale).astype(dtype, copy=False)

    def __repr__(self) -> str:
        return f"TutorialNormal(scale={self.scale})"


class Zeros(Initializer):
    """All zeros (the default for biases)."""

    def __call__(self, shape: tuple[int, ...], rng: Generator, dtype: Any) -> np.ndarray:
        return np.zeros(shape, dtype=dtype)


class GlorotUniform(Initializer):
    """Glorot & Bengio (2010): ``U(-a, a)`` with ``a = sqrt(6 / (fan_in + fan_out))``.

    Keeps the variance of activations and gradients roughly constant through tanh and sigmoid
    layers.
    """

    def __call__(self, shape: tuple[int, ...], rng: Generator, dtype: Any) -> np.ndarray:
        fan_in, fan_out = _fans(shape)
        limit = math.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-limit, limit, size=shape).astype(dtype, copy=False)


class GlorotNormal(Initializer):
    """Glorot & Bengio (2010): ``N(0, σ²)`` with ``σ = sqrt(2 / (fan_in + fan_out))``."""

    def __call__(self, shape: tuple[int, ...], rng: Generator, dtype: Any) -> np.ndarray:
        fan_in, fan_out = _fans(shape)
        std = math.sqrt(2.0 / (fan_in + fan_out))
        return (rng.standard_normal(shape) * std).astype(dtype, copy=False)


class HeUniform(Initializer):
    """He et al. (2015): ``U(-a, a)`` with ``a = sqrt(6 / fan_in)``, for ReLU-like layers."""

    def __call__(self, shape: tuple[int, ...], rng: Generator, dtype: Any) -> np.ndarray:
        fan_in, _ = _fans(shape)
        limit = math.sqrt(6.0 / fan_in)
        return rng.uniform(-limit, limit, size=shape).astype(dtype, copy=False)


class HeNormal(Initializer):
    """He et al. (2015): ``N(0, σ²)`` with ``σ = sqrt(2 / fan_in)``, for ReLU-like layers.

    A plain (untruncated) normal, as ``torch.nn.init.kaiming_normal_``.
    """

    def __call__(self, shape: tuple[int, ...], rng: Generator, dtype: Any) -> np.ndarray:
        fan_in, _ = _fans(shape)
        std = math.sqrt(2.0 / fan_in)
        return (rng.standard_normal(shape) * std).astype(dtype, copy=False)


_BY_NAME: dict[str, type[Initializer]] = {
    "tutorial": TutorialNormal,
    "zeros": Zeros,
    "glorot_uniform": GlorotUniform,
    "xavier_uniform": GlorotUniform,
    "glorot_normal": GlorotNormal,
    "xavier_normal": GlorotNormal,
    "he_uniform": HeUniform,
    "kaiming_uniform": HeUniform,
    "he_normal": HeNormal,
    "kaiming_normal": HeNormal,
}


def get(identifier: str | Initializer) -> Initializer:
    """An initializer from its name (``"he_normal"``, ``"glorot_uniform"``, ``"tutorial"``, ...)
    or the instance itself."""
    if isinstance(identifier, Initializer):
        return identifier
    if isinstance(identifier, str) and identifier.lower() in _BY_NAME:
        return _BY_NAME[identifier.lower()]()
    raise ValueError(
        f"unknown initializer {identifier!r}; expected an Initializer or one of {sorted(_BY_NAME)}"
    )
