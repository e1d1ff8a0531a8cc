"""Squashing and output activations: Sigmoid, Tanh, Identity, Softmax."""

from __future__ import annotations

from typing import Any

import numpy as np

from ffnn.activations._base import _Activation, register_activation
from ffnn.activations._functions import sigmoid, softmax

__all__ = ["Identity", "Sigmoid", "Softmax", "Tanh"]


@register_activation("sigmoid", "logistic")
class Sigmoid(_Activation):
    """Logistic function ``y = σ(x)``; ``y' = y (1 - y)``.

    As the last layer of a classifier prefer raw logits and ``loss="binary_cross_entropy"``,
    which applies the sigmoid inside the loss, stably.
    """

    formula = "A = sigmoid(Z),  sigmoid(z) = σ(z) = 1 / (1 + exp(-z))"
    derivative = "dZ = dA * sigmoid'(Z),  sigmoid'(z) = σ(z)·(1 - σ(z))"

    def to_onnx(self, graph: Any, x: str) -> str:
        return str(graph.node("Sigmoid", [x]))

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        out = sigmoid(x)
        self._saved = out
        return out

    def backward(self, grad: np.ndarray) -> np.ndarray:
        out = self._get_saved()
        return grad * out * (1 - out)


@register_activation("tanh")
class Tanh(_Activation):
    """Hyperbolic tangent ``y = tanh(x)``; ``y' = 1 - y²``."""

    formula = "A = tanh(Z),  tanh(z) = tanh(z)"
    derivative = "dZ = dA * tanh'(Z),  tanh'(z) = 1 - tanh(z)²"

    def to_onnx(self, graph: Any, x: str) -> str:
        return str(graph.node("Tanh", [x]))

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        out = np.tanh(x)
        self._saved = out
        return out

    def backward(self, grad: np.ndarray) -> np.ndarray:
        out = self._get_saved()
        return grad * (1 - out * out)


@register_activation("identity", "linear")
class Identity(_Activation):
    """``y = x``; ``y' = 1``. The output activation of a regression network."""

    formula = "A = identity(Z),  identity(z) = z"
    derivative = "dZ = dA * identity'(Z),  identity'(z) = 1"

    def to_onnx(self, graph: Any, x: str) -> str:
        return x

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        return x

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return grad


@register_activation("softmax")
class Softmax(_Activation):
    """Row-wise softmax ``s = softmax(x)`` (see :func:`softmax`); its Jacobian is
    ``∂s_j/∂x_k = s_j (δ_jk - s_k)``, so ``∂L/∂x = s ⊙ (g - Σ_k g_k s_k)`` for ``g = ∂L/∂s``
    (the sum taken per row).

    As the last layer of a classifier prefer raw logits and ``loss="cross_entropy"``, which
    applies the softmax inside the loss, stably.
    """

    formula = "A = softmax(Z),  softmax(z) = exp(z_k) / Σ_j exp(z_j), row by row"
    derivative = "dZ = A * (dA - Σ_k dA_k·A_k), row by row"

    def to_onnx(self, graph: Any, x: str) -> str:
        return str(graph.node("Softmax", [x], axis=1))

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        out = softmax(x)
        self._saved = out
        return out

    def backward(self, grad: np.ndarray) -> np.ndarray:
        s = self._get_saved()  # (batch, K)
        weighted = np.sum(grad * s, axis=1, keepdims=True)  # (batch, 1)
        return s * (grad - weighted)
