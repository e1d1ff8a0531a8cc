"""Smooth self-gated activations: GELU, SiLU (swish), Softplus, Mish."""

from __future__ import annotations

from typing import Any

import numpy as np

from ffnn.activations._base import _Activation, register_activation
from ffnn.activations._functions import (
    _GELU_CUBIC,
    _INV_SQRT_2PI,
    _SQRT_2_OVER_PI,
    _SQRT_HALF,
    normal_cdf,
    sigmoid,
    softplus,
    softplus_onnx,
)

__all__ = ["GELU", "Mish", "SiLU", "Softplus"]


@register_activation("gelu")
class GELU(_Activation):
    """Gaussian error linear unit (Hendrycks & Gimpel, 2016): ``y = x Φ(x)``, ``Φ`` the
    standard normal CDF.

    ``approximate="none"``: ``Φ(x) = ½ erfc(-x/√2)``, ``y' = Φ(x) + x φ(x)`` with the normal
    density ``φ(x) = exp(-x²/2) / √(2π)``. Uses ``scipy.special.erfc`` when SciPy is installed,
    ``math.erfc`` element-wise otherwise.

    ``approximate="tanh"``: ``y = ½ x (1 + tanh u)`` with ``u = √(2/π) (x + 0.044715 x³)``,
    computed as ``y = x σ(2u)`` (the same function: ``½ (1 + tanh u) = σ(2u)``), which keeps
    full relative precision in the left tail where ``1 + tanh u`` cancels;
    ``y' = σ(2u) + x σ(2u) (1 - σ(2u)) · 2u'`` with ``u' = √(2/π) (1 + 3·0.044715 x²)``.

    Both are ``torch.nn.functional.gelu`` with the same ``approximate``.
    """

    preferred_initializer = "he_normal"

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self._saved = x
        if self.approximate == "tanh":
            return x * sigmoid(self._twice_inner(x))
        return x * normal_cdf(x)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        x = self._get_saved()
        if self.approximate == "tanh":
            s = sigmoid(self._twice_inner(x))
            twice_inner_slope = (2 * _SQRT_2_OVER_PI) * (1 + (3 * _GELU_CUBIC) * (x * x))
            return grad * (s + x * s * (1 - s) * twice_inner_slope)
        density = np.exp(-0.5 * (x * x))  # φ(x) √(2π); underflows harmlessly to 0
        density *= _INV_SQRT_2PI
        return grad * (normal_cdf(x) + x * density)

    @staticmethod
    def _twice_inner(x: np.ndarray) -> np.ndarray:
        """``2u = 2 √(2/π) (x + 0.044715 x³)``."""
        return (2 * _SQRT_2_OVER_PI) * (x + _GELU_CUBIC * (x * x * x))

    def formulas(self) -> dict[str, str]:
        if self.approximate == "tanh":
            return {
                "A": "A = gelu(Z),  gelu(z) = z·σ(2u), u = √(2/π)·(z + 0.044715·z³)",
                "dZ": "dZ = dA * gelu'(Z),  gelu'(z) = σ(2u) + z·σ(2u)·(1 - σ(2u))·2u'",
            }
        return {
            "A": "A = gelu(Z),  gelu(z) = z·Φ(z), Φ the standard normal CDF",
            "dZ": "dZ = dA * gelu'(Z),  gelu'(z) = Φ(z) + z·φ(z)",
        }

    def to_onnx(self, graph: Any, x: str) -> str:
        """``Gelu`` from opset 20 (float32); below, or in float64, spelled out. The exact form
        has no float64 export: onnxruntime has no float64 ``Erf``."""
        if graph.opset >= 20 and graph.dtype == np.float32:
            return str(graph.node("Gelu", [x], approximate=self.approximate))
        if self.approximate == "tanh":  # x σ(2u), 2u = 2 √(2/π) (x + 0.044715 x³)
            cube = graph.node("Mul", [graph.node("Mul", [x, x]), x])
            inner = graph.node("Mul", [cube, graph.constant("cubic", _GELU_CUBIC)])
            inner = graph.node("Add", [x, inner])
            scale = graph.constant("scale", 2 * _SQRT_2_OVER_PI)
            inner = graph.node("Mul", [inner, scale])
            return str(graph.node("Mul", [x, graph.node("Sigmoid", [inner])]))
        if graph.dtype == np.float64:
            raise ValueError(
                f"{self!r} has no float64 form that onnxruntime runs (it has no float64 Erf); "
                "export with dtype='float32', or use GELU(approximate='tanh')"
            )
        erf = graph.node("Erf", [graph.node("Mul", [x, graph.constant("sqrt_half", _SQRT_HALF)])])
        cdf = graph.node("Add", [erf, graph.constant("one", 1)])  # 2 Φ(x)
        cdf = graph.node("Mul", [cdf, graph.constant("half", 0.5)])
        return str(graph.node("Mul", [x, cdf]))

    def get_config(self) -> dict[str, Any]:
        return {"approximate": self.approximate}

    def __repr__(self) -> str:
        return f"GELU(approximate={self.approximate!r})"


@register_activation("silu", "swish")
class SiLU(_Activation):
    """Sigmoid linear unit, also called swish: ``y = x σ(x)``;
    ``y' = σ(x) + x σ(x)(1 - σ(x)) = σ(x) (1 + x (1 - σ(x)))``."""

    preferred_initializer = "he_normal"
    formula = "A = silu(Z),  silu(z) = z·σ(z)"
    derivative = "dZ = dA * silu'(Z),  silu'(z) = σ(z)·(1 + z·(1 - σ(z)))"

    def to_onnx(self, graph: Any, x: str) -> str:
        return str(graph.node("Mul", [x, graph.node("Sigmoid", [x])]))

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self._saved = x
        return x * sigmoid(x)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        x = self._get_saved()
        s = sigmoid(x)
        return grad * (s * (1 + x * (1 - s)))


@register_activation("softplus")
class Softplus(_Activation):
    """``y = log(1 + exp(x))``, computed as ``max(x, 0) + log1p(exp(-|x|))`` so that ``exp``
    never overflows; ``y' = σ(x)``.

    Unlike ``torch.nn.Softplus`` (which returns ``x`` itself above ``threshold=20``), the
    formula is used everywhere; the two differ by ``log1p(exp(-x)) < 2.1e-9`` there.
    """

    formula = "A = softplus(Z),  softplus(z) = log(1 + exp(z))"
    derivative = "dZ = dA * softplus'(Z),  softplus'(z) = σ(z)"

    def to_onnx(self, graph: Any, x: str) -> str:
        if graph.dtype == np.float32:
            return str(graph.node("Softplus", [x]))
        return softplus_onnx(graph, x)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self._saved = x
        return softplus(x)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return grad * sigmoid(self._get_saved())


@register_activation("mish")
class Mish(_Activation):
    """Mish (Misra, 2019): ``y = x tanh(softplus(x))``;
    ``y' = tanh(s) + x σ(x) (1 - tanh(s)²)`` with ``s = softplus(x)`` (``s' = σ(x)``).

    ``softplus`` is computed stably (see :class:`Softplus`); ``torch.nn.Mish`` computes the same.
    """

    preferred_initializer = "he_normal"
    formula = "A = mish(Z),  mish(z) = z·tanh(softplus(z))"
    derivative = "dZ = dA * mish'(Z),  mish'(z) = tanh(s) + z·σ(z)·(1 - tanh(s)²), s = softplus(z)"

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self._saved = x
        return x * np.tanh(softplus(x))

    def backward(self, grad: np.ndarray) -> np.ndarray:
        x = self._get_saved()
        t = np.tanh(softplus(x))
        return grad * (t + x * sigmoid(x) * (1 - t * t))

    def to_onnx(self, graph: Any, x: str) -> str:
        if graph.dtype == np.float32 and graph.opset >= 18:
            return str(graph.node("Mish", [x]))
        softplus = graph.node("Softplus", [x]) if graph.dtype == np.float32 else None
        softplus = softplus or softplus_onnx(graph, x)
        return str(graph.node("Mul", [x, graph.node("Tanh", [softplus])]))
