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
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ffnn._checks import check_fraction, check_positive_float
from ffnn._registry import Registry
from ffnn.layers import LAYERS, Layer

#: Activation layers by name, for :func:`get` (``"relu"``, ``"swish"``, ...).
ACTIVATIONS: Registry[type[Layer]] = Registry("activation")


def register_activation(*names: str) -> Any:
    """A class decorator: the activation joins :data:`ACTIVATIONS` under ``names`` (for
    :func:`get`) and ``layers.LAYERS`` under its class name (for model files)."""

    def add(cls: type[Layer]) -> type[Layer]:
        ACTIVATIONS.add(cls, *names)
        LAYERS.add(cls)
        return cls

    return add


__all__ = [
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

# Python floats, never np.float64 scalars: those would promote float32 arrays to float64.
_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_GELU_CUBIC = 0.044715


def sigmoid(z: np.ndarray) -> np.ndarray:
    """``σ(z) = 1 / (1 + exp(-z))``, finite for every finite ``z``.

    For ``z < -709`` (float64; ``-88`` in float32) ``exp(-z)`` overflows to ``inf`` and
    ``1 / inf = 0``, the correctly rounded answer, so the overflow is silenced rather than
    avoided.
    """
    with np.errstate(over="ignore"):
        out = np.exp(-z)
        out += 1
        np.reciprocal(out, out=out)
    return out


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise ``softmax(z)_k = exp(z_k - max z) / Σ_j exp(z_j - max z)``; ``(batch, K)``.

    Subtracting the row maximum changes nothing mathematically and keeps every ``exp`` in
    ``(0, 1]``: no overflow, and the sum is at least 1.
    """
    shifted = z - z.max(axis=1, keepdims=True)  # (batch, K), each row's max is 0
    np.exp(shifted, out=shifted)
    shifted /= shifted.sum(axis=1, keepdims=True)
    return shifted


@functools.cache
def _erfc() -> Callable[[np.ndarray], np.ndarray]:
    """The complementary error function: SciPy's ufunc when SciPy imports, else ``math.erfc``
    applied element by element (slower, same values to the last bit or two)."""
    try:
        from scipy.special import erfc
    except ImportError:
        return _math_erfc
    return erfc


_MATH_ERFC = np.frompyfunc(math.erfc, 1, 1)


def _math_erfc(x: np.ndarray) -> np.ndarray:
    """``math.erfc`` over an array; ``frompyfunc`` returns objects, so cast back to ``x``'s
    dtype."""
    return np.asarray(_MATH_ERFC(x)).astype(x.dtype)


def _normal_cdf(x: np.ndarray) -> np.ndarray:
    """``Φ(x) = ½ erfc(-x / √2)``; the same as ``½ (1 + erf(x / √2))`` but accurate to full
    relative precision in the left tail, where ``1 + erf`` cancels."""
    out = _erfc()(x * -_SQRT_HALF)
    out *= 0.5
    return out.astype(x.dtype, copy=False)


def _softplus(x: np.ndarray) -> np.ndarray:
    """``log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|))``: ``exp`` never overflows."""
    out = np.exp(-np.abs(x))  # in (0, 1]
    np.log1p(out, out=out)
    out += np.maximum(x, 0)
    return out


def _softplus_spelled_out(graph: Any, x: str) -> str:
    """``max(x, 0) + log(1 + exp(-|x|))`` in ONNX operators: onnxruntime has no float64
    ``Softplus``."""
    exp = graph.node("Exp", [graph.node("Neg", [graph.node("Abs", [x])])])
    log = graph.node("Log", [graph.node("Add", [exp, graph.constant("one", 1)])])
    return str(graph.node("Add", [graph.node("Relu", [x]), log]))


class _Activation(Layer):
    """Shared bookkeeping: the tensor the derivative is computed from."""

    def __init__(self) -> None:
        self._saved: np.ndarray | None = None

    def _get_saved(self) -> np.ndarray:
        if self._saved is None:
            raise RuntimeError(f"{type(self).__name__}.backward called before forward")
        return self._saved


@register_activation("relu")
class ReLU(_Activation):
    """Rectified linear unit: ``y = max(0, x)``; ``y' = 1 if x > 0 else 0`` (0 at the kink)."""

    preferred_initializer = "he_normal"
    formula = "A = relu(Z),  relu(z) = max(0, z)"
    derivative = "dZ = dA * relu'(Z),  relu'(z) = 1 if z > 0 else 0"

    def to_onnx(self, graph: Any, x: str) -> str:
        return str(graph.node("Relu", [x]))

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        out = np.maximum(x, 0)
        self._saved = out  # out > 0 exactly where x > 0
        return out

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return grad * (self._get_saved() > 0)


@register_activation("leaky_relu")
class LeakyReLU(_Activation):
    """``y = x if x > 0 else a·x``; ``y' = 1 if x > 0 else a`` (``a = negative_slope``)."""

    preferred_initializer = "he_normal"

    def __init__(self, negative_slope: float = 0.01) -> None:
        super().__init__()
        self.negative_slope = check_fraction(negative_slope, "negative_slope", closed=False)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self._saved = x
        return np.where(x > 0, x, x * self.negative_slope)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        slope = np.where(self._get_saved() > 0, 1, self.negative_slope).astype(grad.dtype)
        return grad * slope

    def formulas(self) -> dict[str, str]:
        a = f"{self.negative_slope:g}"
        return {
            "A": f"A = leaky_relu(Z),  leaky_relu(z) = z if z > 0 else {a}·z",
            "dZ": f"dZ = dA * leaky_relu'(Z),  leaky_relu'(z) = 1 if z > 0 else {a}",
        }

    def to_onnx(self, graph: Any, x: str) -> str:
        if graph.dtype == np.float32:
            return str(graph.node("LeakyRelu", [x], alpha=self.negative_slope))
        # x where x > 0, else a x: onnxruntime's float64 LeakyRelu is missing or rounds to float32
        slope = graph.constant("negative_slope", self.negative_slope)
        positive = graph.node("Greater", [x, graph.constant("zero", 0)])
        return str(graph.node("Where", [positive, x, graph.node("Mul", [x, slope])]))

    def get_config(self) -> dict[str, Any]:
        return {"negative_slope": self.negative_slope}

    def __repr__(self) -> str:
        return f"LeakyReLU(negative_slope={self.negative_slope})"


@register_activation("elu")
class ELU(_Activation):
    """Exponential linear unit (Clevert et al., 2016), ``α = alpha``:
    ``y = x if x > 0 else α (exp(x) - 1)``; ``y' = 1 if x > 0 else α exp(x)``.

    ``exp`` only ever sees ``min(x, 0)``, so large positive inputs cannot overflow.
    """

    preferred_initializer = "he_normal"

    def __init__(self, alpha: float = 1.0) -> None:
        super().__init__()
        self.alpha = check_positive_float(alpha, "alpha")

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self._saved = x
        negative = np.expm1(np.minimum(x, 0))  # (batch, n); exp(x) - 1 without cancellation
        negative *= self.alpha
        return np.where(x > 0, x, negative)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        x = self._get_saved()
        slope = np.exp(np.minimum(x, 0))
        slope *= self.alpha
        slope[x > 0] = 1
        return grad * slope

    def formulas(self) -> dict[str, str]:
        a = f"{self.alpha:g}"
        return {
            "A": f"A = elu(Z),  elu(z) = z if z > 0 else {a}·(exp(z) - 1)",
            "dZ": f"dZ = dA * elu'(Z),  elu'(z) = 1 if z > 0 else {a}·exp(z)",
        }

    def to_onnx(self, graph: Any, x: str) -> str:
        if graph.dtype == np.float32:
            return str(graph.node("Elu", [x], alpha=self.alpha))
        # α (exp(min(x, 0)) - 1) where x <= 0, else x: onnxruntime has no float64 Elu
        zero = graph.constant("zero", 0)
        exp = graph.node("Exp", [graph.node("Min", [x, zero])])
        negative = graph.node("Sub", [exp, graph.constant("one", 1)])
        negative = graph.node("Mul", [negative, graph.constant("alpha", self.alpha)])
        positive = graph.node("Greater", [x, zero])
        return str(graph.node("Where", [positive, x, negative]))

    def get_config(self) -> dict[str, Any]:
        return {"alpha": self.alpha}

    def __repr__(self) -> str:
        return f"ELU(alpha={self.alpha})"


@register_activation("gelu")
class GELU(_Activation):
    """Gaussian error linear unit (Hendrycks & Gimpel, 2016): ``y = x Φ(x)``, ``Φ`` the
    standard normal CDF.

    ``approximate="none"``: ``Φ(x) = ½ erfc(-x/√2)``, ``y' = Φ(x) + x φ(x)`` with the normal
    density ``φ(x) = exp(-x²/2) / √(2π)``. Uses ``scipy.special.erfc`` when SciPy is installed,
    ``math.erfc`` element-wise otherwise.

    ``approximate="tanh"``: ``y = ½ x (1 + tanh u)`` with ``u = √(2/π) (x + 0.044715 x³)``,
    computed as ``y = x σ(2u)`` (the same function: ``½ (1 + tanh u) = σ(2u)``), which keeps
    full relative precision in the left tail where ``1 + tanh u`` cancels;
    ``y' = σ(2u) + x σ(2u) (1 - σ(2u)) · 2u'`` with ``u' = √(2/π) (1 + 3·0.044715 x²)``.

    Both are ``torch.nn.functional.gelu`` with the same ``approximate``.
    """

    preferred_initializer = "he_normal"

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self._saved = x
        if self.approximate == "tanh":
            return x * sigmoid(self._twice_inner(x))
        return x * _normal_cdf(x)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        x = self._get_saved()
        if self.approximate == "tanh":
            s = sigmoid(self._twice_inner(x))
            twice_inner_slope = (2 * _SQRT_2_OVER_PI) * (1 + (3 * _GELU_CUBIC) * (x * x))
            return grad * (s + x * s * (1 - s) * twice_inner_slope)
        density = np.exp(-0.5 * (x * x))  # φ(x) √(2π); underflows harmlessly to 0
        density *= _INV_SQRT_2PI
        return grad * (_normal_cdf(x) + x * density)

    @staticmethod
    def _twice_inner(x: np.ndarray) -> np.ndarray:
        """``2u = 2 √(2/π) (x + 0.044715 x³)``."""
        return (2 * _SQRT_2_OVER_PI) * (x + _GELU_CUBIC * (x * x * x))

    def formulas(self) -> dict[str, str]:
        if self.approximate == "tanh":
            return {
                "A": "A = gelu(Z),  gelu(z) = z·σ(2u), u = √(2/π)·(z + 0.044715·z³)",
                "dZ": "dZ = dA * gelu'(Z),  gelu'(z) = σ(2u) + z·σ(2u)·(1 - σ(2u))·2u'",
            }
        return {
            "A": "A = gelu(Z),  gelu(z) = z·Φ(z), Φ the standard normal CDF",
            "dZ": "dZ = dA * gelu'(Z),  gelu'(z) = Φ(z) + z·φ(z)",
        }

    def to_onnx(self, graph: Any, x: str) -> str:
        """``Gelu`` from opset 20 (float32); below, or in float64, spelled out. The exact form
        has no float64 export: onnxruntime has no float64 ``Erf``."""
        if graph.opset >= 20 and graph.dtype == np.float32:
            return str(graph.node("Gelu", [x], approximate=self.approximate))
        if self.approximate == "tanh":  # x σ(2u), 2u = 2 √(2/π) (x + 0.044715 x³)
            cube = graph.node("Mul", [graph.node("Mul", [x, x]), x])
            inner = graph.node("Mul", [cube, graph.constant("cubic", _GELU_CUBIC)])
            inner = graph.node("Add", [x, inner])
            scale = graph.constant("scale", 2 * _SQRT_2_OVER_PI)
            inner = graph.node("Mul", [inner, scale])
            return str(graph.node("Mul", [x, graph.node("Sigmoid", [inner])]))
        if graph.dtype == np.float64:
            raise ValueError(
                f"{self!r} has no float64 form that onnxruntime runs (it has no float64 Erf); "
                "export with dtype='float32', or use GELU(approximate='tanh')"
            )
        erf = graph.node("Erf", [graph.node("Mul", [x, graph.constant("sqrt_half", _SQRT_HALF)])])
        cdf = graph.node("Add", [erf, graph.constant("one", 1)])  # 2 Φ(x)
        cdf = graph.node("Mul", [cdf, graph.constant("half", 0.5)])
        return str(graph.node("Mul", [x, cdf]))

    def get_config(self) -> dict[str, Any]:
        return {"approximate": self.approximate}

    def __repr__(self) -> str:
        return f"GELU(approximate={self.approximate!r})"


@register_activation("silu", "swish")
class SiLU(_Activation):
    """Sigmoid linear unit, also called swish: ``y = x σ(x)``;
    ``y' = σ(x) + x σ(x)(1 - σ(x)) = σ(x) (1 + x (1 - σ(x)))``."""

    preferred_initializer = "he_normal"
    formula = "A = silu(Z),  silu(z) = z·σ(z)"
    derivative = "dZ = dA * silu'(Z),  silu'(z) = σ(z)·(1 + z·(1 - σ(z)))"

    def to_onnx(self, graph: Any, x: str) -> str:
        return str(graph.node("Mul", [x, graph.node("Sigmoid", [x])]))

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self._saved = x
        return x * sigmoid(x)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        x = self._get_saved()
        s = sigmoid(x)
        return grad * (s * (1 + x * (1 - s)))


@register_activation("softplus")
class Softplus(_Activation):
    """``y = log(1 + exp(x))``, computed as ``max(x, 0) + log1p(exp(-|x|))`` so that ``exp``
    never overflows; ``y' = σ(x)``.

    Unlike ``torch.nn.Softplus`` (which returns ``x`` itself above ``threshold=20``), the
    formula is used everywhere; the two differ by ``log1p(exp(-x)) < 2.1e-9`` there.
    """

    formula = "A = softplus(Z),  softplus(z) = log(1 + exp(z))"
    derivative = "dZ = dA * softplus'(Z),  softplus'(z) = σ(z)"

    def to_onnx(self, graph: Any, x: str) -> str:
        if graph.dtype == np.float32:
            return str(graph.node("Softplus", [x]))
        return _softplus_spelled_out(graph, x)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self._saved = x
        return _softplus(x)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return grad * sigmoid(self._get_saved())


@register_activation("mish")
class Mish(_Activation):
    """Mish (Misra, 2019): ``y = x tanh(softplus(x))``;
    ``y' = tanh(s) + x σ(x) (1 - tanh(s)²)`` with ``s = softplus(x)`` (``s' = σ(x)``).

    ``softplus`` is computed stably (see :class:`Softplus`); ``torch.nn.Mish`` computes the same.
    """

    preferred_initializer = "he_normal"
    formula = "A = mish(Z),  mish(z) = z·tanh(softplus(z))"
    derivative = "dZ = dA * mish'(Z),  mish'(z) = tanh(s) + z·σ(z)·(1 - tanh(s)²), s = softplus(z)"

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self._saved = x
        return x * np.tanh(_softplus(x))

    def backward(self, grad: np.ndarray) -> np.ndarray:
        x = self._get_saved()
        t = np.tanh(_softplus(x))
        return grad * (t + x * sigmoid(x) * (1 - t * t))

    def to_onnx(self, graph: Any, x: str) -> str:
        if graph.dtype == np.float32 and graph.opset >= 18:
            return str(graph.node("Mish", [x]))
        softplus = graph.node("Softplus", [x]) if graph.dtype == np.float32 else None
        softplus = softplus or _softplus_spelled_out(graph, x)
        return str(graph.node("Mul", [x, graph.node("Tanh", [softplus])]))


@register_activation("sigmoid", "logistic")
class Sigmoid(_Activation):
    """Logistic function ``y = σ(x)``; ``y' = y (1 - y)``.

    As the last layer of a classifier prefer raw logits and ``loss="binary_cross_entropy"``,
    which applies the sigmoid inside the loss, stably.
    """

    formula = "A = sigmoid(Z),  sigmoid(z) = σ(z) = 1 / (1 + exp(-z))"
    derivative = "dZ = dA * sigmoid'(Z),  sigmoid'(z) = σ(z)·(1 - σ(z))"

    def to_onnx(self, graph: Any, x: str) -> str:
        return str(graph.node("Sigmoid", [x]))

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        out = sigmoid(x)
        self._saved = out
        return out

    def backward(self, grad: np.ndarray) -> np.ndarray:
        out = self._get_saved()
        return grad * out * (1 - out)


@register_activation("tanh")
class Tanh(_Activation):
    """Hyperbolic tangent ``y = tanh(x)``; ``y' = 1 - y²``."""

    formula = "A = tanh(Z),  tanh(z) = tanh(z)"
    derivative = "dZ = dA * tanh'(Z),  tanh'(z) = 1 - tanh(z)²"

    def to_onnx(self, graph: Any, x: str) -> str:
        return str(graph.node("Tanh", [x]))

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        out = np.tanh(x)
        self._saved = out
        return out

    def backward(self, grad: np.ndarray) -> np.ndarray:
        out = self._get_saved()
        return grad * (1 - out * out)


@register_activation("identity", "linear")
class Identity(_Activation):
    """``y = x``; ``y' = 1``. The output activation of a regression network."""

    formula = "A = identity(Z),  identity(z) = z"
    derivative = "dZ = dA * identity'(Z),  identity'(z) = 1"

    def to_onnx(self, graph: Any, x: str) -> str:
        return x

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        return x

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return grad


@register_activation("softmax")
class Softmax(_Activation):
    """Row-wise softmax ``s = softmax(x)`` (see :func:`softmax`); its Jacobian is
    ``∂s_j/∂x_k = s_j (δ_jk - s_k)``, so ``∂L/∂x = s ⊙ (g - Σ_k g_k s_k)`` for ``g = ∂L/∂s``
    (the sum taken per row).

    As the last layer of a classifier prefer raw logits and ``loss="cross_entropy"``, which
    applies the softmax inside the loss, stably.
    """

    formula = "A = softmax(Z),  softmax(z) = exp(z_k) / Σ_j exp(z_j), row by row"
    derivative = "dZ = A * (dA - Σ_k dA_k·A_k), row by row"

    def to_onnx(self, graph: Any, x: str) -> str:
        return str(graph.node("Softmax", [x], axis=1))

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        out = softmax(x)
        self._saved = out
        return out

    def backward(self, grad: np.ndarray) -> np.ndarray:
        s = self._get_saved()  # (batch, K)
        weighted = np.sum(grad * s, axis=1, keepdims=True)  # (batch, 1)
        return s * (grad - weighted)


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
