"""L1/L2 penalties: values and gradients by hand and by finite differences."""

from __future__ import annotations

import numpy as np
import pytest

from ffnn import regularizers
from ffnn.regularizers import L1, L1L2, L2


def test_penalties_are_keras_forms() -> None:
    W = np.array([[1.0, -2.0], [0.5, 0.0]])
    assert L1(0.1).penalty(W) == pytest.approx(0.1 * 3.5)
    assert L2(0.1).penalty(W) == pytest.approx(0.1 * 5.25)
    assert L1L2(l1=0.1, l2=0.2).penalty(W) == pytest.approx(0.35 + 1.05)


def test_gradients_match_finite_differences_away_from_zero() -> None:
    rng = np.random.default_rng(0)
    W = rng.normal(size=(3, 4))
    W[np.abs(W) < 1e-3] = 0.5  # keep L1 away from its kink
    reg = L1L2(l1=0.03, l2=0.7)
    numeric = np.zeros_like(W)
    h = 1e-6
    for index in np.ndindex(W.shape):
        plus, minus = W.copy(), W.copy()
        plus[index] += h
        minus[index] -= h
        numeric[index] = (reg.penalty(plus) - reg.penalty(minus)) / (2 * h)
    np.testing.assert_allclose(reg.gradient(W), numeric, rtol=1e-7, atol=1e-9)


def test_l1_gradient_at_zero_is_zero_and_dtype_is_kept() -> None:
    W = np.zeros((2, 2), dtype=np.float32)
    grad = L1L2(l1=1.0, l2=1.0).gradient(W)
    assert grad.dtype == np.float32 and not grad.any()


@pytest.mark.parametrize(
    ("value", "error"),
    [(-0.1, ValueError), (float("nan"), ValueError), ("0.1", TypeError), (True, TypeError)],
)
def test_strengths_are_validated(value, error) -> None:
    with pytest.raises(error, match=r"l2 must be a finite number >= 0, got "):
        L2(value)


def test_get_accepts_names_instances_and_none() -> None:
    assert regularizers.get(None) is None
    reg = L2(0.5)
    assert regularizers.get(reg) is reg
    assert isinstance(regularizers.get("l1"), L1)
    with pytest.raises(ValueError, match="unknown regularizer 'l3'"):
        regularizers.get("l3")
