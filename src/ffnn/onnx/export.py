"""The public functions of ONNX export: :func:`to_onnx` builds and checks the graph,
:func:`export_onnx` writes it to a file.

Each layer adds its own inference form through its ``to_onnx(graph, x)`` hook (see
:class:`ffnn.layers.Layer`); this module keeps no table of layer classes.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, BinaryIO

import numpy as np

from ffnn._checks import check_dtype
from ffnn._version import __version__
from ffnn.layers import Layer, declares
from ffnn.model import Sequential
from ffnn.onnx._form import Form, add_answers, add_inputs, answer_form
from ffnn.onnx._graph import Graph
from ffnn.onnx._head import add_head, check_outputs, unwrap

if TYPE_CHECKING:
    import onnx

__all__ = ["DEFAULT_OPSET", "MIN_OPSET", "export_onnx", "to_onnx"]

#: The opset of an export without ``opset=``: from 2022, with ``LayerNormalization``.
DEFAULT_OPSET = 17
MIN_OPSET = 13  # where Softmax became a softmax over one axis


def _import_onnx() -> Any:
    try:
        import onnx
    except ImportError as error:
        raise ImportError(
            "ONNX export needs the onnx package: pip install 'ffnn[onnx]' (and onnxruntime to "
            "run the exported model)"
        ) from error
    return onnx


def _check_hooks(network: Sequential) -> None:
    """Every layer declares its ONNX form, for the forward it runs; else a ValueError naming
    the first that does not, and the hook to write."""
    for position, layer in enumerate(network.layers):
        if not declares(layer, "to_onnx"):
            name = type(layer).__name__
            raise ValueError(
                f"layers[{position}] ({name}) has no ONNX form: define "
                f"{name}.to_onnx(self, graph, x) -> str, which adds the layer's operators to "
                "the graph and returns the name of its output (see docs/onnx.md, 'Your own "
                "layers')"
            )


def _convert(g: Graph, position: int, layer: Layer, x: str) -> str:
    g.scope = f"layers.{position}"
    try:
        y = layer.to_onnx(g, x)
    except ValueError as error:
        raise ValueError(f"layers[{position}] ({layer!r}): {error}") from error
    if y is NotImplemented or not isinstance(y, str):
        name = type(layer).__name__
        raise ValueError(
            f"layers[{position}] ({name}): {name}.to_onnx must return the name of its output "
            f"(a str), got {y!r:.60}"
        )
    return y


def _check_finite(g: Graph, network: Sequential) -> None:
    """Every weight and constant of the graph is finite in the graph's dtype; else a ValueError
    naming the layer and the weight, so no file with NaN or infinite weights is written (a
    float64 weight beyond float32's range becomes infinite when the graph computes in float32).
    """
    for tensor in g.initializers:
        array = g.onnx.numpy_helper.to_array(tensor)
        if array.dtype.kind != "f" or np.isfinite(array).all():
            continue
        n_bad = int(np.count_nonzero(~np.isfinite(array)))
        where = tensor.name
        parts = tensor.name.split(".")
        if len(parts) > 2 and parts[0] == "layers" and parts[1].isdigit():
            position = int(parts[1])
            if position < len(network.layers):
                layer = network.layers[position]
                where = f"layers[{position}] ({type(layer).__name__}), its {'.'.join(parts[2:])}"
        raise ValueError(
            f"{where} holds {n_bad} of {array.size} values that are NaN or infinite in "
            f"{array.dtype} (a damaged model, or weights too large for the export's dtype); "
            "nothing written"
        )


def _check_opset(opset: Any, onnx: Any, least: int = 0) -> int:
    newest = int(onnx.defs.onnx_opset_version())
    if opset is None:
        return max(DEFAULT_OPSET, least)
    if isinstance(opset, bool) or not isinstance(opset, int | np.integer):
        raise TypeError(f"opset must be an int or None, got {type(opset).__name__}")
    if not MIN_OPSET <= opset <= newest:
        raise ValueError(
            f"opset must be from {MIN_OPSET} to {newest} (the newest this onnx {onnx.__version__} "
            f"knows), got {opset}"
        )
    if opset < least:
        raise ValueError(
            f"opset {opset} cannot parse dates in the graph (StringSplit, RegexFullMatch); the "
            f"preprocessor has a date column: use opset {least} or newer"
        )
    return int(opset)


def to_onnx(
    model: Any,
    *,
    opset: int | None = None,
    outputs: str | Sequence[str] = "auto",
    dtype: Any = "float32",
    preprocessor: Any = None,
    classes: Any = None,
    target_scaling: Any = None,
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
    preprocessor : a fitted :class:`ffnn.TablePreprocessor` whose output the network takes: the
        graph then reads the raw columns, one input per column it uses, named after it
        (numeric: float64 ``(batch, 1)``, NaN missing; category, boolean, date: strings
        ``(batch, 1)``, ``""`` or ``NA``... missing), and preprocesses them as ``transform``.
    classes : the class labels in output order (text or numbers; two for a network with one
        sigmoid output). The outputs are then ``label`` ``(batch,)``, the labels themselves,
        and ``probabilities`` ``(batch, n_classes)``, two columns for a binary network.
    target_scaling : ``{"mean": m, "scale": s}`` of a regression whose network predicts
        ``(y - m) / s``: the output is then ``prediction`` ``(batch, n_outputs)`` in the
        target's units.

    With any of the last three (the *answering form*, as ``ffnn predict`` answers), the outputs
    are ``label`` and ``probabilities`` for a classification loss (classes ``0..K-1`` unless
    given) or ``prediction`` for a regression loss, and ``outputs`` must be ``"auto"``.

    Raises ``ValueError`` for a layer with no ONNX form (no ``to_onnx`` hook), naming it, or
    with a weight that is NaN or infinite in ``dtype`` (a float64 weight beyond float32's range
    included), naming the layer and the weight; ``ImportError`` without onnx.
    """
    onnx = _import_onnx()
    network, head = unwrap(model)
    dtype = check_dtype(dtype)
    form: Form | None = None
    if preprocessor is not None or classes is not None or target_scaling is not None:
        if outputs != "auto":
            raise ValueError(
                "outputs must be 'auto' with preprocessor, classes or target_scaling (the "
                f"outputs are then label and probabilities, or prediction), got {outputs!r}"
            )
        form = answer_form(network, head, preprocessor, classes, target_scaling)
    opset = _check_opset(opset, onnx, form.min_opset() if form is not None else 0)
    _check_hooks(network)
    names = check_outputs(outputs, head, network.loss) if form is None else []
    g = Graph(onnx, dtype, opset)
    helper = onnx.helper
    inputs = [helper.make_tensor_value_info("input", g.elem_type, ["batch", network.n_features_in])]
    x = "input"
    with np.errstate(over="ignore", invalid="ignore"):  # a weight cast to inf: reported below
        if form is not None:
            inputs, x = add_inputs(g, form, network.n_features_in)
        for position, layer in enumerate(network.layers):
            x = _convert(g, position, layer, x)
        g.rename(x, "logits")
        if form is None:
            declared = add_head(g, head, network.n_outputs, names)
        else:
            declared = add_answers(g, form, network.n_outputs)
            names = [d.name for d in declared]
    _check_finite(g, network)
    graph = helper.make_graph(g.nodes, "ffnn", inputs, declared, initializer=g.initializers)
    opsets = [helper.make_opsetid("", opset)]
    opsets += [helper.make_opsetid(*domain) for domain in (form.domains() if form else [])]
    layers = " -> ".join(repr(layer) for layer in network.layers)
    proto = helper.make_model(
        graph,
        opset_imports=opsets,
        ir_version=helper.find_min_ir_version_for(opsets),  # loadable by older runtimes
        producer_name="ffnn",
        producer_version=__version__,
        doc_string=(
            f"ffnn {__version__} {head.source}: {layers}; loss {network.loss!r}; "
            f"computes in {dtype.name}"
        ),
    )
    properties = {
        "ffnn_version": __version__,
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
    if form is not None and form.classes is not None:
        properties["classes"] = json.dumps(form.classes.tolist())
    if preprocessor is not None:
        properties["preprocessing"] = json.dumps(preprocessor.to_config())
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
    preprocessor: Any = None,
    classes: Any = None,
    target_scaling: Any = None,
) -> None:
    """Write ``model`` to ``path`` as an ONNX file (see :func:`to_onnx` for the arguments).

    The file is written to a temporary file in the same folder, flushed to disk and renamed
    over ``path``: an existing file is replaced whole or not at all.
    """
    from ffnn.io import replace_atomically

    proto = to_onnx(
        model,
        opset=opset,
        outputs=outputs,
        dtype=dtype,
        preprocessor=preprocessor,
        classes=classes,
        target_scaling=target_scaling,
    )
    data = proto.SerializeToString()

    def write(stream: BinaryIO) -> None:
        stream.write(data)

    replace_atomically(path, write)
