"""What the loop minimises beside the loss, and how it counts a batch in the epoch's loss.

For a batch of total weight ``W`` (its sample count ``B`` without sample weights) the loop
minimises ``objective.total(loss_fn(logits, yb, wb), W)``; after ``model.backward`` it calls
``objective.add_gradients(W)`` to add the penalty's gradient to the parameters' ``.grad``. The
epoch's loss is ``Σ_b L_b s_b / Σ_b s_b`` with the share ``s_b = W_b`` (the default) or
``s_b = B_b`` when ``average_by_count``.

The default, :class:`LayerPenalties`, is each layer's own ``regularizer`` (its gradient is
already written by the layer's backward). scikit-learn's penalty ``α Σ ‖W‖² / (2 W)`` lives
in :mod:`ffnn.sklearn` and plugs in here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ffnn.model import Sequential

__all__ = ["LayerPenalties", "Objective"]


class Objective:
    """The training objective's penalty and its bookkeeping; subclass to change them.

    Attributes
    ----------
    average_by_count : the epoch's loss weighs each batch by its sample count (scikit-learn)
        instead of its total sample weight.
    skip_weightless : a batch whose sample weights sum to 0 takes no step and counts a loss
        of 0 (scikit-learn); otherwise it is trained on as any other.
    """

    average_by_count = False
    skip_weightless = False

    def bind(self, model: Sequential) -> None:
        """Called once by the loop before training ``model``."""

    def total(self, loss: float, batch_weight: float) -> float:
        """``loss`` plus the penalty, for a batch of total weight ``batch_weight``."""
        return loss

    def add_gradients(self, batch_weight: float) -> None:
        """Add the penalty's gradient to the parameters' ``.grad`` (after the backward pass)."""


class LayerPenalties(Objective):
    """ffnn's default: ``loss + Σ_layers layer.penalty()`` (each layer's ``regularizer``, e.g.
    ``λ ‖W‖²``), added one layer at a time; the layers' backward passes add the gradients."""

    def __init__(self) -> None:
        self.penalized: list[Any] = []

    def bind(self, model: Sequential) -> None:
        self.penalized = [layer for layer in model.layers if getattr(layer, "regularizer", None)]

    def total(self, loss: float, batch_weight: float) -> float:
        for layer in self.penalized:
            loss += layer.penalty()
        return loss

    def __repr__(self) -> str:
        return "LayerPenalties()"
