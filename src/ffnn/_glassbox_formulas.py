"""The formulas :func:`ffnn.explain_step` prints: each activation's ``f(z)`` and ``f'(z)``, each
loss's link, value and output gradient, in the tutorial's notation (see :mod:`ffnn.glassbox`)."""

from __future__ import annotations

from typing import NamedTuple

from ffnn import activations as act
from ffnn.layers import Layer
from ffnn.losses import (
    BinaryCrossEntropy,
    CrossEntropy,
    Huber,
    Loss,
    MeanAbsoluteError,
    MeanSquaredError,
)

__all__ = ["LossText", "activation_formulas", "loss_formulas"]


def activation_formulas(layer: Layer) -> tuple[str, str, str] | None:
    """``(name, f(z), f'(z))`` of an activation layer of ffnn.activations; ``None`` otherwise.

    Exact types only: a subclass may compute something else than its parent's formula.
    """
    kind = type(layer)
    if kind is act.ReLU:
        return "relu", "max(0, z)", "1 if z > 0 else 0"
    if isinstance(layer, act.LeakyReLU) and kind is act.LeakyReLU:
        a = f"{layer.negative_slope:g}"
        return "leaky_relu", f"z if z > 0 else {a}·z", f"1 if z > 0 else {a}"
    if isinstance(layer, act.ELU) and kind is act.ELU:
        a = f"{layer.alpha:g}"
        return "elu", f"z if z > 0 else {a}·(exp(z) - 1)", f"1 if z > 0 else {a}·exp(z)"
    if isinstance(layer, act.GELU) and kind is act.GELU:
        if layer.approximate == "tanh":
            return (
                "gelu",
                "z·σ(2u), u = √(2/π)·(z + 0.044715·z³)",
                "σ(2u) + z·σ(2u)·(1 - σ(2u))·2u'",
            )
        return "gelu", "z·Φ(z), Φ the standard normal CDF", "Φ(z) + z·φ(z)"
    simple: dict[type[Layer], tuple[str, str, str]] = {
        act.SiLU: ("silu", "z·σ(z)", "σ(z)·(1 + z·(1 - σ(z)))"),
        act.Softplus: ("softplus", "log(1 + exp(z))", "σ(z)"),
        act.Sigmoid: ("sigmoid", "σ(z) = 1 / (1 + exp(-z))", "σ(z)·(1 - σ(z))"),
        act.Tanh: ("tanh", "tanh(z)", "1 - tanh(z)²"),
        act.Identity: ("identity", "z", "1"),
        act.Softmax: ("softmax", "exp(z_k) / Σ_j exp(z_j), row by row", ""),
    }
    return simple.get(kind)


class LossText(NamedTuple):
    link: str | None  # None: the identity, no line printed
    loss: str
    loss_note: str
    gradient: str
    gradient_note: str


def loss_formulas(loss: Loss, out: str, prob: str, n: str) -> LossText:
    """The formulas of a loss whose input is ``out``, whose link output is ``prob`` and whose
    mean runs over ``n`` terms; ``TypeError`` for a loss it cannot explain."""
    if type(loss) is BinaryCrossEntropy:
        return LossText(
            f"{prob} = σ({out}) = 1 / (1 + exp(-{out}))   (inside the loss)",
            f"L = -(1/{n}) Σ [y·log {prob} + (1 - y)·log(1 - {prob})]",
            f"computed from {out}: mean of max({out}, 0) - {out}·y + log(1 + exp(-|{out}|)),\n"
            "the same number without ever taking log(0)",
            f"d{out} = ({prob} - y) / {n}",
            "sigmoid and cross-entropy differentiated together: the tutorial's dZ2 = A2 - y,\n"
            f"with the 1/{n} it puts in dW2 and db2 taken here once",
        )
    if type(loss) is CrossEntropy:
        return LossText(
            f"{prob} = softmax({out}), row by row: exp(z_k) / Σ_j exp(z_j)   (inside the loss)",
            f"L = -(1/{n}) Σ_i Σ_k y_ik·log {prob}_ik   (y one-hot)",
            f"computed from {out}: mean of log Σ_j exp(z_j) - Σ_k y_k·z_k (log-sum-exp)",
            f"d{out} = ({prob} - y) / {n}",
            f"softmax and cross-entropy differentiated together; the 1/{n} of the mean taken here",
        )
    if type(loss) is MeanSquaredError:
        return LossText(
            None, f"L = (1/{n}) Σ ({out} - y)²", "", f"d{out} = 2·({out} - y) / {n}", ""
        )
    if type(loss) is MeanAbsoluteError:
        return LossText(
            None, f"L = (1/{n}) Σ |{out} - y|", "", f"d{out} = sign({out} - y) / {n}", ""
        )
    if isinstance(loss, Huber) and type(loss) is Huber:
        d = f"{loss.delta:g}"
        return LossText(
            None,
            f"L = (1/{n}) Σ h({out} - y),  h(e) = e²/2 if |e| <= {d} else {d}·(|e| - {d}/2)",
            "",
            f"d{out} = clip({out} - y, -{d}, {d}) / {n}",
            "",
        )
    raise TypeError(
        f"explain_step explains the losses binary_cross_entropy, cross_entropy, "
        f"mean_squared_error, mean_absolute_error and huber, got {loss!r}"
    )
