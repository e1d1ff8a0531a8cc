"""Parameters and layers: the building blocks a :class:`ffnn.Sequential` chains.

The layer protocol, the whole contract between a layer and the rest of the library:

- ``forward(x, training=False) -> output``: keeps what its backward pass needs;
- ``backward(grad) -> grad_input``: given ``∂L/∂output``, writes ``∂L/∂θ`` into each parameter's
  ``.grad`` (overwritten, not accumulated) and returns ``∂L/∂x``;
- ``parameters() -> list[Parameter]``: what an optimizer updates;
- ``reset_parameters(rng, dtype, default_initializer=None)``: draws initial values.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ffnn import initializers
from ffnn._checks import Generator, check_dtype, check_positive_int, check_random_state

__all__ = ["Parameter", "Layer", "Dense"]


class Parameter:
    """A trainable array and the gradient of the loss with respect to it.

    ``data`` is updated in place by optimizers; ``grad`` has the same shape and dtype and is
    overwritten by every backward pass.
    """

    def __init__(self, data: np.ndarray, name: str = "") -> None:
        self.data = data
        self.grad = np.zeros_like(data)
        self.name = name

    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def size(self) -> int:
        return int(self.data.size)

    def zero_grad(self) -> None:
        self.grad.fill(0)

    def __repr__(self) -> str:
        return f"Parameter(name={self.name!r}, shape={self.data.shape}, dtype={self.data.dtype})"


class Layer:
    """Base class of every layer: no parameters, identity-free defaults for the protocol."""

    #: The weight initializer a Dense layer right before this one gets by default.
    preferred_initializer = "glorot_uniform"

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        raise NotImplementedError

    def backward(self, grad: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def parameters(self) -> list[Parameter]:
        return []

    def reset_parameters(
        self, rng: Generator, dtype: Any, default_initializer: str | None = None
    ) -> None:
        """Draw fresh initial values (layers without parameters have nothing to do)."""

    def output_size(self, n_in: int) -> int:
        """Number of output features for ``n_in`` input features (unchanged by default)."""
        return n_in

    def __call__(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        return self.forward(x, training=training)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Dense(Layer):
    """Fully connected layer: ``y = x W + b``.

    Parameters
    ----------
    n_in, n_out : numbers of input and output features; ``W`` is ``(n_in, n_out)``, ``b`` is
        ``(n_out,)``.
    initializer : weight initializer, a name or an :class:`~ffnn.initializers.Initializer`.
        ``None`` lets the model choose from the activation that follows (He for the ReLU
        family, Glorot otherwise); a Dense used on its own then gets Glorot uniform.
    bias_initializer : zeros by default.
    dtype, random_state : used when the layer is built on its own. Inside a
        :class:`~ffnn.Sequential` the model re-draws the weights from its own generator and
        dtype, so that one seed fixes the whole network.

    Backward, for ``grad = ∂L/∂y`` of shape ``(batch, n_out)``:
    ``∂L/∂W = xᵀ grad`` ``(n_in, n_out)``, ``∂L/∂b = Σ_batch grad`` ``(n_out,)``,
    ``∂L/∂x = grad Wᵀ`` ``(batch, n_in)``.
    """

    def __init__(
        self,
        n_in: int,
        n_out: int,
        initializer: str | initializers.Initializer | None = None,
        bias_initializer: str | initializers.Initializer = "zeros",
        *,
        dtype: Any = np.float32,
        random_state: Any = None,
    ) -> None:
        self.n_in = check_positive_int(n_in, "n_in")
        self.n_out = check_positive_int(n_out, "n_out")
        self.initializer = None if initializer is None else initializers.get(initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.weight = Parameter(np.zeros((self.n_in, self.n_out)), "weight")
        self.bias = Parameter(np.zeros(self.n_out), "bias")
        self._x: np.ndarray | None = None
        self.reset_parameters(check_random_state(random_state), check_dtype(dtype))

    def reset_parameters(
        self, rng: Generator, dtype: Any, default_initializer: str | None = None
    ) -> None:
        init = self.initializer or initializers.get(default_initializer or "glorot_uniform")
        self.weight = Parameter(init((self.n_in, self.n_out), rng, dtype), "weight")
        self.bias = Parameter(self.bias_initializer((self.n_out,), rng, dtype), "bias")

    def parameters(self) -> list[Parameter]:
        return [self.weight, self.bias]

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self._x = x  # (batch, n_in), kept by reference for backward
        out = x @ self.weight.data  # (batch, n_out)
        out += self.bias.data
        return out

    def backward(self, grad: np.ndarray) -> np.ndarray:
        if self._x is None:
            raise RuntimeError("Dense.backward called before forward")
        np.matmul(self._x.T, grad, out=self.weight.grad)  # (n_in, n_out)
        np.sum(grad, axis=0, out=self.bias.grad)  # (n_out,)
        return grad @ self.weight.data.T  # (batch, n_in)

    def output_size(self, n_in: int) -> int:
        return self.n_out

    def __repr__(self) -> str:
        init = "auto" if self.initializer is None else repr(self.initializer)
        return f"Dense(n_in={self.n_in}, n_out={self.n_out}, initializer={init})"
