"""ONNX export: a trained network as a file that onnxruntime (or any ONNX runtime) runs without
ffnn, NumPy or Python.

:func:`export_onnx` writes the file (atomically, as :func:`ffnn.save`); :func:`to_onnx` returns
the ``onnx.ModelProto``, checked by ``onnx.checker``. The graph reads ``input``
``(batch, n_features)``, ``batch`` symbolic, and runs each layer in inference form:

==================  =========================================================================
ffnn layer          ONNX operators
==================  =========================================================================
Dense               ``Gemm``: ``x W + b``
ReLU, Tanh,         ``Relu``, ``Tanh``, ``Sigmoid``, ``Softmax(axis=1)``
Sigmoid, Softmax
LeakyReLU, ELU,     ``LeakyRelu(alpha)``, ``Elu(alpha)``, ``Softplus``; in float64 (no
Softplus            onnxruntime kernels) ``Where``, ``Exp``, ``Log`` as ffnn computes them
GELU                ``Gelu(approximate)`` from opset 20; below, ``x ½ (1 + erf(x / √2))``, or
                    ``x σ(2 √(2/π) (x + 0.044715 x³))`` for the tanh form (also in float64)
SiLU                ``x · Sigmoid(x)``
Identity, Dropout   nothing (dropout is the identity at inference)
BatchNorm           ``BatchNormalization`` with the running mean and variance
LayerNorm           ``LayerNormalization`` from opset 17; below, ``ReduceMean``, ``Sqrt``, ...
==================  =========================================================================

Then the head, from the model's loss or the estimator: ``logits`` ``(batch, n_outputs)``; for a
classifier ``probabilities`` (``predict_proba``) and ``label`` (``predict``; an estimator's
``classes_`` looked up by index); for a regressor ``predictions`` (``predict``).

A float64 export spells BatchNorm and LayerNorm out too (their ``epsilon`` attribute is a 32-bit
float) and refuses an exact GELU: onnxruntime has no float64 ``Erf``, and its float64 ``Gelu``
is no more accurate than float32.

Needs the ``onnx`` extra (``pip install 'ffnn[onnx]'``); importing this module does not import
onnx.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO

import numpy as np

import ffnn
from ffnn import activations as act
from ffnn._checks import check_dtype
from ffnn.layers import Dense, Dropout, Layer
from ffnn.losses import BinaryCrossEntropy, CrossEntropy, Loss
from ffnn.model import Sequential
from ffnn.normalization import BatchNorm, LayerNorm

if TYPE_CHECKING:
    import onnx

__all__ = ["export_onnx", "to_onnx", "DEFAULT_OPSET", "MIN_OPSET", "OUTPUTS"]

#: The opset of an export without ``opset=``: from 2022, with ``LayerNormalization``.
DEFAULT_OPSET = 17
MIN_OPSET = 13  # where Softmax became a softmax over one axis
OUTPUTS = ("logits", "probabilities", "label", "predictions")
_SQRT_HALF = float(np.sqrt(0.5))
_TWICE_SQRT_2_OVER_PI = float(2 * np.sqrt(2 / np.pi))
_GELU_CUBIC = 0.044715


def _import_onnx() -> Any:
    try:
        import onnx
    except ImportError as error:
        raise ImportError(
            "ONNX export needs the onnx package: pip install 'ffnn[onnx]' (and onnxruntime to "
            "run the exported model)"
        ) from error
    return onnx


# -- the graph being built ---------------------------------------------------------------------
class _Graph:
    """Nodes and weights of the graph under construction; every value is named by a string."""

    def __init__(self, onnx: Any, dtype: np.dtype, opset: int) -> None:
        self.onnx = onnx
        self.dtype = dtype
        self.opset = opset
        self.elem_type = onnx.helper.np_dtype_to_tensor_dtype(dtype)
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        self._names: set[str] = {"input"}

    def _unique(self, name: str) -> str:
        candidate, n = name, 1
        while candidate in self._names:
            n += 1
            candidate = f"{name}_{n}"
        self._names.add(candidate)
        return candidate

    def constant(self, name: str, value: Any, dtype: Any = None) -> str:
        """A weight or constant, in the graph's float type unless ``dtype`` says otherwise."""
        array = np.asarray(value, dtype=self.dtype if dtype is None else dtype)
        name = self._unique(name)
        self.initializers.append(self.onnx.numpy_helper.from_array(array, name))
        return name

    def node(self, op: str, inputs: Sequence[str], scope: str, out: str = "", **attrs: Any) -> str:
        """Add ``op(inputs)``; returns its output's name (``out``, or ``scope/op``)."""
        output = out or self._unique(f"{scope}/{op}")
        if out:
            self._names.add(out)
        self.nodes.append(
            self.onnx.helper.make_node(op, list(inputs), [output], name=output, **attrs)
        )
        return output

    def rename(self, old: str, new: str) -> None:
        for node in self.nodes:
            node.input[:] = [new if name == old else name for name in node.input]
            node.output[:] = [new if name == old else name for name in node.output]
        self._names.add(new)


# -- one converter per layer: (graph, layer, x, scope) -> y -----------------------------------
def _dense(g: _Graph, layer: Dense, x: str, scope: str) -> str:
    weight = g.constant(f"{scope}.weight", layer.weight.data)  # (n_in, n_out)
    bias = g.constant(f"{scope}.bias", layer.bias.data)  # (n_out,)
    return g.node("Gemm", [x, weight, bias], scope)


def _passthrough(g: _Graph, layer: Layer, x: str, scope: str) -> str:
    return x


def _simple(op: str) -> Callable[[_Graph, Layer, str, str], str]:
    def convert(g: _Graph, layer: Layer, x: str, scope: str) -> str:
        return g.node(op, [x], scope)

    return convert


def _leaky_relu(g: _Graph, layer: act.LeakyReLU, x: str, scope: str) -> str:
    if g.dtype == np.float32:
        return g.node("LeakyRelu", [x], scope, alpha=layer.negative_slope)
    # x where x > 0, else a x: onnxruntime's float64 LeakyRelu is missing or rounds to float32
    slope = g.constant(f"{scope}.negative_slope", layer.negative_slope)
    positive = g.node("Greater", [x, g.constant(f"{scope}.zero", 0)], scope)
    return g.node("Where", [positive, x, g.node("Mul", [x, slope], scope)], scope)


def _elu(g: _Graph, layer: act.ELU, x: str, scope: str) -> str:
    if g.dtype == np.float32:
        return g.node("Elu", [x], scope, alpha=layer.alpha)
    # α (exp(min(x, 0)) - 1) where x <= 0, else x: onnxruntime has no float64 Elu
    zero = g.constant(f"{scope}.zero", 0)
    exp = g.node("Exp", [g.node("Min", [x, zero], scope)], scope)
    negative = g.node("Sub", [exp, g.constant(f"{scope}.one", 1)], scope)
    negative = g.node("Mul", [negative, g.constant(f"{scope}.alpha", layer.alpha)], scope)
    positive = g.node("Greater", [x, zero], scope)
    return g.node("Where", [positive, x, negative], scope)


def _softplus(g: _Graph, layer: act.Softplus, x: str, scope: str) -> str:
    if g.dtype == np.float32:
        return g.node("Softplus", [x], scope)
    # max(x, 0) + log(1 + exp(-|x|)), as ffnn computes it: onnxruntime has no float64 Softplus
    exp = g.node("Exp", [g.node("Neg", [g.node("Abs", [x], scope)], scope)], scope)
    log = g.node("Log", [g.node("Add", [exp, g.constant(f"{scope}.one", 1)], scope)], scope)
    return g.node("Add", [g.node("Relu", [x], scope), log], scope)


def _gelu(g: _Graph, layer: act.GELU, x: str, scope: str) -> str:
    if g.opset >= 20 and g.dtype == np.float32:
        return g.node("Gelu", [x], scope, approximate=layer.approximate)
    if layer.approximate == "tanh":  # x σ(2u), 2u = 2 √(2/π) (x + 0.044715 x³)
        cube = g.node("Mul", [g.node("Mul", [x, x], scope), x], scope)
        inner = g.node("Mul", [cube, g.constant(f"{scope}.cubic", _GELU_CUBIC)], scope)
        inner = g.node("Add", [x, inner], scope)
        inner = g.node("Mul", [inner, g.constant(f"{scope}.scale", _TWICE_SQRT_2_OVER_PI)], scope)
        return g.node("Mul", [x, g.node("Sigmoid", [inner], scope)], scope)
    scaled = g.node("Mul", [x, g.constant(f"{scope}.sqrt_half", _SQRT_HALF)], scope)
    erf = g.node("Erf", [scaled], scope)
    cdf = g.node("Add", [erf, g.constant(f"{scope}.one", 1)], scope)  # 2 Φ(x)
    cdf = g.node("Mul", [cdf, g.constant(f"{scope}.half", 0.5)], scope)
    return g.node("Mul", [x, cdf], scope)


def _silu(g: _Graph, layer: act.SiLU, x: str, scope: str) -> str:
    return g.node("Mul", [x, g.node("Sigmoid", [x], scope)], scope)


def _softmax(g: _Graph, layer: act.Softmax, x: str, scope: str) -> str:
    return g.node("Softmax", [x], scope, axis=1)


# The epsilon attribute of BatchNormalization and LayerNormalization is a 32-bit float, which
# would move a float64 model's results by ~1e-12: float64 exports spell the formulas out.
def _batch_norm(g: _Graph, layer: BatchNorm, x: str, scope: str) -> str:
    weight = g.constant(f"{scope}.weight", layer.weight.data)
    bias = g.constant(f"{scope}.bias", layer.bias.data)
    mean = g.constant(f"{scope}.running_mean", layer.running_mean)
    if g.dtype == np.float32:
        var = g.constant(f"{scope}.running_var", layer.running_var)
        return g.node("BatchNormalization", [x, weight, bias, mean, var], scope, epsilon=layer.eps)
    # (x - running_mean) · (1 / √(running_var + ε)) · γ + β, as BatchNorm.forward
    inv_std = g.constant(f"{scope}.inv_std", 1 / np.sqrt(layer.running_var + layer.eps))
    normalised = g.node("Mul", [g.node("Sub", [x, mean], scope), inv_std], scope)
    return g.node("Add", [g.node("Mul", [normalised, weight], scope), bias], scope)


def _layer_norm(g: _Graph, layer: LayerNorm, x: str, scope: str) -> str:
    weight = g.constant(f"{scope}.weight", layer.weight.data)
    bias = g.constant(f"{scope}.bias", layer.bias.data)
    if g.opset >= 17 and g.dtype == np.float32:
        return g.node("LayerNormalization", [x, weight, bias], scope, axis=-1, epsilon=layer.eps)
    # (x - μ) · (1 / √(σ² + ε)) · γ + β, μ and σ² over each row (ReduceMean's axes: an attribute
    # up to opset 17, an input from 18)
    axes: dict[str, Any] = {"axes": [1]}
    inputs: list[str] = []
    if g.opset >= 18:
        axes, inputs = {}, [g.constant(f"{scope}.axes", [1], np.int64)]
    centred = g.node("Sub", [x, g.node("ReduceMean", [x, *inputs], scope, **axes)], scope)
    square = g.node("Mul", [centred, centred], scope)
    var = g.node("ReduceMean", [square, *inputs], scope, **axes)
    std = g.node(
        "Sqrt", [g.node("Add", [var, g.constant(f"{scope}.eps", layer.eps)], scope)], scope
    )
    normalised = g.node("Mul", [centred, g.node("Reciprocal", [std], scope)], scope)
    return g.node("Add", [g.node("Mul", [normalised, weight], scope), bias], scope)


_CONVERTERS: dict[type[Layer], Callable[[_Graph, Any, str, str], str]] = {
    Dense: _dense,
    Dropout: _passthrough,
    act.Identity: _passthrough,
    act.ReLU: _simple("Relu"),
    act.Tanh: _simple("Tanh"),
    act.Sigmoid: _simple("Sigmoid"),
    act.LeakyReLU: _leaky_relu,
    act.ELU: _elu,
    act.Softplus: _softplus,
    act.GELU: _gelu,
    act.SiLU: _silu,
    act.Softmax: _softmax,
    BatchNorm: _batch_norm,
    LayerNorm: _layer_norm,
}


# -- the head: what the logits become -----------------------------------------------------------
@dataclass(frozen=True)
class _Head:
    """``link``: "none" (no loss), "unknown" (a loss of the user's own), "sigmoid", "softmax",
    "identity" or "exp"; ``classes``: the table a label index is looked up in (None: the index
    is the label); ``two_columns``: probabilities ``[σ(-z), σ(z)]`` (a binary estimator)."""

    link: str
    source: str
    classes: np.ndarray | None = None
    two_columns: bool = False
    label_note: str = ""  # why there is no label output, when there is none

    def available(self) -> tuple[str, ...]:
        if self.link in ("sigmoid", "softmax"):
            return ("logits", "probabilities") + (() if self.label_note else ("label",))
        if self.link in ("identity", "exp"):
            return ("logits", "predictions")
        return ("logits",)


def _link_of(loss: Loss | None) -> str:
    if loss is None:
        return "none"
    if isinstance(loss, BinaryCrossEntropy):
        return "sigmoid"
    if isinstance(loss, CrossEntropy):
        return "softmax"
    if loss.name == "half_poisson_deviance":  # MLPRegressor(loss="poisson"): μ = exp(z)
        return "exp"
    if not loss.is_classifier and type(loss).link is Loss.link:
        return "identity"
    return "unknown"


def _class_table(classes: np.ndarray) -> tuple[np.ndarray | None, str]:
    """``classes_`` as an array ONNX can hold (int64, bool, float, str), or a note why not."""
    kind = classes.dtype.kind
    if kind in "iu":
        return classes.astype(np.int64), ""
    if kind in "bf":
        return classes, ""
    if kind == "U" or (kind == "O" and all(isinstance(c, str) for c in classes)):
        return classes.astype(object), ""
    return None, f"classes_ of dtype {classes.dtype} have no ONNX tensor type"


def _unwrap(model: Any) -> tuple[Sequential, _Head]:
    """The network of a Sequential or of a fitted ffnn estimator, and its head."""
    if isinstance(model, Sequential):
        return model, _Head(_link_of(model.loss), "Sequential")
    name = type(model).__name__
    network = getattr(model, "model_", None)
    if not isinstance(network, Sequential):
        if hasattr(model, "fit") and hasattr(model, "hidden_layer_sizes"):
            raise ValueError(f"this {name} is not fitted (no model_): call fit before exporting")
        raise TypeError(
            "export_onnx expects an ffnn Sequential or a fitted ffnn MLPClassifier / "
            f"MLPRegressor, got {name}"
        )
    links = {"softmax": "softmax", "logistic": "sigmoid", "identity": "identity", "exp": "exp"}
    link = links.get(getattr(model, "out_activation_", ""), _link_of(network.loss))
    classes = getattr(model, "classes_", None)
    if classes is None or link not in ("sigmoid", "softmax"):
        return network, _Head(link, name)
    if link == "sigmoid" and network.n_outputs > 1:  # multi-label: the 0/1 indicator
        return network, _Head(link, name)
    table, note = _class_table(np.asarray(classes))
    if table is not None and len(table) == 1:  # one class, predicted whatever the score
        table = np.repeat(table, 2)
    return network, _Head(link, name, table, two_columns=link == "sigmoid", label_note=note)


def _check_outputs(outputs: str | Sequence[str], head: _Head, loss: Loss | None) -> list[str]:
    available = head.available()
    if isinstance(outputs, str) and outputs == "auto":
        if head.link == "unknown":
            raise ValueError(
                f"the model's loss {loss!r} has no known output link in ONNX; pass "
                "outputs=['logits'] to export the logits alone"
            )
        if head.label_note:
            warnings.warn(f"no 'label' output: {head.label_note}", UserWarning, stacklevel=3)
        if head.link in ("identity", "exp"):
            return ["predictions"]
        return list(available)
    names = [outputs] if isinstance(outputs, str) else list(outputs)
    if not names or len(set(names)) != len(names) or not set(names) <= set(OUTPUTS):
        raise ValueError(
            f"outputs must be 'auto' or distinct names among {list(OUTPUTS)}, got {outputs!r}"
        )
    missing = [n for n in names if n not in available]
    if missing:
        why = f" ({head.label_note})" if "label" in missing and head.label_note else ""
        raise ValueError(
            f"this {head.source} (output link {head.link!r}) can give the outputs "
            f"{list(available)}, not {missing}{why}"
        )
    return names


def _add_head(g: _Graph, head: _Head, n_outputs: int, names: list[str]) -> list[Any]:
    """Nodes from ``logits`` to the requested outputs; returns their declarations."""
    helper, tensor = g.onnx.helper, g.onnx.TensorProto
    declared: dict[str, tuple[int, list[Any]]] = {"logits": (g.elem_type, ["batch", n_outputs])}
    flat = n_outputs == 1  # label and predictions are then (batch,), as predict returns them
    positive = ""  # σ(logits), what a sigmoid head's label thresholds
    if head.link == "sigmoid" and {"probabilities", "label"} & set(names):
        if head.two_columns:
            positive = g.node("Sigmoid", ["logits"], "head")
            negative = g.node("Sigmoid", [g.node("Neg", ["logits"], "head")], "head")
            g.node("Concat", [negative, positive], "head", out="probabilities", axis=1)
        else:
            positive = g.node("Sigmoid", ["logits"], "head", out="probabilities")
    elif head.link == "softmax" and "probabilities" in names:
        g.node("Softmax", ["logits"], "head", out="probabilities", axis=1)
    declared["probabilities"] = (g.elem_type, ["batch", 2 if head.two_columns else n_outputs])
    if "label" in names:
        last = "" if head.classes is not None else "label"
        if head.link == "softmax":
            index = g.node("ArgMax", ["logits"], "head", out=last, axis=1, keepdims=0)
        else:  # σ(z) > 0.5, as predict
            above = g.node("Greater", [positive, g.constant("head.threshold", 0.5)], "head")
            index = g.node("Cast", [above], "head", out="" if flat else last, to=tensor.INT64)
            if flat:
                shape = g.constant("head.flat", [-1], np.int64)
                index = g.node("Reshape", [index, shape], "head", out=last)
        label_type = tensor.INT64
        if head.classes is not None:
            table = g.constant("classes", head.classes, head.classes.dtype)
            g.node("Gather", [table, index], "head", out="label", axis=0)
            label_type = helper.np_dtype_to_tensor_dtype(head.classes.dtype)
        width_label = [] if head.link == "softmax" or flat else [n_outputs]
        declared["label"] = (label_type, ["batch", *width_label])
    if "predictions" in names:
        values = "logits" if head.link == "identity" else g.node("Exp", ["logits"], "head")
        if flat:
            shape = g.constant("head.flat", [-1], np.int64)
            g.node("Reshape", [values, shape], "head", out="predictions")
        else:
            g.node("Identity", [values], "head", out="predictions")
        declared["predictions"] = (g.elem_type, ["batch"] if flat else ["batch", n_outputs])
    return [helper.make_tensor_value_info(n, *declared[n]) for n in names]


# -- the public functions -----------------------------------------------------------------------
def _converters(
    network: Sequential, dtype: np.dtype
) -> list[Callable[[_Graph, Any, str, str], str]]:
    found = []
    for position, layer in enumerate(network.layers):
        convert = _CONVERTERS.get(type(layer))  # exact type: a subclass may compute otherwise
        if convert is None:
            supported = ", ".join(sorted(cls.__name__ for cls in _CONVERTERS))
            raise ValueError(
                f"layers[{position}] ({type(layer).__name__}) has no ONNX form; supported: "
                f"{supported}"
            )
        if dtype == np.float64 and isinstance(layer, act.GELU) and layer.approximate == "none":
            raise ValueError(
                f"layers[{position}] ({layer!r}) has no float64 form that onnxruntime runs (it "
                "has no float64 Erf); export with dtype='float32', or use GELU(approximate='tanh')"
            )
        found.append(convert)
    return found


def _check_opset(opset: Any, onnx: Any) -> int:
    newest = int(onnx.defs.onnx_opset_version())
    if opset is None:
        return DEFAULT_OPSET
    if isinstance(opset, bool) or not isinstance(opset, int | np.integer):
        raise TypeError(f"opset must be an int or None, got {type(opset).__name__}")
    if not MIN_OPSET <= opset <= newest:
        raise ValueError(
            f"opset must be from {MIN_OPSET} to {newest} (the newest this onnx {onnx.__version__} "
            f"knows), got {opset}"
        )
    return int(opset)


def to_onnx(
    model: Any,
    *,
    opset: int | None = None,
    outputs: str | Sequence[str] = "auto",
    dtype: Any = "float32",
) -> onnx.ModelProto:
    """The ONNX model of ``model``, checked with ``onnx.checker.check_model``.

    Parameters
    ----------
    model : a :class:`~ffnn.Sequential`, or a fitted :class:`ffnn.MLPClassifier` /
        :class:`ffnn.MLPRegressor` (its ``model_`` and ``classes_``).
    opset : the ONNX opset, from 13 to the newest the installed onnx knows; ``None`` is
        :data:`DEFAULT_OPSET` (17).
    outputs : ``"auto"`` or a list among ``"logits"`` ``(batch, n_outputs)``,
        ``"probabilities"`` (``predict_proba``), ``"label"`` (``predict`` of a classifier) and
        ``"predictions"`` (``predict`` of a regressor). ``"auto"``: logits, probabilities and
        label for a classification loss, predictions for a regression loss, logits without a
        loss.
    dtype : float32 (default; a float64 model's weights are rounded to float32) or float64.

    Raises ``ValueError`` for a layer with no ONNX form, naming it, and ``ImportError``
    without onnx.
    """
    onnx = _import_onnx()
    network, head = _unwrap(model)
    dtype = check_dtype(dtype)
    opset = _check_opset(opset, onnx)
    converters = _converters(network, dtype)
    names = _check_outputs(outputs, head, network.loss)
    g = _Graph(onnx, dtype, opset)
    x = "input"
    for position, (layer, convert) in enumerate(zip(network.layers, converters, strict=True)):
        x = convert(g, layer, x, f"layers.{position}")
    g.rename(x, "logits")
    declared = _add_head(g, head, network.n_outputs, names)
    helper = onnx.helper
    graph = helper.make_graph(
        g.nodes,
        "ffnn",
        [helper.make_tensor_value_info("input", g.elem_type, ["batch", network.n_features_in])],
        declared,
        initializer=g.initializers,
    )
    opsets = [helper.make_opsetid("", opset)]
    layers = " -> ".join(repr(layer) for layer in network.layers)
    proto = helper.make_model(
        graph,
        opset_imports=opsets,
        ir_version=helper.find_min_ir_version_for(opsets),  # loadable by older runtimes
        producer_name="ffnn",
        producer_version=ffnn.__version__,
        doc_string=(
            f"ffnn {ffnn.__version__} {head.source}: {layers}; loss {network.loss!r}; "
            f"computes in {dtype.name}"
        ),
    )
    properties = {
        "ffnn_version": ffnn.__version__,
        "source": head.source,
        "layers": json.dumps(
            [
                {"class": type(layer).__name__, "config": layer.get_config()}
                for layer in network.layers
            ]
        ),
        "loss": json.dumps(None if network.loss is None else network.loss.get_config()),
        "dtype": dtype.name,
        "model_dtype": network.dtype.name,
        "outputs": json.dumps(names),
    }
    for name, attribute in [("classes", "classes_"), ("feature_names", "feature_names_in_")]:
        if getattr(model, attribute, None) is not None:  # an estimator's
            values = np.asarray(getattr(model, attribute)).tolist()
            properties[name] = json.dumps(values, default=str)
    helper.set_model_props(proto, properties)
    onnx.checker.check_model(proto, full_check=True)
    return proto


def export_onnx(
    model: Any,
    path: str | os.PathLike[str],
    *,
    opset: int | None = None,
    outputs: str | Sequence[str] = "auto",
    dtype: Any = "float32",
) -> None:
    """Write ``model`` to ``path`` as an ONNX file (see :func:`to_onnx` for the arguments).

    The file is written to a temporary file in the same folder, flushed to disk and renamed
    over ``path``: an existing file is replaced whole or not at all.
    """
    from ffnn.io import replace_atomically

    data = to_onnx(model, opset=opset, outputs=outputs, dtype=dtype).SerializeToString()

    def write(stream: BinaryIO) -> None:
        stream.write(data)

    replace_atomically(path, write)
