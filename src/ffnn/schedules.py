"""Learning-rate schedules: the learning rate as a function of the epoch.

A schedule is a callable ``schedule(epoch, learning_rate=None) -> float`` (epochs count from 0)
that computes the rate from its own ``initial_learning_rate``; the current rate is accepted and
ignored, so a schedule is interchangeable with a Keras-style ``lambda epoch, lr: ...``.
Apply one with the :class:`ffnn.callbacks.LearningRateScheduler` callback, which works with
every optimizer; :class:`ffnn.callbacks.ReduceLROnPlateau` lowers the rate when a monitored
quantity stops improving.
"""

from __future__ import annotations

import math
import numbers

from ffnn._checks import (
    check_non_negative_float,
    check_non_negative_int,
    check_positive_float,
    check_positive_int,
)

__all__ = ["Schedule", "StepDecay", "ExponentialDecay", "CosineDecay"]


class Schedule:
    """Base class: ``__call__(epoch, learning_rate=None) -> float``."""

    def __init__(self, initial_learning_rate: float) -> None:
        self.initial_learning_rate = check_positive_float(
            initial_learning_rate, "initial_learning_rate"
        )

    def __call__(self, epoch: int, learning_rate: float | None = None) -> float:
        if not isinstance(epoch, numbers.Integral) or isinstance(epoch, bool):
            raise TypeError(f"epoch must be an int >= 0, got {type(epoch).__name__} {epoch!r}")
        if epoch < 0:
            raise ValueError(f"epoch must be >= 0, got {epoch}")
        return self.rate(int(epoch))

    def rate(self, epoch: int) -> float:
        raise NotImplementedError


class StepDecay(Schedule):
    """``η_e = η_0 · γ^⌊e / step_size⌋``: multiply by ``gamma`` every ``step_size`` epochs
    (``torch.optim.lr_scheduler.StepLR``)."""

    def __init__(self, initial_learning_rate: float, step_size: int, gamma: float = 0.1) -> None:
        super().__init__(initial_learning_rate)
        self.step_size = check_positive_int(step_size, "step_size")
        self.gamma = check_positive_float(gamma, "gamma")

    def rate(self, epoch: int) -> float:
        return self.initial_learning_rate * self.gamma ** (epoch // self.step_size)

    def __repr__(self) -> str:
        return (
            f"StepDecay(initial_learning_rate={self.initial_learning_rate:g}, "
            f"step_size={self.step_size}, gamma={self.gamma:g})"
        )


class ExponentialDecay(Schedule):
    """``η_e = η_0 · γ^e`` (``torch.optim.lr_scheduler.ExponentialLR``)."""

    def __init__(self, initial_learning_rate: float, gamma: float) -> None:
        super().__init__(initial_learning_rate)
        self.gamma = check_positive_float(gamma, "gamma")

    def rate(self, epoch: int) -> float:
        return self.initial_learning_rate * self.gamma**epoch

    def __repr__(self) -> str:
        return (
            f"ExponentialDecay(initial_learning_rate={self.initial_learning_rate:g}, "
            f"gamma={self.gamma:g})"
        )


class CosineDecay(Schedule):
    """Linear warm-up, then a half cosine from ``η_0`` down to ``min_learning_rate``.

    For ``e < w`` (``w = warmup_epochs``): ``η_e = η_0 · (e + 1) / w``; then, with
    ``t = (e - w) / (epochs - w)`` clipped to [0, 1]:
    ``η_e = η_min + (η_0 - η_min) · (1 + cos(π t)) / 2`` (SGDR without restarts).
    """

    def __init__(
        self,
        initial_learning_rate: float,
        epochs: int,
        warmup_epochs: int = 0,
        min_learning_rate: float = 0.0,
    ) -> None:
        super().__init__(initial_learning_rate)
        self.epochs = check_positive_int(epochs, "epochs")
        if check_non_negative_int(warmup_epochs, "warmup_epochs") >= self.epochs:
            raise ValueError(
                f"warmup_epochs must be an int in [0, epochs={self.epochs}), got {warmup_epochs!r}"
            )
        min_rate = check_non_negative_float(min_learning_rate, "min_learning_rate")
        if min_rate > self.initial_learning_rate:
            raise ValueError(
                f"min_learning_rate must be in [0, initial_learning_rate], got {min_learning_rate}"
            )
        self.warmup_epochs = int(warmup_epochs)
        self.min_learning_rate = min_rate

    def rate(self, epoch: int) -> float:
        if epoch < self.warmup_epochs:
            return self.initial_learning_rate * (epoch + 1) / self.warmup_epochs
        t = min(1.0, (epoch - self.warmup_epochs) / (self.epochs - self.warmup_epochs))
        span = self.initial_learning_rate - self.min_learning_rate
        return self.min_learning_rate + span * (1 + math.cos(math.pi * t)) / 2

    def __repr__(self) -> str:
        return (
            f"CosineDecay(initial_learning_rate={self.initial_learning_rate:g}, "
            f"epochs={self.epochs}, warmup_epochs={self.warmup_epochs}, "
            f"min_learning_rate={self.min_learning_rate:g})"
        )
