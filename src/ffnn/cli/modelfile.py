"""``ffnn info`` and ``ffnn export-onnx``: what a model file holds, and the same model as an
ONNX graph that takes the raw feature columns.
"""

from __future__ import annotations

import argparse
import copy
import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from ffnn._version import __version__
from ffnn.cli._common import UsageError, check_writable, load_model
from ffnn.csvdata import DataError, Preprocessor
from ffnn.io import MANIFEST
from ffnn.layers import Dense
from ffnn.model import Sequential


def add_parser(commands: Any) -> None:
    """``info`` and ``export-onnx``."""
    _add_info_parser(commands)
    _add_export_onnx_parser(commands)


def _add_info_parser(commands: Any) -> None:
    info = commands.add_parser(
        "info",
        help="describe a model file",
        description=(
            "Print what a model file holds: its format version and the ffnn version that wrote "
            "it, the task, target, classes and feature columns, the epochs trained, and the "
            "network's summary (layers, output shapes, parameters, loss)."
        ),
    )
    info.add_argument("model", type=Path, metavar="MODEL", help="a file written by ffnn.save")
    info.set_defaults(run=run_info)


def run_info(args: argparse.Namespace) -> int:
    model = load_model(args.model)
    with zipfile.ZipFile(args.model) as archive:  # ffnn.load has checked the manifest
        manifest = json.loads(archive.read(MANIFEST))
    print(
        f"File: {args.model} (ffnn model format version {manifest['format_version']}, "
        f"written by ffnn {manifest.get('ffnn_version', '?')}; this is ffnn {__version__})"
    )
    try:
        prep: Preprocessor | None = Preprocessor.from_model(model, str(args.model))
    except DataError as error:
        print(f"Task: unknown ({error})")
        prep = None
    if prep is not None:
        print(f"Task: {prep.task}")
        print(f"Target: {prep.target or '(not stored)'}")
        if prep.classes is not None:
            print(f"Classes ({len(prep.classes)}): {', '.join(prep.class_names())}")
        if prep.inputs is not None:  # a model trained on a table: each raw column's use
            names = [spec["name"] for spec in prep.inputs.columns_]
            print(f"Features ({len(names)} columns, {model.n_features_in} inputs to the network):")
            print(prep.inputs.describe())
        elif prep.features is None:
            print(f"Features ({model.n_features_in}): (names not stored)")
        else:
            print(f"Features ({len(prep.features)}): {', '.join(prep.features)}")
        if prep.feature_mean is not None:
            print("Inputs: standardised with the training mean and standard deviation (stored)")
    print(f"Epochs trained: {model.epochs_trained}")
    model.summary()
    return 0


def _add_export_onnx_parser(commands: Any) -> None:
    export = commands.add_parser(
        "export-onnx",
        help="export a model to ONNX (needs the onnx extra)",
        description=(
            "Write the model as an ONNX graph (pip install 'ffnn[onnx]') that answers as "
            "'ffnn predict' does: a classifier gives 'label' (the class labels themselves) and "
            "'probabilities' (one column per class, two for a binary model), a regression "
            "'prediction' in the target's units. A model trained on a table takes the raw "
            "columns, one input per column it uses, named after it (numbers as float64, text "
            "and dates as strings, missing cells as NaN or ''), and preprocesses them inside "
            "the graph. A model of the previous 'ffnn train' takes one 'input' matrix of the "
            "raw numeric columns, its standardisation folded into the first layer."
        ),
    )
    export.add_argument("model", type=Path, metavar="MODEL", help="a file written by ffnn train")
    export.add_argument("out", type=Path, metavar="OUT.onnx", help="the ONNX file to write")
    export.set_defaults(run=run_export_onnx)


def folded_model(model: Sequential, prep: Preprocessor) -> Sequential:
    """A copy of ``model`` that takes raw features and, for a regression, gives values in the
    target's units: the standardisation folded into the first and last Dense layers.

    ``((x - μ) / s) W + b = x (W / s[:, None]) + (b - (μ / s) W)``, and
    ``σ_y (h W + b) + μ_y = h (σ_y W) + (σ_y b + μ_y)``.
    """
    folded = copy.deepcopy(model)
    first, last = folded.layers[0], folded.layers[-1]
    if prep.feature_mean is not None and prep.feature_scale is not None:
        if not isinstance(first, Dense):
            raise UsageError(f"cannot fold the standardisation into a {type(first).__name__}")
        weight = first.weight.data.astype(np.float64)  # (n_in, n_out)
        shift = (prep.feature_mean / prep.feature_scale) @ weight  # (n_out,)
        first.weight.data[...] = weight / prep.feature_scale[:, None]
        first.bias.data[...] = first.bias.data - shift
    if prep.task == "regression" and (prep.target_mean, prep.target_scale) != (0.0, 1.0):
        if not isinstance(last, Dense):
            raise UsageError(f"cannot fold the target scaling into a {type(last).__name__}")
        last.weight.data[...] = last.weight.data.astype(np.float64) * prep.target_scale
        last.bias.data[...] = (
            last.bias.data.astype(np.float64) * prep.target_scale + prep.target_mean
        )
    folded.metadata = {}
    return folded


def table_arguments(prep: Preprocessor) -> dict[str, Any]:
    """The keyword arguments of ``export_onnx`` for a model trained on a table (``prep`` read
    by :meth:`Preprocessor.from_model`, which has checked the metadata against the network):
    the preprocessor, and the classes or the target scaling."""
    if prep.classes is not None:
        return {"preprocessor": prep.inputs, "classes": prep.classes}
    scaling = {"mean": prep.target_mean, "scale": prep.target_scale}
    return {"preprocessor": prep.inputs, "target_scaling": scaling}


def _onnx_failures() -> tuple[type[BaseException], ...]:
    """What the export raises for a model it cannot write (a layer without ONNX form, weights
    that are not finite, metadata that makes no graph)."""
    failures: tuple[type[BaseException], ...] = (TypeError, ValueError, KeyError, IndexError)
    try:
        from onnx.checker import ValidationError

        failures += (ValidationError,)
    except ImportError:
        pass
    return failures


def _inputs_line(kwargs: dict[str, Any], prep: Preprocessor, n_in: int) -> str:
    if "preprocessor" not in kwargs:
        features = prep.features or [f"{n_in} columns"]
        return (
            f"Inputs: {', '.join(features)} (raw values: the standardisation is built in), as "
            "the columns of one matrix 'input' (batch, n)"
        )
    specs = [s for s in kwargs["preprocessor"].columns_ if s["outputs"]]
    typed = [f"{s['name']} ({'float64' if s['kind'] == 'numeric' else 'string'})" for s in specs]
    return f"Inputs: {', '.join(typed)}, each (batch, 1), preprocessed in the graph"


def run_export_onnx(args: argparse.Namespace) -> int:
    model = load_model(args.model)
    prep = Preprocessor.from_model(model, str(args.model))
    if prep.inputs is not None:
        kwargs, exported = table_arguments(prep), model
    else:  # a model of the previous ffnn train, or one without metadata
        exported = folded_model(model, prep)
        kwargs = {} if prep.classes is None else {"classes": prep.classes}
    check_writable(args.out, "OUT.onnx")
    try:
        from ffnn.onnx import export_onnx
    except ImportError as error:
        raise UsageError(
            f"ONNX export needs the onnx extra: pip install 'ffnn[onnx]' ({error})"
        ) from None
    try:
        export_onnx(exported, args.out, **kwargs)
    except ImportError as error:
        raise UsageError(
            f"ONNX export needs the onnx extra: pip install 'ffnn[onnx]' ({error})"
        ) from None
    except _onnx_failures() as error:  # e.g. a layer ONNX export does not cover
        raise UsageError(f"cannot export {args.model}: {error!s:.300}") from None
    print(f"Saved {args.out}")
    print(_inputs_line(kwargs, prep, model.n_features_in))
    if "classes" in kwargs:
        names = prep.class_names()
        pairs = ", ".join(f"{k} {name}" for k, name in enumerate(names))
        print(f"Outputs: label (batch,), the class; probabilities (batch, {len(names)})")
        print(f"Classes by output index: {pairs}")
    elif "preprocessor" in kwargs:
        print("Outputs: prediction (batch, 1), in the target's units")
    else:
        print("Outputs: predictions (batch,), in the target's units")
    return 0
