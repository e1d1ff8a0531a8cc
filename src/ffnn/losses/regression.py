"""Regression losses over all entries, with the identity link: squared, absolute and Huber."""

from __future__ import annotations

from typing import Any

import numpy as np

from ffnn._checks import check_positive_float
from ffnn.losses._base import LOSSES, Loss, LossFormulas

__all__ = ["Huber", "MeanAbsoluteError", "MeanSquaredError"]


@LOSSES.register("mean_squared_error", "mse")
class MeanSquaredError(Loss):
    """Mean squared error over all entries: ``L = mean((z - y)²)``; ``∂L/∂z = 2 (z - y) / N``.

    ``N = batch · n_outputs``, as ``torch.nn.MSELoss``. The output link is the identity.
    """

    name = "mean_squared_error"

    def forward(self, logits: np.ndarray, y: np.ndarray, sample_weight: Any = None) -> float:
        diff = logits - y
        return self._reduce(diff * diff, diff, sample_weight, factor=2.0)

    def formulas(self, out: str, prob: str, n: str) -> LossFormulas:
        return LossFormulas(
            None, f"L = (1/{n}) Σ ({out} - y)²", "", f"d{out} = 2·({out} - y) / {n}", ""
        )


@LOSSES.register("mean_absolute_error", "mae")
class MeanAbsoluteError(Loss):
    """Mean absolute error over all entries: ``L = mean|z - y|``; ``∂L/∂z = sign(z - y) / N``.

    ``N = batch · n_outputs``, as ``torch.nn.L1Loss``; the gradient at ``z = y`` is 0.
    """

    name = "mean_absolute_error"

    def forward(self, logits: np.ndarray, y: np.ndarray, sample_weight: Any = None) -> float:
        diff = logits - y
        terms = np.abs(diff)
        np.sign(diff, out=diff)
        return self._reduce(terms, diff, sample_weight)

    def formulas(self, out: str, prob: str, n: str) -> LossFormulas:
        return LossFormulas(
            None, f"L = (1/{n}) Σ |{out} - y|", "", f"d{out} = sign({out} - y) / {n}", ""
        )


@LOSSES.register("huber")
class Huber(Loss):
    """Huber loss, quadratic near zero and linear beyond ``delta`` (``torch.nn.HuberLoss``).

    With ``x = z - y``: ``ℓ = 0.5 x²`` if ``|x| ≤ δ`` else ``δ (|x| - 0.5 δ)``, mean over all
    ``N = batch · n_outputs`` entries; ``∂L/∂z = clip(x, -δ, δ) / N``.

    Parameters
    ----------
    delta : δ > 0, where the quadratic part turns linear.
    """

    name = "huber"

    def __init__(self, delta: float = 1.0) -> None:
        super().__init__()
        self.delta = check_positive_float(delta, "delta")

    def forward(self, logits: np.ndarray, y: np.ndarray, sample_weight: Any = None) -> float:
        diff = logits - y
        size = np.abs(diff)
        quadratic = np.minimum(size, self.delta)
        size -= quadratic  # the linear part, |x| - min(|x|, δ)
        # 0.5 q² + δ (|x| - q): 0.5 x² inside, 0.5 δ² + δ (|x| - δ) = δ (|x| - 0.5 δ) beyond
        terms = 0.5 * quadratic * quadratic + self.delta * size
        np.clip(diff, -self.delta, self.delta, out=diff)
        return self._reduce(terms, diff, sample_weight)

    def formulas(self, out: str, prob: str, n: str) -> LossFormulas:
        d = f"{self.delta:g}"
        return LossFormulas(
            None,
            f"L = (1/{n}) Σ h({out} - y),  h(e) = e²/2 if |e| <= {d} else {d}·(|e| - {d}/2)",
            "",
            f"d{out} = clip({out} - y, -{d}, {d}) / {n}",
            "",
        )

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "delta": self.delta}
