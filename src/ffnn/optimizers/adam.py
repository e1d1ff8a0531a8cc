"""Adam (Kingma & Ba, 2015) and AdamW (Loshchilov & Hutter, 2019), with AMSGrad."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ffnn._checks import (
    check_bool,
    check_fraction,
    check_non_negative_float,
    check_positive_float,
)
from ffnn.layers import Parameter
from ffnn.optimizers._base import OPTIMIZERS, Optimizer, State, Work

__all__ = ["Adam", "AdamW"]


@OPTIMIZERS.register("adam")
class Adam(Optimizer):
    """Adam (Kingma & Ba 2015, "Adam: A Method for Stochastic Optimization").

    ``g ← g + λθ`` (L2 weight decay, PyTorch's ``Adam``), then, at step ``t``::

        m ← β₁ m + (1 - β₁) g            v ← β₂ v + (1 - β₂) g²
        v_max ← max(v_max, v)            (AMSGrad, Reddi et al. 2018; v̂ uses v_max)
        θ ← θ - η m̂ / (√v̂ + ε)           m̂ = m / (1 - β₁ᵗ),  v̂ = v / (1 - β₂ᵗ)

    so the first step is ``≈ -η sign(g)``. State: ``m``, ``v`` (and ``v_max``).

    Parameters
    ----------
    learning_rate : η > 0.
    beta_1, beta_2 : decay rates of the moment estimates, in [0, 1).
    epsilon : ε > 0, added to √v̂.
    weight_decay : λ >= 0.
    amsgrad : divide by the running maximum of v (AMSGrad).
    parameters, clip_norm, clip_value : see :class:`Optimizer` and the module docstring.
    """

    _hyperparameters = ("beta_1", "beta_2", "epsilon", "weight_decay", "amsgrad")
    _n_work = 2
    #: AdamW's decay θ ← θ(1 - ηλ) instead of the L2 gradient term.
    _decoupled = False

    def __init__(
        self,
        learning_rate: float = 1e-3,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
        *,
        parameters: Iterable[Parameter] | None = None,
        clip_norm: float | None = None,
        clip_value: float | None = None,
    ) -> None:
        self.beta_1 = check_fraction(beta_1, "beta_1")
        self.beta_2 = check_fraction(beta_2, "beta_2")
        self.epsilon = check_positive_float(epsilon, "epsilon")
        self.weight_decay = check_non_negative_float(weight_decay, "weight_decay")
        self.amsgrad = check_bool(amsgrad, "amsgrad")
        super().__init__(
            learning_rate, parameters=parameters, clip_norm=clip_norm, clip_value=clip_value
        )

    def _state_names(self) -> tuple[str, ...]:
        return ("m", "v", "v_max") if self.amsgrad else ("m", "v")

    def _update(self, data: np.ndarray, grad: np.ndarray, state: State, work: Work) -> None:
        scratch = work[1]
        if self._decoupled:
            if self.weight_decay:
                data *= 1.0 - self.learning_rate * self.weight_decay
            grad = grad
        else:
            grad = self._decayed_gradient(data, grad, work[0], self.weight_decay)
        m, v = state["m"], state["v"]
        # m ← β₁ m + (1 - β₁) g, computed m + (1 - β₁)(g - m) as PyTorch's lerp
        np.subtract(grad, m, out=scratch)
        scratch *= 1.0 - self.beta_1
        m += scratch
        # v ← β₂ v + (1 - β₂) g²
        v *= self.beta_2
        np.multiply(grad, 1.0 - self.beta_2, out=scratch)
        scratch *= grad
        v += scratch
        if self.amsgrad:
            v = np.maximum(state["v_max"], v, out=state["v_max"])
        t = self.iterations
        step_size = self.learning_rate / (1.0 - self.beta_1**t)
        denominator = np.sqrt(v, out=scratch)
        denominator /= (1.0 - self.beta_2**t) ** 0.5
        denominator += self.epsilon  # √v̂ + ε
        np.divide(m, denominator, out=scratch)
        scratch *= step_size
        data -= scratch  # θ ← θ - η m̂ / (√v̂ + ε)


@OPTIMIZERS.register("adamw")
class AdamW(Adam):
    """AdamW: Adam with decoupled weight decay (Loshchilov & Hutter 2019, "Decoupled Weight
    Decay Regularization").

    ``θ ← θ - η λ θ`` first, then the :class:`Adam` step on the gradient as it is (no ``λθ``
    term in ``m`` and ``v``). PyTorch's default ``λ = 10⁻²``.
    """

    _decoupled = True

    def __init__(
        self,
        learning_rate: float = 1e-3,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        parameters: Iterable[Parameter] | None = None,
        clip_norm: float | None = None,
        clip_value: float | None = None,
    ) -> None:
        super().__init__(
            learning_rate,
            beta_1,
            beta_2,
            epsilon,
            weight_decay,
            amsgrad,
            parameters=parameters,
            clip_norm=clip_norm,
            clip_value=clip_value,
        )
