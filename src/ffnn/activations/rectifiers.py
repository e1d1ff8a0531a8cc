"""The rectifiers: ReLU, LeakyReLU, ELU (identity for positive inputs)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ffnn._checks import check_fraction, check_positive_float
from ffnn.activations._base import _Activation, register_activation

__all__ = ["ELU", "LeakyReLU", "ReLU"]


@register_activation("relu")
class ReLU(_Activation):
    """Rectified linear unit: ``y = max(0, x)``; ``y' = 1 if x > 0 else 0`` (0 at the kink)."""

    preferred_initializer = "he_normal"
    formula = "A = relu(Z),  relu(z) = max(0, z)"
    derivative = "dZ = dA * relu'(Z),  relu'(z) = 1 if z > 0 else 0"

    def to_onnx(self, graph: Any, x: str) -> str:
        return str(graph.node("Relu", [x]))

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        out = np.maximum(x, 0)
        self._saved = out  # out > 0 exactly where x > 0
        return out

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return grad * (self._get_saved() > 0)


@register_activation("leaky_relu")
class LeakyReLU(_Activation):
    """``y = x if x > 0 else a·x``; ``y' = 1 if x > 0 else a`` (``a = negative_slope``)."""

    preferred_initializer = "he_normal"

    def __init__(self, negative_slope: float = 0.01) -> None:
        super().__init__()
        self.negative_slope = check_fraction(negative_slope, "negative_slope", closed=False)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self._saved = x
        return np.where(x > 0, x, x * self.negative_slope)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        slope = np.where(self._get_saved() > 0, 1, self.negative_slope).astype(grad.dtype)
        return grad * slope

    def formulas(self) -> dict[str, str]:
        a = f"{self.negative_slope:g}"
        return {
            "A": f"A = leaky_relu(Z),  leaky_relu(z) = z if z > 0 else {a}·z",
            "dZ": f"dZ = dA * leaky_relu'(Z),  leaky_relu'(z) = 1 if z > 0 else {a}",
        }

    def to_onnx(self, graph: Any, x: str) -> str:
        if graph.dtype == np.float32:
            return str(graph.node("LeakyRelu", [x], alpha=self.negative_slope))
        # x where x > 0, else a x: onnxruntime's float64 LeakyRelu is missing or rounds to float32
        slope = graph.constant("negative_slope", self.negative_slope)
        positive = graph.node("Greater", [x, graph.constant("zero", 0)])
        return str(graph.node("Where", [positive, x, graph.node("Mul", [x, slope])]))

    def get_config(self) -> dict[str, Any]:
        return {"negative_slope": self.negative_slope}

    def __repr__(self) -> str:
        return f"LeakyReLU(negative_slope={self.negative_slope})"


@register_activation("elu")
class ELU(_Activation):
    """Exponential linear unit (Clevert et al., 2016), ``α = alpha``:
    ``y = x if x > 0 else α (exp(x) - 1)``; ``y' = 1 if x > 0 else α exp(x)``.

    ``exp`` only ever sees ``min(x, 0)``, so large positive inputs cannot overflow.
    """

    preferred_initializer = "he_normal"

    def __init__(self, alpha: float = 1.0) -> None:
        super().__init__()
        self.alpha = check_positive_float(alpha, "alpha")

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self._saved = x
        negative = np.expm1(np.minimum(x, 0))  # (batch, n); exp(x) - 1 without cancellation
        negative *= self.alpha
        return np.where(x > 0, x, negative)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        x = self._get_saved()
        slope = np.exp(np.minimum(x, 0))
        slope *= self.alpha
        slope[x > 0] = 1
        return grad * slope

    def formulas(self) -> dict[str, str]:
        a = f"{self.alpha:g}"
        return {
            "A": f"A = elu(Z),  elu(z) = z if z > 0 else {a}·(exp(z) - 1)",
            "dZ": f"dZ = dA * elu'(Z),  elu'(z) = 1 if z > 0 else {a}·exp(z)",
        }

    def to_onnx(self, graph: Any, x: str) -> str:
        if graph.dtype == np.float32:
            return str(graph.node("Elu", [x], alpha=self.alpha))
        # α (exp(min(x, 0)) - 1) where x <= 0, else x: onnxruntime has no float64 Elu
        zero = graph.constant("zero", 0)
        exp = graph.node("Exp", [graph.node("Min", [x, zero])])
        negative = graph.node("Sub", [exp, graph.constant("one", 1)])
        negative = graph.node("Mul", [negative, graph.constant("alpha", self.alpha)])
        positive = graph.node("Greater", [x, zero])
        return str(graph.node("Where", [positive, x, negative]))

    def get_config(self) -> dict[str, Any]:
        return {"alpha": self.alpha}

    def __repr__(self) -> str:
        return f"ELU(alpha={self.alpha})"
