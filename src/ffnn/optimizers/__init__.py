"""Optimizers: update every parameter in place from its gradient.

The contract with a model is PyTorch's: an optimizer holds a list of
:class:`~ffnn.layers.Parameter`, ``step()`` updates each ``.data`` from its ``.grad`` (and the
optimizer's own state), ``zero_grad()`` clears the gradients. An optimizer may be created
without parameters (``SGD(learning_rate=0.1)``) and bound to a model's by ``fit``.

Every update rule is the one ``torch.optim`` documents, with its defaults, so runs can be
checked step by step against PyTorch. Conventions shared by all optimizers:

- ``learning_rate`` may be changed between steps (by a callback or a schedule); the next step
  uses the new value, as changing ``param_groups[0]["lr"]`` does in PyTorch.
- ``weight_decay`` is PyTorch's L2 form ``g ← g + λθ`` (except in :class:`AdamW`), applied to
  every bound parameter; it is computed in a work buffer, so ``param.grad`` is left as it was.
- ``clip_value`` then ``clip_norm`` clip the gradients *in place* before the update, as
  :func:`clip_grad_value` and :func:`clip_grad_norm` do (like ``torch.nn.utils``): after
  ``step()``, ``param.grad`` holds the clipped gradient that was used.
- State is kept in parallel lists, one array per parameter (``optimizer.state["m"][i]``), and
  updated in place; temporaries live in work buffers shared by all parameters of a dtype, so a
  step allocates no parameter-sized array and float32 parameters stay float32.

Modules: :mod:`~ffnn.optimizers._base` (the base class, clipping, :func:`get`),
:mod:`~ffnn.optimizers.sgd`, :mod:`~ffnn.optimizers.adam` (Adam, AdamW),
:mod:`~ffnn.optimizers.adaptive` (RMSprop, Adagrad). Every name is importable from
``ffnn.optimizers``.
"""

from __future__ import annotations

from ffnn.optimizers._base import (
    CHUNK,
    OPTIMIZERS,
    Optimizer,
    State,
    Work,
    clip_grad_norm,
    clip_grad_value,
    get,
)
from ffnn.optimizers.adam import Adam, AdamW
from ffnn.optimizers.adaptive import Adagrad, RMSprop
from ffnn.optimizers.sgd import SGD

__all__ = [
    "CHUNK",
    "OPTIMIZERS",
    "SGD",
    "Adagrad",
    "Adam",
    "AdamW",
    "Optimizer",
    "RMSprop",
    "State",
    "Work",
    "clip_grad_norm",
    "clip_grad_value",
    "get",
]
