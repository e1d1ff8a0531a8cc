"""The functions the activation layers are made of: sigmoid, softmax, softplus, the normal CDF,
each computed so that no finite input overflows (and softplus in ONNX operators)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ffnn._special import erfc

__all__ = ["normal_cdf", "sigmoid", "softmax", "softplus", "softplus_onnx"]

# Python floats, never np.float64 scalars: those would promote float32 arrays to float64.
_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_GELU_CUBIC = 0.044715


def sigmoid(z: np.ndarray) -> np.ndarray:
    """``σ(z) = 1 / (1 + exp(-z))``, finite for every finite ``z``.

    For ``z < -709`` (float64; ``-88`` in float32) ``exp(-z)`` overflows to ``inf`` and
    ``1 / inf = 0``, the correctly rounded answer, so the overflow is silenced rather than
    avoided.
    """
    with np.errstate(over="ignore"):
        out = np.exp(-z)
        out += 1
        np.reciprocal(out, out=out)
    return out


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise ``softmax(z)_k = exp(z_k - max z) / Σ_j exp(z_j - max z)``; ``(batch, K)``.

    Subtracting the row maximum changes nothing mathematically and keeps every ``exp`` in
    ``(0, 1]``: no overflow, and the sum is at least 1.
    """
    shifted = z - z.max(axis=1, keepdims=True)  # (batch, K), each row's max is 0
    np.exp(shifted, out=shifted)
    shifted /= shifted.sum(axis=1, keepdims=True)
    return shifted


def normal_cdf(x: np.ndarray) -> np.ndarray:
    """``Φ(x) = ½ erfc(-x / √2)``; the same as ``½ (1 + erf(x / √2))`` but accurate to full
    relative precision in the left tail, where ``1 + erf`` cancels."""
    out = erfc(x * -_SQRT_HALF)  # float64 (NumPy's own; the core imports no SciPy)
    out *= 0.5
    return out.astype(x.dtype, copy=False)


def softplus(x: np.ndarray) -> np.ndarray:
    """``log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|))``: ``exp`` never overflows."""
    out = np.exp(-np.abs(x))  # in (0, 1]
    np.log1p(out, out=out)
    out += np.maximum(x, 0)
    return out


def softplus_onnx(graph: Any, x: str) -> str:
    """``max(x, 0) + log(1 + exp(-|x|))`` in ONNX operators: onnxruntime has no float64
    ``Softplus``."""
    exp = graph.node("Exp", [graph.node("Neg", [graph.node("Abs", [x])])])
    log = graph.node("Log", [graph.node("Add", [exp, graph.constant("one", 1)])])
    return str(graph.node("Add", [graph.node("Relu", [x]), log]))
