"""Activation functions as layers, each with its derivative beside it.

Every activation keeps what its backward pass needs (its input or its output, by reference) and
multiplies the incoming gradient element-wise by its derivative: ``∂L/∂x = ∂L/∂y ⊙ f'(x)``.
Shapes are preserved: ``(batch, n)`` in, ``(batch, n)`` out.
"""

from __future__ import annotations

import numpy as np

from ffnn.layers import Layer

__all__ = ["sigmoid", "ReLU", "LeakyReLU", "Sigmoid", "Tanh", "Identity", "get"]


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


class _Activation(Layer):
    """Shared bookkeeping: the tensor the derivative is computed from."""

    def __init__(self) -> None:
        self._saved: np.ndarray | None = None

    def _get_saved(self) -> np.ndarray:
        if self._saved is None:
            raise RuntimeError(f"{type(self).__name__}.backward called before forward")
        return self._saved


class ReLU(_Activation):
    """Rectified linear unit: ``y = max(0, x)``; ``y' = 1 if x > 0 else 0`` (0 at the kink)."""

    preferred_initializer = "he_normal"

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        out = np.maximum(x, 0)
        self._saved = out  # out > 0 exactly where x > 0
        return out

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return grad * (self._get_saved() > 0)


class LeakyReLU(_Activation):
    """``y = x if x > 0 else a·x``; ``y' = 1 if x > 0 else a`` (``a = negative_slope``)."""

    preferred_initializer = "he_normal"

    def __init__(self, negative_slope: float = 0.01) -> None:
        super().__init__()
        if not 0 <= negative_slope < 1:
            raise ValueError(f"negative_slope must be in [0, 1), got {negative_slope}")
        self.negative_slope = float(negative_slope)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self._saved = x
        return np.where(x > 0, x, x * self.negative_slope)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        slope = np.where(self._get_saved() > 0, 1, self.negative_slope).astype(grad.dtype)
        return grad * slope

    def __repr__(self) -> str:
        return f"LeakyReLU(negative_slope={self.negative_slope})"


class Sigmoid(_Activation):
    """Logistic function ``y = σ(x)``; ``y' = y (1 - y)``.

    As the last layer of a classifier prefer raw logits and ``loss="binary_cross_entropy"``,
    which applies the sigmoid inside the loss, stably.
    """

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        out = sigmoid(x)
        self._saved = out
        return out

    def backward(self, grad: np.ndarray) -> np.ndarray:
        out = self._get_saved()
        return grad * out * (1 - out)


class Tanh(_Activation):
    """Hyperbolic tangent ``y = tanh(x)``; ``y' = 1 - y²``."""

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        out = np.tanh(x)
        self._saved = out
        return out

    def backward(self, grad: np.ndarray) -> np.ndarray:
        out = self._get_saved()
        return grad * (1 - out * out)


class Identity(_Activation):
    """``y = x``; ``y' = 1``. The output activation of a regression network."""

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        return x

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return grad


_BY_NAME: dict[str, type[Layer]] = {
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "sigmoid": Sigmoid,
    "logistic": Sigmoid,
    "tanh": Tanh,
    "identity": Identity,
    "linear": Identity,
}


def get(identifier: str | Layer) -> Layer:
    """An activation layer from its name (``"relu"``, ``"tanh"``, ...) or the layer itself."""
    if isinstance(identifier, Layer):
        return identifier
    if isinstance(identifier, str) and identifier.lower() in _BY_NAME:
        return _BY_NAME[identifier.lower()]()
    raise ValueError(
        f"unknown activation {identifier!r}; expected a Layer or one of {sorted(_BY_NAME)}"
    )
