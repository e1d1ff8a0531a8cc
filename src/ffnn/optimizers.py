"""Optimizers: update every parameter in place from its gradient.

The contract with a model is PyTorch's: an optimizer holds a list of
:class:`~ffnn.layers.Parameter`, ``step()`` updates each ``.data`` from its ``.grad`` (and the
optimizer's own state), ``zero_grad()`` clears the gradients. An optimizer may be created
without parameters (``SGD(learning_rate=0.1)``) and bound to a model's by ``fit``.
"""

from __future__ import annotations

from collections.abc import Iterable

from ffnn._checks import check_positive_float
from ffnn.layers import Parameter

__all__ = ["Optimizer", "SGD", "get"]


class Optimizer:
    """Base class: one update hook, :meth:`_update`, called for every parameter by :meth:`step`."""

    def __init__(self, learning_rate: float, parameters: Iterable[Parameter] | None = None) -> None:
        self.learning_rate = check_positive_float(learning_rate, "learning_rate")
        self.parameters: list[Parameter] = []
        self.iterations = 0
        if parameters is not None:
            self.bind(parameters)

    def bind(self, parameters: Iterable[Parameter]) -> Optimizer:
        """Attach the parameters to update (and forget any state kept for earlier ones)."""
        params = list(parameters)
        for p in params:
            if not isinstance(p, Parameter):
                raise TypeError(f"expected ffnn Parameter objects, got {type(p).__name__}")
        self.parameters = params
        self.iterations = 0
        self._reset_state()
        return self

    def _reset_state(self) -> None:
        """Allocate per-parameter state (nothing for plain SGD)."""

    def zero_grad(self) -> None:
        for p in self.parameters:
            p.zero_grad()

    def step(self) -> None:
        """Apply one update to every bound parameter."""
        if not self.parameters:
            raise RuntimeError(
                f"{type(self).__name__} has no parameters: pass parameters= or call bind()"
            )
        self.iterations += 1
        for index, p in enumerate(self.parameters):
            self._update(index, p)

    def _update(self, index: int, param: Parameter) -> None:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}(learning_rate={self.learning_rate})"


class SGD(Optimizer):
    """Plain (stochastic) gradient descent: ``θ ← θ - η g``.

    With full batches this is the tutorial's ``update_parameters``.
    """

    def __init__(
        self, learning_rate: float = 0.01, parameters: Iterable[Parameter] | None = None
    ) -> None:
        super().__init__(learning_rate, parameters)

    def _update(self, index: int, param: Parameter) -> None:
        # θ -= η g, evaluated as the tutorial does (η·g first), so numbers match to the bit.
        param.data -= self.learning_rate * param.grad


_BY_NAME: dict[str, type[Optimizer]] = {"sgd": SGD}


def get(identifier: str | Optimizer) -> Optimizer:
    """An optimizer from its name (``"sgd"``), with its default settings, or the instance."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str) and identifier.lower() in _BY_NAME:
        return _BY_NAME[identifier.lower()]()  # type: ignore[call-arg]
    raise ValueError(
        f"unknown optimizer {identifier!r}; expected an Optimizer or one of {sorted(_BY_NAME)}"
    )
