"""Parameters and layers: the building blocks a :class:`ffnn.Sequential` chains.

The layer protocol, the whole contract between a layer and the rest of the library:

- ``forward(x, training=False) -> output``: keeps what its backward pass needs;
- ``backward(grad) -> grad_input``: given ``∂L/∂output``, writes ``∂L/∂θ`` into each parameter's
  ``.grad`` (overwritten, not accumulated) and returns ``∂L/∂x``;
- ``parameters() -> list[Parameter]``: what an optimizer updates;
- ``buffers() -> dict[str, array]``: state that is saved with the weights but not trained (a
  batch norm's running statistics), keyed by the layer's attribute names and updated in place,
  so that a snapshot can be written back with ``array[...] = saved``;
- ``penalty() -> float``: what the layer adds to the loss (a weight regularizer's penalty);
- ``reset_parameters(rng, dtype, default_initializer=None)``: draws initial values, and keeps
  ``rng`` when the layer draws random numbers while training (dropout);
- ``get_config() -> dict``: JSON-serialisable constructor arguments, so that
  ``type(layer)(**layer.get_config())`` rebuilds an equivalent layer (weights aside).

Two optional hooks let the outer parts treat a layer, built in or a user's own, from what the
class itself declares (no outer module keeps a table of layer classes):

- the glass box (:func:`ffnn.explain_step`): the class attributes ``formula`` and ``derivative``,
  or the method ``formulas() -> dict[str, str]`` when the text depends on the layer's arguments
  or names parameter gradients; written in the tutorial's notation, with ``Z`` the layer's input,
  ``A`` its output, ``dA`` the gradient arriving and ``dZ`` the one returned, which
  ``explain_step`` numbers (``Z1``, ``A1``): ``formula = "A = max(0, Z)"``,
  ``derivative = "dZ = dA * [Z > 0]"``. Undeclared, ``explain_step`` still prints the arrays,
  marked "(no formula declared)".
- ONNX (:func:`ffnn.export_onnx`): ``to_onnx(graph, x) -> str`` adds the layer's inference form
  to ``graph`` (``graph.node(op, inputs, **attributes)``, ``graph.constant(name, array)``,
  ``graph.dtype``, ``graph.opset``; see docs/onnx.md) and returns the name of its output. The
  default returns ``NotImplemented``: the export then fails with an error naming the layer and
  this hook. The core never imports onnx: the graph is handed in by :mod:`ffnn.onnx`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ffnn import initializers, regularizers
from ffnn._checks import (
    FLOAT_DTYPES,
    Generator,
    check_dtype,
    check_fraction,
    check_positive_int,
    check_random_state,
)
from ffnn._registry import Registry

__all__ = ["LAYERS", "Parameter", "Layer", "Dense", "Dropout", "declares"]

#: Every layer class a model file may name, by class name (built-ins register beside their
#: class; a user's own classes are passed to ``ffnn.load(..., custom_objects=...)``).
LAYERS: Registry[type[Layer]] = Registry("layer")


class Parameter:
    """A trainable array and the gradient of the loss with respect to it.

    ``data`` is updated in place by optimizers; ``grad`` has the same shape and dtype and is
    overwritten by every backward pass.
    """

    def __init__(self, data: np.ndarray, name: str = "") -> None:
        self.data = data
        self.grad = np.zeros_like(data)
        self.name = name

    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def size(self) -> int:
        return int(self.data.size)

    def zero_grad(self) -> None:
        self.grad.fill(0)

    def __repr__(self) -> str:
        return f"Parameter(name={self.name!r}, shape={self.data.shape}, dtype={self.data.dtype})"


class Layer:
    """Base class of every layer: no parameters, no buffers, no penalty, no arguments."""

    #: The weight initializer a Dense layer right before this one gets by default; ``None``
    #: for layers with no preference of their own (dropout, normalisation).
    preferred_initializer: str | None = "glorot_uniform"

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        raise NotImplementedError

    def backward(self, grad: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def parameters(self) -> list[Parameter]:
        return []

    def buffers(self) -> dict[str, np.ndarray]:
        """Non-trainable state arrays by attribute name; training updates them in place (only
        ``reset_parameters`` rebinds them), so writing into these arrays restores a state."""
        return {}

    def penalty(self) -> float:
        """The regularisation penalty this layer adds to the loss."""
        return 0.0

    def reset_parameters(
        self, rng: Generator, dtype: Any, default_initializer: str | None = None
    ) -> None:
        """Draw fresh initial values (layers without parameters have nothing to do)."""

    def output_size(self, n_in: int) -> int:
        """Number of output features for ``n_in`` input features (unchanged by default)."""
        return n_in

    def get_config(self) -> dict[str, Any]:
        """Constructor arguments as a JSON-serialisable dict (none by default)."""
        return {}

    #: The glass box's forward formula, ``Z`` in and ``A`` out: ``"A = max(0, Z)"``.
    formula: str | None = None
    #: The glass box's backward formula, ``dA`` in and ``dZ`` out: ``"dZ = dA * [Z > 0]"``.
    derivative: str | None = None

    def formulas(self) -> dict[str, str]:
        """The formulas :func:`ffnn.explain_step` prints for this layer, by the array they give:
        ``"A"`` (forward), ``"dZ"`` (backward) and ``"d" + name`` for the gradient of a
        parameter named ``name``. By default ``formula`` and ``derivative``, where declared;
        override it when the text depends on the layer's arguments."""
        declared = {"A": self.formula, "dZ": self.derivative}
        return {key: text for key, text in declared.items() if text is not None}

    def to_onnx(self, graph: Any, x: str) -> str:
        """Add this layer's inference form to an ONNX ``graph`` whose value ``x`` is the
        layer's input ``(batch, n_in)``; return the name of its output ``(batch, n_out)``.

        ``graph.node(op, inputs, **attributes) -> name`` adds an ONNX operator,
        ``graph.constant(name, array) -> name`` a weight (in ``graph.dtype``); ``graph.opset``
        is the opset being written. Not overridden: ``NotImplemented``, and
        :func:`ffnn.export_onnx` names the layer and this hook in its error.
        """
        return NotImplemented

    def __call__(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        return self.forward(x, training=training)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def declares(layer: Layer, *hooks: str) -> bool:
    """Whether ``layer``'s class declares one of ``hooks`` (``"to_onnx"``, ``"formulas"``, ...)
    for the forward pass it runs: a class that overrides ``forward`` below the class that
    declared the hook computes something else than the hook describes, so it does not count.

    ``declares(Mish(), "to_onnx")`` is True; for a ``class Scaled(Dense)`` with its own
    ``forward`` but no ``to_onnx`` of its own it is False.
    """

    def owner(name: str) -> type:
        return next(cls for cls in type(layer).__mro__ if name in vars(cls))

    owners = [owner(hook) for hook in hooks if hasattr(layer, hook)]
    owners = [cls for cls in owners if cls is not Layer]
    if not owners:
        return False
    forward = owner("forward")
    return any(issubclass(cls, forward) for cls in owners)


@LAYERS.register()
class Dense(Layer):
    """Fully connected layer: ``y = x W + b``.

    Parameters
    ----------
    n_in, n_out : numbers of input and output features; ``W`` is ``(n_in, n_out)``, ``b`` is
        ``(n_out,)``.
    initializer : weight initializer, a name, a config dict or an
        :class:`~ffnn.initializers.Initializer`. ``None`` lets the model choose from the
        activation that follows (He for the ReLU family, Glorot otherwise); a Dense used on its
        own then gets Glorot uniform.
    bias_initializer : zeros by default.
    regularizer : ``None``, a name (``"l2"``), a config dict or an
        :class:`~ffnn.regularizers.Regularizer`, applied to ``W`` only, never to ``b``:
        :meth:`penalty` is ``R(W)`` and backward adds ``∂R/∂W`` to ``∂L/∂W``.
    dtype, random_state : used when the layer is built on its own. Inside a
        :class:`~ffnn.Sequential` the model re-draws the weights from its own generator and
        dtype, so that one seed fixes the whole network.

    Backward, for ``grad = ∂L/∂y`` of shape ``(batch, n_out)``:
    ``∂L/∂W = xᵀ grad (+ ∂R/∂W)`` ``(n_in, n_out)``, ``∂L/∂b = Σ_batch grad`` ``(n_out,)``,
    ``∂L/∂x = grad Wᵀ`` ``(batch, n_in)``.
    """

    def __init__(
        self,
        n_in: int,
        n_out: int,
        initializer: str | dict[str, Any] | initializers.Initializer | None = None,
        bias_initializer: str | dict[str, Any] | initializers.Initializer = "zeros",
        regularizer: str | dict[str, Any] | regularizers.Regularizer | None = None,
        *,
        dtype: Any = np.float32,
        random_state: Any = None,
    ) -> None:
        self.n_in = check_positive_int(n_in, "n_in")
        self.n_out = check_positive_int(n_out, "n_out")
        self.initializer = None if initializer is None else initializers.get(initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.regularizer = regularizers.get(regularizer)
        self.weight = Parameter(np.zeros((self.n_in, self.n_out)), "weight")
        self.bias = Parameter(np.zeros(self.n_out), "bias")
        self._x: np.ndarray | None = None
        self._ones = np.ones(0)
        self.reset_parameters(check_random_state(random_state), check_dtype(dtype))

    def reset_parameters(
        self, rng: Generator, dtype: Any, default_initializer: str | None = None
    ) -> None:
        init = self.initializer or initializers.get(default_initializer or "glorot_uniform")
        self.weight = Parameter(init((self.n_in, self.n_out), rng, dtype), "weight")
        self.bias = Parameter(self.bias_initializer((self.n_out,), rng, dtype), "bias")

    def parameters(self) -> list[Parameter]:
        return [self.weight, self.bias]

    def penalty(self) -> float:
        """``R(W)`` of the regularizer (0.0 without one); the bias is never penalised."""
        return 0.0 if self.regularizer is None else self.regularizer.penalty(self.weight.data)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self._x = x  # (batch, n_in), kept by reference for backward
        out = x @ self.weight.data  # (batch, n_out)
        out += self.bias.data
        return out

    def backward(self, grad: np.ndarray) -> np.ndarray:
        self.backward_parameters(grad)
        return grad @ self.weight.data.T  # (batch, n_in)

    def backward_parameters(self, grad: np.ndarray) -> None:
        """The parameter half of :meth:`backward`: fill ``∂L/∂W`` and ``∂L/∂b`` only.

        The first layer of a network needs no ``∂L/∂x``; skipping that product saves a third
        of the layer's backward work (``Sequential.backward(grad, input_grad=False)``).
        """
        if self._x is None:
            raise RuntimeError("Dense.backward called before forward")
        np.matmul(self._x.T, grad, out=self.weight.grad)  # (n_in, n_out)
        if self.regularizer is not None:
            self.weight.grad += self.regularizer.gradient(self.weight.data)
        # Σ_batch grad as a matrix-vector product: 2-5x faster than a reduction over axis 0
        if self._ones.shape[0] != grad.shape[0] or self._ones.dtype != grad.dtype:
            self._ones = np.ones(grad.shape[0], dtype=grad.dtype)
        np.matmul(self._ones, grad, out=self.bias.grad)  # (n_out,)

    def output_size(self, n_in: int) -> int:
        return self.n_out

    def to_onnx(self, graph: Any, x: str) -> str:
        """``Gemm``: ``x W + b``."""
        weight = graph.constant("weight", self.weight.data)  # (n_in, n_out)
        bias = graph.constant("bias", self.bias.data)  # (n_out,)
        return str(graph.node("Gemm", [x, weight, bias]))

    def get_config(self) -> dict[str, Any]:
        return {
            "n_in": self.n_in,
            "n_out": self.n_out,
            "initializer": None if self.initializer is None else self.initializer.get_config(),
            "bias_initializer": self.bias_initializer.get_config(),
            "regularizer": None if self.regularizer is None else self.regularizer.get_config(),
            "dtype": self.weight.data.dtype.name,
        }

    def __repr__(self) -> str:
        init = "auto" if self.initializer is None else repr(self.initializer)
        extra = "" if self.regularizer is None else f", regularizer={self.regularizer!r}"
        return f"Dense(n_in={self.n_in}, n_out={self.n_out}, initializer={init}{extra})"


@LAYERS.register()
class Dropout(Layer):
    """Inverted dropout (Srivastava et al., 2014): while training, zero each input with
    probability ``rate`` and scale the survivors by ``1 / (1 - rate)``, so that the expected
    output equals the input and inference needs no rescaling.

    Training: ``y = x ⊙ m / (1 - rate)`` with ``m_ij ~ Bernoulli(1 - rate)`` drawn afresh by
    every forward; ``∂L/∂x = ∂L/∂y ⊙ m / (1 - rate)``, with the same mask. Inference (or
    ``rate == 0``): ``y = x``, and no random numbers are drawn. Shapes ``(batch, n)`` in and out.

    Parameters
    ----------
    rate : probability of dropping a unit, in ``[0, 1)``.
    random_state : the generator of a Dropout used on its own. Inside a
        :class:`~ffnn.Sequential` the masks come from the model's generator (handed over by
        ``reset_parameters``), so the model's one seed fixes them too.

    A ``np.random.Generator`` draws the uniforms in the input's dtype (float32 draws are
    cheaper), so a float32 and a float64 model see different masks; a legacy ``RandomState``
    always draws float64.
    """

    preferred_initializer = None

    def __init__(self, rate: float = 0.5, *, random_state: Any = None) -> None:
        self.rate = check_fraction(rate, "rate", closed=False)
        self._rng = check_random_state(random_state)
        self._mask: np.ndarray | None = None  # m / (1 - rate), in the input's dtype
        self._called = False

    def reset_parameters(
        self, rng: Generator, dtype: Any, default_initializer: str | None = None
    ) -> None:
        """No parameters: keep ``rng``, the generator every mask is drawn from."""
        self._rng = rng

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self._called = True
        if not training or self.rate == 0:
            self._mask = None
            return x
        dtype = x.dtype if x.dtype in FLOAT_DTYPES else np.dtype(np.float64)
        if isinstance(self._rng, np.random.Generator):
            uniform = self._rng.random(x.shape, dtype=dtype)
        else:
            uniform = self._rng.random_sample(x.shape)
        keep = uniform >= self.rate  # P(keep) = P(u >= rate) = 1 - rate
        mask = keep.astype(dtype)
        mask *= 1.0 / (1.0 - self.rate)
        self._mask = mask  # (batch, n)
        return x * mask

    def backward(self, grad: np.ndarray) -> np.ndarray:
        if not self._called:
            raise RuntimeError("Dropout.backward called before forward")
        return grad if self._mask is None else grad * self._mask

    formula = "A = Z ⊙ M / (1 - rate), M ~ Bernoulli(1 - rate) drawn afresh each step"
    derivative = "dZ = dA ⊙ M / (1 - rate), with the same M"

    def to_onnx(self, graph: Any, x: str) -> str:
        """Nothing: dropout is the identity at inference."""
        return x

    def get_config(self) -> dict[str, Any]:
        return {"rate": self.rate}

    def __repr__(self) -> str:
        return f"Dropout(rate={self.rate})"
