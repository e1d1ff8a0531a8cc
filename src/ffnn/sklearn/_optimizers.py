"""scikit-learn's MLP optimizers, written as ffnn optimizers, for :mod:`ffnn.sklearn.estimators`.

:mod:`ffnn.optimizers` follows PyTorch. scikit-learn's ``MLPClassifier`` and ``MLPRegressor``
use other forms of the same ideas, and the estimators must reproduce its trajectories to
rounding, so they get these two (from ``sklearn/neural_network/_stochastic_optimizers.py``):

- :class:`SklearnSGD`, the velocity form: ``u ← μ u - η g``, then ``θ ← θ + u`` or, with
  Nesterov, ``θ ← θ + (μ u - η g)``. The learning rate sits inside the velocity (PyTorch keeps
  it out), and the schedules act between epochs: ``"invscaling"`` sets
  ``η = η₀ / (t + 1)^power_t`` with ``t`` the samples seen, ``"adaptive"`` divides ``η`` by 5
  whenever the estimator reports no improvement (and stops once ``η ≤ 10⁻⁶``).
- :class:`SklearnAdam`: ``m ← β₁ m + (1 - β₁) g``, ``v ← β₂ v + (1 - β₂) g²``, then
  ``θ ← θ - η_t m / (√v + ε)`` with ``η_t = η √(1 - β₂ᵗ) / (1 - β₁ᵗ)``: the bias correction is
  folded into the step size and ε is added to the uncorrected ``√v`` (PyTorch adds it to
  ``√v̂``), so the two Adams differ by ε's scale.

Each operation is written in scikit-learn's order, with Python floats as scalars, so a float64
run rounds exactly as scikit-learn's does; a float32 run stays float32. Both keep their state
in parallel lists (``state["velocity"]``, ``state["m"]``, ``state["v"]``) and are ordinary ffnn
optimizers otherwise: callbacks may change ``learning_rate`` between steps.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from ffnn.layers import Parameter
from ffnn.optimizers import OPTIMIZERS, Optimizer, State, Work

__all__ = ["SklearnAdam", "SklearnSGD"]


@OPTIMIZERS.register("sklearnsgd")
class SklearnSGD(Optimizer):
    """scikit-learn's SGD with momentum (velocity form) and its learning-rate schedules.

    Step, for each parameter ``θ`` with gradient ``g`` and velocity ``u`` (0 at first)::

        u ← μ u - η g
        θ ← θ + (μ u - η g)      (nesterov)      or      θ ← θ + u

    Parameters
    ----------
    learning_rate : η > 0, the rate to start with; ``learning_rate`` is the current one.
    schedule : ``"constant"``, ``"invscaling"`` or ``"adaptive"`` (see the module docstring).
    momentum : μ in [0, 1].
    nesterov : take the look-ahead step.
    power_t : the exponent of ``"invscaling"``.
    initial_learning_rate : η₀ of ``"invscaling"`` (``learning_rate`` if ``None``); kept in
        the config so that a checkpoint resumes the schedule.
    """

    _hyperparameters = ("schedule", "momentum", "nesterov", "power_t", "initial_learning_rate")
    _n_work = 2

    def __init__(
        self,
        learning_rate: float = 0.1,
        schedule: str = "constant",
        momentum: float = 0.9,
        nesterov: bool = True,
        power_t: float = 0.5,
        initial_learning_rate: float | None = None,
        *,
        parameters: Iterable[Parameter] | None = None,
        clip_norm: float | None = None,
        clip_value: float | None = None,
    ) -> None:
        if schedule not in ("constant", "invscaling", "adaptive"):
            raise ValueError(
                f"schedule must be 'constant', 'invscaling' or 'adaptive', got {schedule!r}"
            )
        self.schedule = schedule
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)
        self.power_t = float(power_t)
        self.initial_learning_rate = float(
            learning_rate if initial_learning_rate is None else initial_learning_rate
        )
        super().__init__(
            learning_rate, parameters=parameters, clip_norm=clip_norm, clip_value=clip_value
        )

    def _state_names(self) -> tuple[str, ...]:
        return ("velocity",)

    def _update(self, data: np.ndarray, grad: np.ndarray, state: State, work: Work) -> None:
        velocity = state["velocity"]
        scaled_grad, look_ahead = work
        np.multiply(grad, self.learning_rate, out=scaled_grad)  # η g
        velocity *= self.momentum
        velocity -= scaled_grad  # u ← μ u - η g
        if self.nesterov:
            np.multiply(velocity, self.momentum, out=look_ahead)
            look_ahead -= scaled_grad  # μ u - η g, with the new u
            data += look_ahead
        else:
            data += velocity

    def iteration_ends(self, samples_seen: int) -> None:
        """After each epoch: ``"invscaling"`` sets ``η = η₀ / (samples_seen + 1)^power_t``."""
        if self.schedule == "invscaling":
            self.learning_rate = self.initial_learning_rate / (samples_seen + 1) ** self.power_t

    def trigger_stopping(self, message: str, verbose: bool) -> bool:
        """No improvement for a while: stop (``True``), or, with ``"adaptive"``, divide ``η`` by
        5 and go on (``False``) until ``η ≤ 10⁻⁶``."""
        if self.schedule != "adaptive":
            if verbose:
                print(message + " Stopping.")
            return True
        if self.learning_rate <= 1e-6:
            if verbose:
                print(message + " Learning rate too small. Stopping.")
            return True
        self.learning_rate /= 5.0
        if verbose:
            print(message + f" Setting learning rate to {self.learning_rate:f}")
        return False


@OPTIMIZERS.register("sklearnadam")
class SklearnAdam(Optimizer):
    """scikit-learn's Adam: the bias correction in the step size, ε outside it.

    At step ``t`` (``iterations``), for each parameter::

        m ← β₁ m + (1 - β₁) g            v ← β₂ v + (1 - β₂) g²
        η_t = η √(1 - β₂ᵗ) / (1 - β₁ᵗ)
        θ ← θ - η_t m / (√v + ε)

    ``learning_rate`` is ``η`` (scikit-learn's ``learning_rate_init``); ``step_size`` is the
    last ``η_t`` (what scikit-learn's ``AdamOptimizer.learning_rate`` holds).
    """

    _hyperparameters = ("beta_1", "beta_2", "epsilon")
    _n_work = 2

    def __init__(
        self,
        learning_rate: float = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        *,
        parameters: Iterable[Parameter] | None = None,
        clip_norm: float | None = None,
        clip_value: float | None = None,
    ) -> None:
        self.beta_1 = float(beta_1)
        self.beta_2 = float(beta_2)
        self.epsilon = float(epsilon)
        self.step_size = float(learning_rate)
        super().__init__(
            learning_rate, parameters=parameters, clip_norm=clip_norm, clip_value=clip_value
        )

    def _state_names(self) -> tuple[str, ...]:
        return ("m", "v")

    def step(self) -> None:
        t = self.iterations + 1  # Optimizer.step counts this step before the updates
        self.step_size = (
            self.learning_rate * math.sqrt(1.0 - self.beta_2**t) / (1.0 - self.beta_1**t)
        )
        super().step()

    def _update(self, data: np.ndarray, grad: np.ndarray, state: State, work: Work) -> None:
        m, v = state["m"], state["v"]
        first, second = work
        m *= self.beta_1
        m += np.multiply(grad, 1.0 - self.beta_1, out=first)  # m ← β₁ m + (1 - β₁) g
        v *= self.beta_2
        np.multiply(grad, grad, out=second)
        second *= 1.0 - self.beta_2
        v += second  # v ← β₂ v + (1 - β₂) g²
        np.multiply(m, -self.step_size, out=first)
        np.sqrt(v, out=second)
        second += self.epsilon
        first /= second
        data += first  # θ ← θ - η_t m / (√v + ε)

    def iteration_ends(self, samples_seen: int) -> None:
        """Adam has no schedule between epochs."""

    def trigger_stopping(self, message: str, verbose: bool) -> bool:
        """No improvement for a while: Adam always stops."""
        if verbose:
            print(message + " Stopping.")
        return True
