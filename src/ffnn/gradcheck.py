"""Gradient checking: backpropagation against central finite differences, in float64.

For every checked entry ``θ_i`` of every parameter, the numerical gradient is
``(L(θ_i + ε) - L(θ_i - ε)) / 2ε``, where ``L`` is the loss plus the model's weight
penalties; its error is ``O(ε²)`` away from kinks such as ReLU's 0. Per parameter the
report gives the largest absolute difference and the relative error ``‖g_backprop
- g_numeric‖ / (‖g_backprop‖ + ‖g_numeric‖)`` (0 when both vanish).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ffnn._checks import (
    check_array,
    check_n_features,
    check_positive_float,
    check_positive_int,
    check_random_state,
    check_same_length,
)
from ffnn.losses import Loss

if TYPE_CHECKING:
    from ffnn.model import Sequential

__all__ = ["ParameterCheck", "GradientReport", "check_gradients"]


@dataclass(frozen=True)
class ParameterCheck:
    """The comparison for one parameter."""

    name: str
    shape: tuple[int, ...]
    checked: int
    max_abs_error: float
    relative_error: float


@dataclass(frozen=True)
class GradientReport:
    """Per-parameter results of :func:`check_gradients`; ``str(report)`` is a readable table."""

    parameters: list[ParameterCheck] = field(default_factory=list)
    epsilon: float = 1e-6
    loss: float = float("nan")

    @property
    def max_relative_error(self) -> float:
        return max((row.relative_error for row in self.parameters), default=0.0)

    @property
    def max_abs_error(self) -> float:
        return max((row.max_abs_error for row in self.parameters), default=0.0)

    def passed(self, tolerance: float = 1e-6, abs_tolerance: float = 1e-9) -> bool:
        """Whether every parameter's relative error is at most ``tolerance``, or its absolute
        error at most ``abs_tolerance``: a gradient that is truly zero (a bias followed by batch
        normalisation) compares rounding noise with rounding noise, a relative error near 1."""
        return all(
            row.relative_error <= tolerance or row.max_abs_error <= abs_tolerance
            for row in self.parameters
        )

    def __str__(self) -> str:
        header = ("parameter", "shape", "checked", "max abs error", "relative error")
        rows = [
            (
                row.name,
                str(row.shape),
                str(row.checked),
                f"{row.max_abs_error:.3e}",
                f"{row.relative_error:.3e}",
            )
            for row in self.parameters
        ]
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(5)]
        lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
        lines.append("  ".join("-" * w for w in widths))
        lines += [
            "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows
        ]
        lines.append(
            f"max relative error: {self.max_relative_error:.3e}  (epsilon={self.epsilon:g}, "
            f"loss={self.loss:.6g})"
        )
        return "\n".join(lines)


def _get_state(rng: Any) -> Any:
    return rng.bit_generator.state if isinstance(rng, np.random.Generator) else rng.get_state()


def _set_state(rng: Any, state: Any) -> None:
    if isinstance(rng, np.random.Generator):
        rng.bit_generator.state = state
    else:
        rng.set_state(state)


def check_gradients(
    model: Sequential,
    X: Any,
    y: Any,
    loss: str | Loss | None = None,
    *,
    epsilon: float = 1e-6,
    max_checks_per_parameter: int | None = None,
    random_state: Any = 0,
) -> GradientReport:
    """Compare every parameter's backprop gradient with central differences, in float64.

    The model is copied to float64 first (the original is not touched). The forward passes run
    in training mode, and the model's generator is rewound before each one, so layers that draw
    random numbers (dropout) see the same draws in every pass.

    Parameters
    ----------
    model : the network to check.
    X, y : a small batch, ``(n_samples, n_features_in)`` and targets for ``loss``.
    loss : a name or Loss; defaults to the model's.
    epsilon : the finite-difference step.
    max_checks_per_parameter : check at most this many entries of each parameter, chosen by
        ``random_state`` (all entries when ``None``).

    Returns
    -------
    :class:`GradientReport`, with ``max_relative_error`` and a printable table.
    """
    from ffnn.model import Sequential

    if not isinstance(model, Sequential):
        raise TypeError(f"model must be an ffnn Sequential, got {type(model).__name__}")
    epsilon = check_positive_float(epsilon, "epsilon")
    if max_checks_per_parameter is not None:
        check_positive_int(max_checks_per_parameter, "max_checks_per_parameter")
    loss_fn = model._loss_for(loss)
    work = model.astype(np.float64)
    X = check_array(X, "X", dtype=np.float64)
    check_n_features(X, work.n_features_in)
    targets = loss_fn.prepare_targets(y, work.n_outputs, np.float64)
    check_same_length(X, targets)
    picker = check_random_state(random_state)
    rng_state = _get_state(work.rng)

    def loss_at_current_parameters() -> float:
        _set_state(work.rng, rng_state)
        return loss_fn.forward(work.forward(X, training=True), targets) + work.penalty()

    base_loss = loss_at_current_parameters()
    work.backward(loss_fn.backward())
    named = [
        (f"layers[{position}].{param.name}", param, param.grad.copy())
        for position, layer in enumerate(work.layers)
        for param in layer.parameters()
    ]

    rows = []
    for name, param, grad in named:
        flat = param.data.flat  # writes through to the parameter, whatever its memory layout
        indices = np.arange(param.size)
        if max_checks_per_parameter is not None and param.size > max_checks_per_parameter:
            indices = np.sort(picker.choice(param.size, max_checks_per_parameter, replace=False))
        numeric = np.empty(indices.size)
        for k, i in enumerate(indices):
            original = flat[i]
            flat[i] = original + epsilon
            loss_plus = loss_at_current_parameters()
            flat[i] = original - epsilon
            loss_minus = loss_at_current_parameters()
            flat[i] = original
            numeric[k] = (loss_plus - loss_minus) / (2 * epsilon)
        backprop = grad.reshape(-1)[indices]
        diff = np.linalg.norm(backprop - numeric)
        scale = np.linalg.norm(backprop) + np.linalg.norm(numeric)
        rows.append(
            ParameterCheck(
                name=name,
                shape=param.shape,
                checked=int(indices.size),
                max_abs_error=float(np.max(np.abs(backprop - numeric))),
                relative_error=float(diff / scale) if scale > 0 else 0.0,
            )
        )
    return GradientReport(parameters=rows, epsilon=epsilon, loss=base_loss)
