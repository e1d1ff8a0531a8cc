"""Saving and loading a model: the manifest, the arrays, the optimizer and the generator.

``save`` writes the layout of ``docs/format.md``: ``ffnn.json`` names the network's classes
with their configs (:mod:`ffnn.io._classes`), lists the arrays (every parameter and buffer in
``Sequential.get_weights`` order, then the optimizer's state) and holds the metadata, the epoch
count and, with the optimizer, the generator's state; a registered section
(:mod:`ffnn.io._sections`) adds its own key. ``load`` reads it back, trusting nothing: the
manifest's fields are checked (:mod:`ffnn.io._manifest`), the arrays are bounded by the
architecture and read before the layers are built, and the loaded model must predict finite
numbers for ordinary inputs.
"""

from __future__ import annotations

import json
import os
import zipfile
from collections.abc import Mapping
from typing import Any

import numpy as np

from ffnn._checks import check_bool, check_path
from ffnn._version import __version__
from ffnn.io._archive import (
    FORMAT,
    FORMAT_VERSION,
    archive_errors,
    check_finite,
    open_archive,
    read_array,
    read_manifest,
    write_archive,
)
from ffnn.io._classes import (
    build_layer,
    build_loss,
    build_optimizer,
    check_custom_objects,
    layer_entry,
    loss_entry,
    optimizer_config,
)
from ffnn.io._manifest import (
    Budget,
    architecture_values,
    check_manifest,
    check_sizes_are_stored,
)
from ffnn.io._rng import generator_state, new_generator, set_generator_state
from ffnn.io._sections import MODEL_KEYS, SectionParts, find_section, section_of
from ffnn.model import Sequential
from ffnn.optimizers import Optimizer

__all__ = ["load", "save"]


def _model_document(model: Sequential) -> dict[str, Any]:
    return {
        "class": "Sequential",
        "dtype": str(model.dtype),
        "layers": [layer_entry(layer, i) for i, layer in enumerate(model.layers)],
        "loss": None if model.loss is None else loss_entry(model.loss),
    }


def _checked_metadata(metadata: Any) -> dict[str, Any]:
    """``model.metadata``, once it is a dict of JSON values (what load gives back)."""
    if not isinstance(metadata, dict):
        raise TypeError(
            "model.metadata must be a dict of JSON values (feature names, class labels, ...), "
            f"got {type(metadata).__name__} {metadata!r:.60}"
        )
    try:
        text = json.dumps(metadata, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"model.metadata must hold JSON values (str, numbers, lists, dicts): {error}"
        ) from None
    if json.loads(text) != metadata:  # tuples, non-str keys: load would give another dict
        raise TypeError(
            "model.metadata must hold JSON values (str, numbers, lists, dicts with str keys): "
            f"{metadata!r:.200} would load as {json.loads(text)!r:.200}"
        )
    return metadata


def _optimizer_document(
    optimizer: Optimizer, model: Sequential
) -> tuple[dict[str, Any], list[tuple[str, np.ndarray]]]:
    config = optimizer_config(optimizer)
    state = optimizer.state_dict()
    slots = state.pop("state", {})
    state["config"] = config
    bound = optimizer.parameters
    flat = len(bound) == 1 and bound[0] is model.flat_parameter()
    document = {**state, "binding": "flat" if flat else "layers"}
    document["slots"] = {key: len(values) for key, values in slots.items()}
    arrays = [
        (f"optimizer.{key}.{i}", np.asarray(value))
        for key, values in slots.items()
        for i, value in enumerate(values)
    ]
    return document, arrays


def save(
    model: Any,
    path: str | os.PathLike[str],
    *,
    include_optimizer: bool = False,
) -> None:
    """Write ``model`` to ``path`` atomically (the layout: ``docs/format.md``).

    ``model`` is a :class:`~ffnn.Sequential`, or an object a registered section stores (a
    fitted :class:`~ffnn.MLPClassifier` / :class:`~ffnn.MLPRegressor`). Always stored: the
    architecture (each class by name with its ``get_config()``), dtype, loss, every parameter
    and buffer, ``model.metadata`` (a dict of JSON values) and ``model.epochs_trained``.
    ``include_optimizer`` also stores the training state: the optimizer's configuration and
    state (moments, step count) and the model's random generator, so that training resumed
    from the file continues exactly as an uninterrupted run would.

    Whatever :func:`load` could not read back is refused before anything is written
    (``TypeError`` / ``ValueError`` naming it): a config that is not JSON or does not rebuild
    its class, a class defined inside a function, metadata that is not a dict of JSON values.
    """
    section = section_of(model)
    parts: SectionParts | None = None
    if section is not None:
        parts = section.write(model)
        network, optimizer = parts.model, parts.optimizer
    elif isinstance(model, Sequential):
        network, optimizer = model, model.optimizer
    else:
        raise TypeError(
            "save expects an ffnn Sequential model or a fitted ffnn MLPClassifier / "
            f"MLPRegressor, got {type(model).__name__}"
        )
    path = check_path(path)
    include_optimizer = check_bool(include_optimizer, "include_optimizer")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"cannot save to {path}: the folder {folder} does not exist")
    arrays = network.get_weights()
    names = [
        f"layers.{i}.{p.name}" for i, layer in enumerate(network.layers) for p in layer.parameters()
    ]
    names += [f"layers.{i}.{b}" for i, layer in enumerate(network.layers) for b in layer.buffers()]
    document: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "ffnn_version": __version__,
        "model": _model_document(network),
        "arrays": [],
        "optimizer": None,
        "metadata": _checked_metadata(network.metadata),
        "training": {
            "epochs_trained": network.epochs_trained,
            "rng": generator_state(network.rng) if include_optimizer else None,
        },
    }
    if include_optimizer and optimizer is not None:
        document["optimizer"], slots = _optimizer_document(optimizer, network)
        names += [name for name, _ in slots]
        arrays += [array for _, array in slots]
    members: list[tuple[str, np.ndarray]] = []
    for index, (name, array) in enumerate(zip(names, arrays, strict=True)):
        member = f"arrays/{index}.npy"
        document["arrays"].append(_entry({"name": name}, member, array))
        members.append((member, array))
    if section is not None and parts is not None:
        entries = []
        for index, (entry, array) in enumerate(parts.arrays):
            member = f"{section.key}/{index}.npy"
            entries.append(_entry(entry, member, array))
            members.append((member, array))
        document[section.key] = {**parts.body, "arrays": entries}
    try:
        text = json.dumps(document, indent=1, allow_nan=False)
    except (TypeError, ValueError) as error:  # every part was checked: a bug if it happens
        raise TypeError(f"the model cannot be written as JSON: {error}") from None
    write_archive(path, text, members)


def _entry(entry: dict[str, Any], member: str, array: np.ndarray) -> dict[str, Any]:
    return {**entry, "path": member, "shape": list(array.shape), "dtype": array.dtype.str}


def _build_model(
    spec: dict[str, Any], path: str, rng_spec: Any, custom_objects: dict[str, type]
) -> Sequential:
    layers = [build_layer(item, i, custom_objects, path) for i, item in enumerate(spec["layers"])]
    loss = None if spec["loss"] is None else build_loss(spec["loss"], custom_objects, path)
    try:
        generator = new_generator(rng_spec)
        model = Sequential(layers, dtype=spec["dtype"], random_state=generator)
        if not isinstance(generator, int):  # building drew the initial weights: rewind
            set_generator_state(model.rng, rng_spec)
    except (TypeError, ValueError, KeyError) as error:
        raise ValueError(f"{path}: the model cannot be rebuilt: {error}") from None
    model.loss = loss
    return model


def _restore_optimizer(
    spec: dict[str, Any],
    model: Sequential,
    arrays: list[np.ndarray],
    custom_objects: dict[str, type],
    path: str,
) -> Optimizer:
    state = {k: v for k, v in spec.items() if k not in ("slots", "binding")}
    slots: dict[str, list[np.ndarray]] = {}
    for key, count in spec["slots"].items():
        slots[key], arrays = arrays[:count], arrays[count:]
    optimizer = build_optimizer(state["name"], state["config"], custom_objects, path)
    try:
        flat = spec["binding"] == "flat"
        optimizer.bind([model.flat_parameter()] if flat else model.parameters())
        # the name the file gives may map to a class of another name (custom_objects)
        optimizer.load_state_dict({**state, "name": type(optimizer).__name__, "state": slots})
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"{path}: the optimizer state cannot be restored: {error}") from None
    return optimizer


def _check_predicts_finite(model: Sequential, path: str) -> None:
    """Refuse a model whose outputs for ordinary inputs (rows of 0, 1 and -1) are not finite:
    finite weights with a hostile config (an epsilon of 1e-320) or weights of 1e38."""
    n_in = model.n_features_in
    if not n_in:
        return
    probe = np.repeat(np.array([[0.0], [1.0], [-1.0]]), n_in, axis=1).astype(model.dtype)
    try:
        with np.errstate(all="ignore"):
            outputs = [model.forward(probe, training=False)]
            if model.loss is not None:  # predict applies the loss's link (exp may overflow)
                outputs.append(np.asarray(model.predict(probe), dtype=np.float64))
    except FloatingPointError:  # predict's own overflow check
        outputs = [np.array(np.nan)]
    if not all(np.all(np.isfinite(output)) for output in outputs):
        raise ValueError(
            f"{path}: the model predicts non-finite numbers for ordinary inputs (rows of 0, 1 "
            "and -1); the file is damaged or hostile"
        )


def load(path: str | os.PathLike[str], *, custom_objects: Mapping[str, type] | None = None) -> Any:
    """Read a model written by :func:`save`; the optimizer too when it was saved
    (``model.optimizer``, bound to the model's parameters).

    ``custom_objects`` maps the names of your own classes (layers, losses, optimizers,
    initializers, regularizers) to the classes, as in Keras:
    ``load(path, custom_objects={"Swish": Swish})``. A file that names a class neither ffnn nor
    ``custom_objects`` defines is refused with a ``ValueError`` naming it; nothing is imported
    by name. A file with a section (saved from a scikit-learn estimator) gives that object
    back: the fitted :class:`~ffnn.MLPClassifier` / :class:`~ffnn.MLPRegressor` (this needs
    scikit-learn: ``pip install 'ffnn[sklearn]'``).

    Whatever the file holds, the answer is the model or a ``ValueError`` naming the file and
    the problem (``OSError`` when the file system refuses: no permission): every field of the
    manifest is checked (:mod:`ffnn.io._manifest`), the arrays' sizes are bounded by the
    architecture before any is read, each member is decompressed with a bound, stored numbers
    must be finite, and the model must predict finite numbers for ordinary inputs.
    """
    custom = check_custom_objects(custom_objects)
    path = check_path(path)
    if os.path.isdir(path):
        raise ValueError(f"{path}: is a folder, not a model file")
    if not os.path.isfile(path):
        raise ValueError(f"{path}: no such model file")
    with open(path, "rb") as stream:  # OSError (no permission) as the file system says it
        with archive_errors(path, "the zip directory"):
            is_zip = zipfile.is_zipfile(stream)
        if not is_zip:
            raise ValueError(f"{path}: not an ffnn model file (not a zip archive)")
        with open_archive(stream, path) as archive:
            return _load_archive(archive, path, custom)


def _load_archive(archive: zipfile.ZipFile, path: str, custom: dict[str, type]) -> Any:
    document = read_manifest(archive, path)
    keys = [key for key, value in document.items() if key not in MODEL_KEYS and value is not None]
    if len(keys) > 1:
        raise ValueError(f"{path}: the file holds several sections {keys!r:.80}; expected one")
    # Before the model: finding a section's reader may import the part that registers
    # the classes the model names (an estimator's losses and optimizers).
    section = find_section(keys[0], path) if keys else None
    body = document[keys[0]] if keys else None
    if keys and not isinstance(body, dict):
        raise ValueError(f"{path}: malformed {keys[0]} section")
    manifest = check_manifest(document, path)
    needed, known = architecture_values(manifest.model, custom)
    optimizer = manifest.optimizer
    budget = Budget(needed, known, len(optimizer["slots"]) if optimizer else 0, path)
    for entry in manifest.arrays:
        budget.spend(entry)
    n_used = len(manifest.arrays)
    if optimizer is None:
        n_slots = 0
    else:
        n_slots = sum(optimizer["slots"].values())
    # the arrays are read before the model is built: its weights are allocated only once the
    # file has shown it holds as many numbers
    arrays = [read_array(archive, entry, path) for entry in manifest.arrays]
    check_sizes_are_stored(needed, arrays, path)
    model = _build_model(manifest.model, path, manifest.rng, custom)
    model.metadata = manifest.metadata
    model.epochs_trained = manifest.epochs_trained
    n_weights = len(model.get_weights())
    if n_used != n_weights + n_slots:
        raise ValueError(
            f"{path}: {n_used} arrays listed, the model needs {n_weights}"
            + (f" and its optimizer {n_slots}" if optimizer is not None else "")
        )
    try:
        model.set_weights(arrays[:n_weights])
    except ValueError as error:
        raise ValueError(f"{path}: the stored weights do not fit the model: {error}") from None
    _check_predicts_finite(model, path)
    if optimizer is not None:
        slots = [
            check_finite(array, entry["name"], path)
            for array, entry in zip(arrays[n_weights:], manifest.arrays[n_weights:], strict=True)
        ]
        model.optimizer = _restore_optimizer(optimizer, model, slots, custom, path)
    if section is None or body is None:
        return model

    def read_section_array(entry: Any, allowed: Any) -> np.ndarray:
        budget.spend(entry, allowed)
        return check_finite(read_array(archive, entry, path, allowed), entry["name"], path)

    try:
        return section.read(body, read_section_array, model)
    except (TypeError, ValueError, KeyError) as error:
        if str(error).startswith(path):
            raise
        message = error.args[0] if isinstance(error, KeyError) and error.args else error
        raise ValueError(f"{path}: {message}") from None
