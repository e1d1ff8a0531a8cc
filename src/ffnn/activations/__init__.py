"""Activation functions as layers, each with its derivative beside it.

Every activation keeps what its backward pass needs (its input or its output, by reference) and
multiplies the incoming gradient element-wise by its derivative: ``∂L/∂x = ∂L/∂y ⊙ f'(x)``
(softmax, which mixes a row, by its Jacobian). Shapes are preserved: ``(batch, n)`` in,
``(batch, n)`` out, in the input's dtype: constants are Python floats, which never promote a
float32 array to float64.

Every activation stays finite, without floating-point warnings, for inputs up to ``±1e4`` in
float32 and float64.

Each class declares, beside its forward and backward, what the outer parts need: its names for
:func:`get` (``@register_activation``), its glass-box formulas (``formula``, ``derivative``, in
the tutorial's notation: ``Z`` in, ``A`` out) and its ONNX form (``to_onnx``); see
:class:`ffnn.layers.Layer`.

Modules: :mod:`~ffnn.activations._functions` (sigmoid, softmax, softplus, ...),
:mod:`~ffnn.activations._base` (the registry, :func:`get`), :mod:`~ffnn.activations.rectifiers`
(ReLU, LeakyReLU, ELU), :mod:`~ffnn.activations.smooth` (GELU, SiLU, Softplus, Mish),
:mod:`~ffnn.activations.squashing` (Sigmoid, Tanh, Identity, Softmax). A new built-in activation
is one class in one of these, decorated with ``@register_activation("name")``, and its export
here and in ``ffnn/__init__.py``.
"""

from __future__ import annotations

from ffnn.activations._base import ACTIVATIONS, get, register_activation
from ffnn.activations._functions import sigmoid, softmax
from ffnn.activations.rectifiers import ELU, LeakyReLU, ReLU
from ffnn.activations.smooth import GELU, Mish, SiLU, Softplus
from ffnn.activations.squashing import Identity, Sigmoid, Softmax, Tanh

__all__ = [
    "ACTIVATIONS",
    "register_activation",
    "sigmoid",
    "softmax",
    "ReLU",
    "LeakyReLU",
    "ELU",
    "GELU",
    "SiLU",
    "Softplus",
    "Mish",
    "Sigmoid",
    "Tanh",
    "Identity",
    "Softmax",
    "get",
]
