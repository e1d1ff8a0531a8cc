"""The activation registry (names for :func:`get`), the decorator that fills it, the shared
base class and :func:`get`."""

from __future__ import annotations

from typing import Any

import numpy as np

from ffnn._registry import Registry
from ffnn.layers import LAYERS, Layer

__all__ = ["ACTIVATIONS", "get", "register_activation"]

ACTIVATIONS: Registry[type[Layer]] = Registry("activation")


def register_activation(*names: str) -> Any:
    """A class decorator: the activation joins :data:`ACTIVATIONS` under ``names`` (for
    :func:`get`) and ``layers.LAYERS`` under its class name (for model files)."""

    def add(cls: type[Layer]) -> type[Layer]:
        ACTIVATIONS.add(cls, *names)
        LAYERS.add(cls)
        return cls

    return add


class _Activation(Layer):
    """Shared bookkeeping: the tensor the derivative is computed from."""

    def __init__(self) -> None:
        self._saved: np.ndarray | None = None

    def _get_saved(self) -> np.ndarray:
        if self._saved is None:
            raise RuntimeError(f"{type(self).__name__}.backward called before forward")
        return self._saved


def get(identifier: str | Layer) -> Layer:
    """An activation layer from its name (``"relu"``, ``"gelu"``, ``"swish"``, ...; default
    arguments) or the layer itself."""
    if isinstance(identifier, Layer):
        return identifier
    cls = ACTIVATIONS.find(identifier)
    if cls is None:
        raise ValueError(
            f"unknown activation {identifier!r}; expected a Layer or one of {ACTIVATIONS.names()}"
        )
    return cls()
