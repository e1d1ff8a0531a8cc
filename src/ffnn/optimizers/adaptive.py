"""Per-entry adaptive learning rates: RMSprop (Hinton, 2012) and Adagrad (Duchi et al.,
2011)."""

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

__all__ = ["Adagrad", "RMSprop"]


@OPTIMIZERS.register("rmsprop")
class RMSprop(Optimizer):
    """RMSprop (Hinton, Srivastava & Swersky, "Neural Networks for Machine Learning", lecture 6e;
    the centered form from Graves 2013, "Generating Sequences With Recurrent Neural Networks").

    ``g ← g + λθ``, then::

        v ← ρ v + (1 - ρ) g²                       (state "square_average")
        ḡ ← ρ ḡ + (1 - ρ) g                        (centered only, "gradient_average")
        d ← √v + ε  or, centered, √max(v - ḡ², 0) + ε
        b ← μ b + g / d,  θ ← θ - η b               (momentum μ > 0, "momentum_buffer")
        θ ← θ - η g / d                             (μ = 0)

    As PyTorch's ``RMSprop``, whose ``alpha`` is ``rho`` here; the ``max(·, 0)`` keeps rounding
    from taking a square root of a tiny negative number (PyTorch would give NaN there).

    Parameters
    ----------
    learning_rate : η > 0.
    rho : ρ in [0, 1), the decay of the averages.
    epsilon : ε > 0.
    weight_decay : λ >= 0.
    momentum : μ >= 0.
    centered : divide by an estimate of the gradient's variance instead of its second moment.
    parameters, clip_norm, clip_value : see :class:`Optimizer` and the module docstring.
    """

    _hyperparameters = ("rho", "epsilon", "weight_decay", "momentum", "centered")
    _n_work = 2

    def __init__(
        self,
        learning_rate: float = 1e-2,
        rho: float = 0.99,
        epsilon: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
        *,
        parameters: Iterable[Parameter] | None = None,
        clip_norm: float | None = None,
        clip_value: float | None = None,
    ) -> None:
        self.rho = check_fraction(rho, "rho")
        self.epsilon = check_positive_float(epsilon, "epsilon")
        self.weight_decay = check_non_negative_float(weight_decay, "weight_decay")
        self.momentum = check_non_negative_float(momentum, "momentum")
        self.centered = check_bool(centered, "centered")
        super().__init__(
            learning_rate, parameters=parameters, clip_norm=clip_norm, clip_value=clip_value
        )

    def _state_names(self) -> tuple[str, ...]:
        return (
            ("square_average",)
            + (("gradient_average",) if self.centered else ())
            + (("momentum_buffer",) if self.momentum else ())
        )

    def _update(self, data: np.ndarray, grad: np.ndarray, state: State, work: Work) -> None:
        scratch = work[1]
        grad = self._decayed_gradient(data, grad, work[0], self.weight_decay)
        square_average = state["square_average"]
        # v ← ρ v + (1 - ρ) g²
        square_average *= self.rho
        np.multiply(grad, 1.0 - self.rho, out=scratch)
        scratch *= grad
        square_average += scratch
        if self.centered:
            # ḡ ← ρ ḡ + (1 - ρ) g, as PyTorch's lerp ḡ + (1 - ρ)(g - ḡ); then v - ḡ² ≥ 0
            average = state["gradient_average"]
            np.subtract(grad, average, out=scratch)
            scratch *= 1.0 - self.rho
            average += scratch
            np.square(average, out=scratch)
            np.subtract(square_average, scratch, out=scratch)
            np.maximum(scratch, 0.0, out=scratch)
            np.sqrt(scratch, out=scratch)
        else:
            np.sqrt(square_average, out=scratch)
        scratch += self.epsilon
        direction = np.divide(grad, scratch, out=scratch)  # g / d
        if self.momentum:
            buffer = state["momentum_buffer"]
            buffer *= self.momentum
            buffer += direction
            direction = buffer
        data -= np.multiply(direction, self.learning_rate, out=scratch)


@OPTIMIZERS.register("adagrad")
class Adagrad(Optimizer):
    """Adagrad (Duchi, Hazan & Singer 2011, "Adaptive Subgradient Methods for Online Learning
    and Stochastic Optimization").

    ``g ← g + λθ``, then, at step ``t``::

        s ← s + g²                       (state "sum", starts at initial_accumulator_value)
        η_t = η / (1 + (t - 1) · lr_decay)
        θ ← θ - η_t g / (√s + ε)

    As PyTorch's ``Adagrad``; the first step is ``≈ -η sign(g)`` when s starts at 0.

    Parameters
    ----------
    learning_rate : η > 0.
    lr_decay : >= 0, the learning rate's decay per step.
    weight_decay : λ >= 0.
    initial_accumulator_value : >= 0, the starting value of every entry of s.
    epsilon : ε > 0.
    parameters, clip_norm, clip_value : see :class:`Optimizer` and the module docstring.
    """

    _hyperparameters = ("lr_decay", "weight_decay", "initial_accumulator_value", "epsilon")
    _n_work = 2

    def __init__(
        self,
        learning_rate: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        epsilon: float = 1e-10,
        *,
        parameters: Iterable[Parameter] | None = None,
        clip_norm: float | None = None,
        clip_value: float | None = None,
    ) -> None:
        self.lr_decay = check_non_negative_float(lr_decay, "lr_decay")
        self.weight_decay = check_non_negative_float(weight_decay, "weight_decay")
        self.initial_accumulator_value = check_non_negative_float(
            initial_accumulator_value, "initial_accumulator_value"
        )
        self.epsilon = check_positive_float(epsilon, "epsilon")
        super().__init__(
            learning_rate, parameters=parameters, clip_norm=clip_norm, clip_value=clip_value
        )

    def _state_names(self) -> tuple[str, ...]:
        return ("sum",)

    def _reset_state(self) -> None:
        super()._reset_state()
        for s in self.state["sum"]:
            s.fill(self.initial_accumulator_value)

    def _update(self, data: np.ndarray, grad: np.ndarray, state: State, work: Work) -> None:
        scratch = work[1]
        grad = self._decayed_gradient(data, grad, work[0], self.weight_decay)
        total = state["sum"]
        total += np.multiply(grad, grad, out=scratch)  # s ← s + g²
        rate = self.learning_rate / (1.0 + (self.iterations - 1) * self.lr_decay)
        np.sqrt(total, out=scratch)
        scratch += self.epsilon
        np.divide(grad, scratch, out=scratch)  # g / (√s + ε)
        scratch *= rate
        data -= scratch
