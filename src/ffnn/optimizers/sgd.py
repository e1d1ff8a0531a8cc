"""Stochastic gradient descent, with momentum, dampening and Nesterov's variant."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ffnn._checks import (
    check_bool,
    check_fraction,
    check_non_negative_float,
)
from ffnn.layers import Parameter
from ffnn.optimizers._base import OPTIMIZERS, Optimizer, State, Work

__all__ = ["SGD"]


@OPTIMIZERS.register("sgd")
class SGD(Optimizer):
    """Stochastic gradient descent, with momentum (Polyak 1964; Sutskever et al. 2013, "On the
    importance of initialization and momentum in deep learning", for the Nesterov form).

    ``g ← g + λθ`` (weight decay); with momentum ``μ > 0``: ``b ← μ b + (1 - τ) g`` (``b = g``
    at the first step), then ``g ← g + μ b`` (Nesterov) or ``g ← b``; finally ``θ ← θ - η g``.
    This is PyTorch's form: the buffer ``b`` holds no learning rate, so a new ``η`` applies
    to the whole step. Plain SGD, with full batches, is the tutorial's ``update_parameters``.

    Parameters
    ----------
    learning_rate : η > 0.
    momentum : μ >= 0 (0: plain SGD, no state kept).
    dampening : τ in [0, 1], the share of the gradient left out of the buffer.
    weight_decay : λ >= 0.
    nesterov : look ahead with ``g + μ b``; needs μ > 0 and τ = 0.
    parameters, clip_norm, clip_value : see :class:`Optimizer` and the module docstring.
    """

    _hyperparameters = ("momentum", "dampening", "weight_decay", "nesterov")
    _n_work = 2

    def __init__(
        self,
        learning_rate: float = 0.01,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
        *,
        parameters: Iterable[Parameter] | None = None,
        clip_norm: float | None = None,
        clip_value: float | None = None,
    ) -> None:
        self.momentum = check_non_negative_float(momentum, "momentum")
        self.dampening = check_fraction(dampening, "dampening", closed=True)
        self.weight_decay = check_non_negative_float(weight_decay, "weight_decay")
        self.nesterov = check_bool(nesterov, "nesterov")
        if self.nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise ValueError(
                "nesterov=True requires momentum > 0 and dampening == 0, got "
                f"momentum={momentum} and dampening={dampening}"
            )
        super().__init__(
            learning_rate, parameters=parameters, clip_norm=clip_norm, clip_value=clip_value
        )

    def _state_names(self) -> tuple[str, ...]:
        return ("momentum_buffer",) if self.momentum else ()

    def _update(self, data: np.ndarray, grad: np.ndarray, state: State, work: Work) -> None:
        scratch = work[1]
        grad = self._decayed_gradient(data, grad, work[0], self.weight_decay)
        direction = grad
        if self.momentum:
            buffer = state["momentum_buffer"]
            if self.iterations == 1:
                buffer[...] = grad  # PyTorch starts the buffer at the first gradient, undamped
            else:
                buffer *= self.momentum
                if self.dampening:
                    buffer += np.multiply(grad, 1.0 - self.dampening, out=scratch)
                else:
                    buffer += grad
            if self.nesterov:
                direction = np.multiply(buffer, self.momentum, out=scratch)
                direction += grad  # g + μ b
            else:
                direction = buffer
        # θ -= η g, evaluated as the tutorial does (η·g first), so plain SGD matches it bit for bit
        data -= np.multiply(direction, self.learning_rate, out=scratch)
