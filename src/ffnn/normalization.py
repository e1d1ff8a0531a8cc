"""Normalisation layers: BatchNorm (over the batch) and LayerNorm (over each sample's features).

Both compute ``x̂ = (x - μ) / √(σ² + ε)`` and return ``y = γ ⊙ x̂ + β`` with a learnable scale
``γ`` (the parameter ``weight``, initially ones) and shift ``β`` (``bias``, initially zeros), one
of each per feature. They differ in the axis ``μ`` and ``σ²`` are taken over. For inputs
``(batch, n_features)``:

- BatchNorm: per feature, over the batch (axis 0), with running estimates for inference;
- LayerNorm: per sample, over its features (axis 1), the same in training and inference.

Backward uses the compact closed form: for ``N`` values normalised together (the sums below run
over those ``N``), ``ĝ = γ ⊙ ∂L/∂y`` and ``∂L/∂x = (N ĝ - Σ ĝ - x̂ Σ(ĝ ⊙ x̂)) / (N √(σ² + ε))``.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ffnn import initializers
from ffnn._checks import (
    Generator,
    check_dtype,
    check_fraction,
    check_positive_float,
    check_positive_int,
    user_stacklevel,
)
from ffnn.layers import LAYERS, Layer, Parameter

__all__ = ["BatchNorm", "LayerNorm"]


class _Normalization(Layer):
    """What both layers share: ``γ`` and ``β`` per feature, the size check, the config."""

    preferred_initializer = None  # the activation after the normalisation decides

    def __init__(self, n_features: int, epsilon: float, eps: float | None, dtype: Any) -> None:
        self.n_features = check_positive_int(n_features, "n_features")
        if eps is not None:  # the name up to 0.x, still in older model files
            warnings.warn(
                f"{type(self).__name__}(eps=...) is renamed epsilon=...; eps will be removed",
                DeprecationWarning,
                stacklevel=user_stacklevel(),
            )
            epsilon = eps
        self.epsilon = check_positive_float(epsilon, "epsilon")
        self.weight = Parameter(np.ones(self.n_features), "weight")
        self.bias = Parameter(np.zeros(self.n_features), "bias")
        self._x_hat: np.ndarray | None = None  # (batch, n_features)
        self._inv_std: np.ndarray | None = None  # 1 / √(σ² + ε), broadcastable to x
        self.reset_parameters(np.random.default_rng(0), check_dtype(dtype))

    def reset_parameters(
        self, rng: Generator, dtype: Any, default_initializer: str | None = None
    ) -> None:
        """``γ = 1``, ``β = 0`` in ``dtype`` (nothing is drawn from ``rng``)."""
        shape = (self.n_features,)
        self.weight = Parameter(initializers.Ones()(shape, rng, dtype), "weight")
        self.bias = Parameter(initializers.Zeros()(shape, rng, dtype), "bias")

    def parameters(self) -> list[Parameter]:
        return [self.weight, self.bias]

    def output_size(self, n_in: int) -> int:
        if n_in != self.n_features:
            raise ValueError(
                f"{self!r} normalises {self.n_features} features, but the layer before it "
                f"gives {n_in}"
            )
        return n_in

    def _check_input(self, x: np.ndarray) -> None:
        if x.ndim != 2 or x.shape[1] != self.n_features:
            raise ValueError(
                f"{type(self).__name__} expects inputs (batch, {self.n_features}), got shape "
                f"{x.shape}"
            )

    def _scale_and_shift(self, x_hat: np.ndarray) -> np.ndarray:
        """``y = γ ⊙ x̂ + β``; keeps ``x̂`` for backward."""
        self._x_hat = x_hat
        out = x_hat * self.weight.data  # (batch, n_features)
        out += self.bias.data
        return out

    def _backward_parameters(self, grad: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Fill ``∂L/∂γ = Σ_batch grad ⊙ x̂`` and ``∂L/∂β = Σ_batch grad``; return ``x̂`` and
        ``1 / √(σ² + ε)`` of the forward pass."""
        if self._x_hat is None or self._inv_std is None:
            raise RuntimeError(f"{type(self).__name__}.backward called before forward")
        x_hat = self._x_hat
        np.sum(grad * x_hat, axis=0, out=self.weight.grad)  # (n_features,)
        np.sum(grad, axis=0, out=self.bias.grad)  # (n_features,)
        return x_hat, self._inv_std

    def _onnx_scale_and_shift(self, graph: Any, normalised: str) -> str:
        """``x̂ · γ + β`` in ONNX operators."""
        weight = graph.constant("weight", self.weight.data)
        bias = graph.constant("bias", self.bias.data)
        return str(graph.node("Add", [graph.node("Mul", [normalised, weight]), bias]))

    def get_config(self) -> dict[str, Any]:
        return {
            "n_features": self.n_features,
            "epsilon": self.epsilon,
            "dtype": self.weight.data.dtype.name,
        }


@LAYERS.register()
class BatchNorm(_Normalization):
    """Batch normalisation (Ioffe & Szegedy, 2015) for dense inputs ``(batch, n_features)``,
    with the semantics of ``torch.nn.BatchNorm1d``.

    Training: ``μ = mean_batch x``, ``σ² = mean_batch (x - μ)²`` (biased), per feature;
    ``y = γ ⊙ (x - μ) / √(σ² + ε) + β``. The running estimates are updated in place:
    ``running_mean ← (1 - m) running_mean + m μ`` and
    ``running_var ← (1 - m) running_var + m σ² B / (B - 1)`` (the unbiased variance), with
    ``m = momentum`` and ``B`` the batch size (at least 2).

    Inference: ``y = γ ⊙ (x - running_mean) / √(running_var + ε) + β``.

    Backward (training, sums over the batch): ``∂L/∂x = γ / (B √(σ² + ε)) ⊙ (B g - Σ g -
    x̂ Σ(g ⊙ x̂))`` for ``g = ∂L/∂y`` ``(batch, n_features)``; in inference mode the statistics
    are constants, so ``∂L/∂x = g ⊙ γ / √(running_var + ε)``. Both modes give
    ``∂L/∂γ = Σ g ⊙ x̂`` and ``∂L/∂β = Σ g``.

    Parameters
    ----------
    n_features : features per sample.
    momentum : weight of the newest batch in the running estimates, in ``[0, 1]``.
    epsilon : ε, added to the variance before the square root (``eps``, its former name, is
        still read, with a DeprecationWarning).
    dtype : of ``γ``, ``β`` and the running estimates when used on its own; a
        :class:`~ffnn.Sequential` rebuilds them in its own dtype.

    :meth:`buffers` returns ``running_mean`` (initially 0) and ``running_var`` (initially 1).
    """

    def __init__(
        self,
        n_features: int,
        momentum: float = 0.1,
        epsilon: float = 1e-5,
        *,
        dtype: Any = np.float32,
        eps: float | None = None,
    ) -> None:
        self.momentum = check_fraction(momentum, "momentum", closed=True)
        self._training = False  # the mode of the last forward, which backward differentiates
        self.running_mean = np.zeros(0)
        self.running_var = np.ones(0)
        super().__init__(n_features, epsilon, eps, dtype)

    def reset_parameters(
        self, rng: Generator, dtype: Any, default_initializer: str | None = None
    ) -> None:
        """``γ = 1``, ``β = 0``, ``running_mean = 0``, ``running_var = 1``, all in ``dtype``."""
        super().reset_parameters(rng, dtype)
        self.running_mean = np.zeros(self.n_features, dtype=dtype)
        self.running_var = np.ones(self.n_features, dtype=dtype)

    def buffers(self) -> dict[str, np.ndarray]:
        """The running estimates, the arrays themselves (training updates them in place)."""
        return {"running_mean": self.running_mean, "running_var": self.running_var}

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self._check_input(x)
        self._training = training
        if not training:
            self._inv_std = 1 / np.sqrt(self.running_var + self.epsilon)  # (n_features,)
            return self._scale_and_shift((x - self.running_mean) * self._inv_std)
        batch = x.shape[0]
        if batch < 2:
            raise ValueError(
                "BatchNorm needs at least 2 samples per batch in training mode to estimate a "
                f"variance, got {batch}"
            )
        mean = x.mean(axis=0)  # (n_features,)
        centred = x - mean  # (batch, n_features)
        var = np.mean(centred * centred, axis=0)  # (n_features,), biased
        self._inv_std = 1 / np.sqrt(var + self.epsilon)
        m = self.momentum
        self.running_mean *= 1 - m
        self.running_mean += m * mean
        self.running_var *= 1 - m
        self.running_var += (m * batch / (batch - 1)) * var
        return self._scale_and_shift(centred * self._inv_std)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        x_hat, inv_std = self._backward_parameters(grad)
        scale = self.weight.data * inv_std  # γ / √(σ² + ε), (n_features,)
        if not self._training:
            return grad * scale
        batch = grad.shape[0]
        # B g - Σ g - x̂ Σ(g ⊙ x̂); the two sums are ∂L/∂β and ∂L/∂γ, just computed
        grad_input = grad * batch
        grad_input -= self.bias.grad
        grad_input -= x_hat * self.weight.grad
        grad_input *= scale / batch
        return grad_input  # (batch, n_features)

    formula = "A = γ ⊙ (Z - μ) / √(σ² + ε) + β, μ and σ² of the batch, per feature"
    derivative = "dZ = γ / (m √(σ² + ε)) ⊙ (m dA - Σ dA - Ẑ Σ(dA ⊙ Ẑ)), Ẑ = (Z - μ) / √(σ² + ε)"

    def to_onnx(self, graph: Any, x: str) -> str:
        """``BatchNormalization`` with the running estimates (float32); in float64 spelled out,
        as its ``epsilon`` attribute is a 32-bit float that would move results by ~1e-12."""
        mean = graph.constant("running_mean", self.running_mean)
        if graph.dtype == np.float32:
            weight = graph.constant("weight", self.weight.data)
            bias = graph.constant("bias", self.bias.data)
            var = graph.constant("running_var", self.running_var)
            inputs = [x, weight, bias, mean, var]
            return str(graph.node("BatchNormalization", inputs, epsilon=self.epsilon))
        # (x - running_mean) · (1 / √(running_var + ε)) · γ + β, as forward
        inv_std = graph.constant("inv_std", 1 / np.sqrt(self.running_var + self.epsilon))
        normalised = graph.node("Mul", [graph.node("Sub", [x, mean]), inv_std])
        return self._onnx_scale_and_shift(graph, normalised)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "momentum": self.momentum}

    def __repr__(self) -> str:
        return (
            f"BatchNorm(n_features={self.n_features}, momentum={self.momentum}, "
            f"epsilon={self.epsilon})"
        )


@LAYERS.register()
class LayerNorm(_Normalization):
    """Layer normalisation (Ba, Kiros & Hinton, 2016): each sample normalised over its own
    features, as ``torch.nn.LayerNorm(n_features)``; the same in training and inference.

    ``μ = mean_features x``, ``σ² = mean_features (x - μ)²`` (biased), per sample ``(batch, 1)``;
    ``y = γ ⊙ (x - μ) / √(σ² + ε) + β``.

    Backward, with ``ĝ = γ ⊙ g`` for ``g = ∂L/∂y`` and sums over the ``F = n_features`` features
    of each sample: ``∂L/∂x = (F ĝ - Σ ĝ - x̂ Σ(ĝ ⊙ x̂)) / (F √(σ² + ε))``;
    ``∂L/∂γ = Σ_batch g ⊙ x̂``, ``∂L/∂β = Σ_batch g``.

    Parameters
    ----------
    n_features : features per sample.
    epsilon : ε, added to the variance before the square root (``eps``, its former name, is
        still read, with a DeprecationWarning).
    dtype : of ``γ`` and ``β`` when used on its own; a :class:`~ffnn.Sequential` rebuilds them
        in its own dtype.
    """

    def __init__(
        self,
        n_features: int,
        epsilon: float = 1e-5,
        *,
        dtype: Any = np.float32,
        eps: float | None = None,
    ) -> None:
        super().__init__(n_features, epsilon, eps, dtype)

    formula = "A = γ ⊙ (Z - μ) / √(σ² + ε) + β, μ and σ² of each row"
    derivative = "dZ = (F Ĝ - Σ Ĝ - Ẑ Σ(Ĝ ⊙ Ẑ)) / (F √(σ² + ε)), Ĝ = γ ⊙ dA, sums over each row"

    def to_onnx(self, graph: Any, x: str) -> str:
        """``LayerNormalization`` from opset 17 (float32); otherwise spelled out."""
        if graph.opset >= 17 and graph.dtype == np.float32:
            weight = graph.constant("weight", self.weight.data)
            bias = graph.constant("bias", self.bias.data)
            inputs = [x, weight, bias]
            return str(graph.node("LayerNormalization", inputs, axis=-1, epsilon=self.epsilon))
        # (x - μ) · (1 / √(σ² + ε)) · γ + β, μ and σ² over each row (ReduceMean's axes: an
        # attribute up to opset 17, an input from 18)
        axes: dict[str, Any] = {"axes": [1]}
        extra: list[str] = []
        if graph.opset >= 18:
            axes, extra = {}, [graph.constant("axes", [1], np.int64)]
        centred = graph.node("Sub", [x, graph.node("ReduceMean", [x, *extra], **axes)])
        var = graph.node("ReduceMean", [graph.node("Mul", [centred, centred]), *extra], **axes)
        shifted = graph.node("Add", [var, graph.constant("epsilon", self.epsilon)])
        inv_std = graph.node("Reciprocal", [graph.node("Sqrt", [shifted])])
        return self._onnx_scale_and_shift(graph, graph.node("Mul", [centred, inv_std]))

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self._check_input(x)
        mean = x.mean(axis=1, keepdims=True)  # (batch, 1)
        centred = x - mean  # (batch, n_features)
        var = np.mean(centred * centred, axis=1, keepdims=True)  # (batch, 1), biased
        self._inv_std = 1 / np.sqrt(var + self.epsilon)
        return self._scale_and_shift(centred * self._inv_std)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        x_hat, inv_std = self._backward_parameters(grad)
        n = self.n_features
        g_hat = grad * self.weight.data  # (batch, n_features)
        grad_input = g_hat * n
        grad_input -= g_hat.sum(axis=1, keepdims=True)
        grad_input -= x_hat * np.sum(g_hat * x_hat, axis=1, keepdims=True)
        grad_input *= inv_std / n
        return grad_input  # (batch, n_features)

    def __repr__(self) -> str:
        return f"LayerNorm(n_features={self.n_features}, epsilon={self.epsilon})"
