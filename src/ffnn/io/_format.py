"""Saving and loading a model: the manifest, the arrays, the optimizer and the generator.

``save`` writes the layout of ``docs/format.md``: ``ffnn.json`` names the network's classes
with their configs (:mod:`ffnn.io._classes`), lists the arrays (every parameter and buffer in
``Sequential.get_weights`` order, then the optimizer's state) and holds the metadata, the epoch
count and, with the optimizer, the generator's state; a registered section
(:mod:`ffnn.io._sections`) adds its own key. ``load`` reads it back, trusting nothing.
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
from ffnn.io._archive import FORMAT, FORMAT_VERSION, read_array, read_manifest, write_archive
from ffnn.io._classes import (
    build_layer,
    build_loss,
    build_optimizer,
    check_custom_objects,
    layer_entry,
    loss_entry,
    optimizer_config,
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


def _declared_values(config: dict[str, Any], name: Any) -> int:
    """How many numbers a layer of class ``name`` with ``config`` allocates when it is built
    (parameters and buffers); 0 for what it does not know (the constructor checks those)."""
    sizes = [config.get(key) for key in ("n_in", "n_out", "n_features")]
    n_in, n_out, n_features = (n if isinstance(n, int) and n > 0 else 0 for n in sizes)
    if name == "Dense":
        return n_in * n_out + n_out
    return (4 if name == "BatchNorm" else 2) * n_features


def _check_sizes_are_stored(document: dict[str, Any], archive: zipfile.ZipFile, path: str) -> None:
    """Refuse a manifest whose layers would allocate more numbers than the archive stores.

    Building the model allocates its weights before any array is read, so without this a
    manifest of a few bytes naming ``Dense(100000, 100000)`` would take 80 GB. The sizes
    compared are the ones the zip directory declares (reading enforces them), so the memory a
    file can claim is bounded by the data it carries.
    """
    spec, entries = document.get("model"), document.get("arrays")
    if not isinstance(spec, dict) or not isinstance(entries, list):
        return  # reported as malformed later
    needed = sum(
        _declared_values(item["config"], item.get("class"))
        for item in spec.get("layers") or []
        if isinstance(item, dict) and isinstance(item.get("config"), dict)
    )
    stored = 0
    for entry in entries:
        try:
            itemsize = np.dtype(entry["dtype"]).itemsize
            declared = archive.getinfo(str(entry["path"])).file_size
        except (KeyError, TypeError, ValueError):
            continue  # reported when the array is read
        stored += declared // max(itemsize, 1)
    if needed > stored:
        raise ValueError(
            f"{path}: the layers need {needed:,} numbers but the file stores at most "
            f"{stored:,}; the file is damaged or hostile"
        )


def _build_model(
    spec: Any, path: str, rng_spec: Any, custom_objects: dict[str, type]
) -> Sequential:
    if not isinstance(spec, dict) or spec.get("class") != "Sequential":
        raise ValueError(f"{path}: the file holds no Sequential model")
    items = spec.get("layers") or []
    if not isinstance(items, list):
        raise ValueError(f"{path}: the model's layers must be a list")
    layers = [build_layer(item, i, custom_objects, path) for i, item in enumerate(items)]
    loss = None if spec.get("loss") is None else build_loss(spec["loss"], custom_objects, path)
    try:
        generator = new_generator(rng_spec)
        model = Sequential(layers, dtype=spec.get("dtype", "float32"), random_state=generator)
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
    counts = spec.get("slots") or {}
    if not isinstance(counts, dict) or not all(
        isinstance(n, int) and n >= 0 for n in counts.values()
    ):
        raise ValueError(f"{path}: malformed optimizer slots {counts!r:.80}")
    for key, count in counts.items():
        slots[key], arrays = arrays[:count], arrays[count:]
    optimizer = build_optimizer(state.get("name"), state.get("config"), custom_objects, path)
    try:
        flat = spec.get("binding") == "flat"
        optimizer.bind([model.flat_parameter()] if flat else model.parameters())
        # the name the file gives may map to a class of another name (custom_objects)
        optimizer.load_state_dict({**state, "name": type(optimizer).__name__, "state": slots})
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"{path}: the optimizer state cannot be restored: {error}") from None
    return optimizer


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
    """
    custom = check_custom_objects(custom_objects)
    path = check_path(path)
    if not os.path.isfile(path):
        raise ValueError(f"{path}: no such model file")
    if not zipfile.is_zipfile(path):
        raise ValueError(f"{path}: not an ffnn model file (not a zip archive)")
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise ValueError(f"{path}: damaged ffnn model file ({error})") from None
    with archive:
        document = read_manifest(archive, path)
        keys = [
            key for key, value in document.items() if key not in MODEL_KEYS and value is not None
        ]
        if len(keys) > 1:
            raise ValueError(f"{path}: the file holds several sections {keys}; expected one")
        # Before the model: finding a section's reader may import the part that registers
        # the classes the model names (an estimator's losses and optimizers).
        section = find_section(keys[0], path) if keys else None
        body = document[keys[0]] if keys else None
        if keys and not isinstance(body, dict):
            raise ValueError(f"{path}: malformed {keys[0]} section")
        training = document.get("training") or {}
        if not isinstance(training, dict):
            raise ValueError(f"{path}: malformed training section")
        _check_sizes_are_stored(document, archive, path)
        model = _build_model(document.get("model"), path, training.get("rng"), custom)
        metadata = document.get("metadata") or {}
        if not isinstance(metadata, dict):
            raise ValueError(f"{path}: metadata must be a JSON object")
        model.metadata = metadata
        epochs = training.get("epochs_trained", 0)
        if not isinstance(epochs, int) or epochs < 0:
            raise ValueError(f"{path}: invalid epochs_trained {epochs!r}")
        model.epochs_trained = epochs
        entries = document.get("arrays")
        if not isinstance(entries, list):
            raise ValueError(f"{path}: the manifest lists no arrays")
        arrays = [read_array(archive, entry, path) for entry in entries]
        n_weights = len(model.get_weights())
        if len(arrays) < n_weights:
            raise ValueError(f"{path}: {len(arrays)} arrays stored, the model needs {n_weights}")
        try:
            model.set_weights(arrays[:n_weights])
        except ValueError as error:
            raise ValueError(f"{path}: the stored weights do not fit the model: {error}") from None
        spec = document.get("optimizer")
        if spec is not None and not isinstance(spec, dict):
            raise ValueError(f"{path}: malformed optimizer section")
        if spec is not None:
            model.optimizer = _restore_optimizer(spec, model, arrays[n_weights:], custom, path)
        if section is None or body is None:
            return model

        def read_section_array(entry: Any, allowed: Any) -> np.ndarray:
            return read_array(archive, entry, path, allowed)

        try:
            return section.read(body, read_section_array, model)
        except (TypeError, ValueError, KeyError) as error:
            if str(error).startswith(path):
                raise
            message = error.args[0] if isinstance(error, KeyError) and error.args else error
            raise ValueError(f"{path}: {message}") from None
