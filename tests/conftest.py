"""Shared helpers for the unit tests: a central-difference gradient and small data sets.

Fixtures only (no autouse): a test asks for what it uses by name.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

NumericGradient = Callable[..., np.ndarray]


def _numeric_gradient(f: Callable[[], float], x: np.ndarray, epsilon: float = 1e-6) -> np.ndarray:
    """Central differences ``(f(x + εe_i) - f(x - εe_i)) / 2ε`` for every entry of ``x``.

    ``x`` is perturbed in place (and restored), so ``f`` may read it through any reference,
    e.g. a layer's ``weight.data``.
    """
    grad = np.empty(x.shape)
    flat = x.reshape(-1)  # a view: writes reach x
    assert np.shares_memory(flat, x)
    for i in range(flat.size):
        original = flat[i]
        flat[i] = original + epsilon
        plus = f()
        flat[i] = original - epsilon
        minus = f()
        flat[i] = original
        grad.reshape(-1)[i] = (plus - minus) / (2 * epsilon)
    return grad


@pytest.fixture
def numeric_gradient() -> NumericGradient:
    """``numeric_gradient(f, x, epsilon=1e-6)``: central-difference ``∂f/∂x``, float64."""
    return _numeric_gradient


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(1234)


@pytest.fixture
def three_blobs() -> tuple[np.ndarray, np.ndarray]:
    """150 points in three well-separated 2-D clusters, labels 0..2 (float64, int64)."""
    generator = np.random.default_rng(0)
    centres = np.array([[-5.0, 0.0], [5.0, 0.0], [0.0, 6.0]])
    labels = np.repeat(np.arange(3), 50)
    X = centres[labels] + generator.normal(scale=0.8, size=(150, 2))
    return X, labels
