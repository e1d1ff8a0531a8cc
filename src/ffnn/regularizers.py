"""Weight penalties: L1 and L2 on a layer's weights (never its biases).

A regularizer is a tiny object with ``penalty(W) -> float`` (added to the loss) and
``gradient(W) -> array`` (added to ``∂L/∂W``), so that the number training minimises and the
gradient it follows always agree, which ``ffnn.check_gradients`` verifies.
``get_config()`` gives a JSON-serialisable dict (``{"name": "l2", "l2": 0.01}``) that :func:`get`
turns back into the regularizer.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ffnn._checks import check_non_negative_float
from ffnn._registry import Registry

__all__ = ["Regularizer", "L1", "L2", "L1L2", "get"]


#: Every weight regularizer by short name and class name.
REGULARIZERS: Registry[type[Regularizer]] = Registry("regularizer")


class Regularizer:
    """Base class: ``penalty(W)`` and its gradient ``gradient(W)``."""

    def penalty(self, weights: np.ndarray) -> float:
        raise NotImplementedError

    def gradient(self, weights: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        raise NotImplementedError


@REGULARIZERS.register("l1_l2")
class L1L2(Regularizer):
    """``penalty = l1 Σ|w| + l2 Σw²``; ``gradient = l1 sign(w) + 2 l2 w``.

    The forms are Keras' (``keras.regularizers.L1L2``): note the L2 penalty has no ½, so its
    gradient is ``2 l2 w``; PyTorch's ``weight_decay=λ`` corresponds to ``l2 = λ / 2``.
    The L1 gradient at exactly 0 is taken as 0.
    """

    def __init__(self, l1: float = 0.0, l2: float = 0.0) -> None:
        self.l1 = check_non_negative_float(l1, "l1")
        self.l2 = check_non_negative_float(l2, "l2")

    def penalty(self, weights: np.ndarray) -> float:
        total = 0.0
        if self.l1:
            total += self.l1 * float(np.abs(weights).sum())
        if self.l2:
            total += self.l2 * float(np.square(weights).sum())
        return total

    def gradient(self, weights: np.ndarray) -> np.ndarray:
        grad = np.zeros_like(weights)
        if self.l1:
            grad += self.l1 * np.sign(weights)
        if self.l2:
            grad += (2 * self.l2) * weights
        return grad

    def get_config(self) -> dict[str, Any]:
        return {"name": "l1_l2", "l1": self.l1, "l2": self.l2}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(l1={self.l1:g}, l2={self.l2:g})"


@REGULARIZERS.register("l1")
class L1(L1L2):
    """``penalty = l1 Σ|w|`` (sparse weights)."""

    def __init__(self, l1: float = 0.01) -> None:
        super().__init__(l1=l1)

    def get_config(self) -> dict[str, Any]:
        return {"name": "l1", "l1": self.l1}

    def __repr__(self) -> str:
        return f"L1({self.l1:g})"


@REGULARIZERS.register("l2")
class L2(L1L2):
    """``penalty = l2 Σw²`` (small weights; "weight decay" in the loss)."""

    def __init__(self, l2: float = 0.01) -> None:
        super().__init__(l2=l2)

    def get_config(self) -> dict[str, Any]:
        return {"name": "l2", "l2": self.l2}

    def __repr__(self) -> str:
        return f"L2({self.l2:g})"


def get(identifier: str | dict[str, Any] | Regularizer | None) -> Regularizer | None:
    """``None``, a Regularizer, ``"l1"`` / ``"l2"`` / ``"l1_l2"`` with default strengths, or a
    config dict such as ``{"name": "l2", "l2": 0.001}``."""
    if identifier is None or isinstance(identifier, Regularizer):
        return identifier
    if isinstance(identifier, dict):
        arguments = dict(identifier)
        name = arguments.pop("name", None)
        if not isinstance(name, str) or REGULARIZERS.find(name) is None:
            raise ValueError(
                f"unknown regularizer config {identifier!r}; expected a dict whose 'name' is one "
                f"of {REGULARIZERS.names()}"
            )
        try:
            return REGULARIZERS.lookup(name)(**arguments)
        except TypeError as error:
            raise TypeError(f"bad arguments for regularizer {name!r}: {error}") from error
    cls = REGULARIZERS.find(identifier)
    if cls is not None:
        return cls()
    raise ValueError(
        f"unknown regularizer {identifier!r}; expected a Regularizer, None or one of "
        f"{REGULARIZERS.names()}"
    )
