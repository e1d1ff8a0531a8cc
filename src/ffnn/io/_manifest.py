"""The manifest of a model file, checked field by field before anything is built or read.

``ffnn.json`` is parsed by :func:`ffnn.io._archive.read_manifest` (which refuses ``NaN``,
``Infinity`` and numbers out of float range). :func:`check_manifest` then checks the type and
range of every field the Sequential part of the file holds, so that what follows (building the
layers, reading the arrays, restoring the optimizer and the generator) never meets a value of
the wrong kind: a file that breaks a rule is a ``ValueError`` naming the file and the field.
The constructors (of the layers, the loss, the optimizer) check their own arguments' ranges;
a section's reader checks its own body.

The architecture bounds the arrays: :func:`architecture_values` counts the numbers the layers'
configs allocate, a :class:`Budget` refuses array entries that declare more bytes than a small
multiple of that before any is read, and :func:`check_sizes_are_stored` refuses layers that
need more numbers than the arrays read hold, before the layers are built.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ffnn.io._archive import ARRAY_DTYPES, array_entry
from ffnn.layers import LAYERS

__all__ = [
    "Budget",
    "Manifest",
    "architecture_values",
    "check_manifest",
    "check_sizes_are_stored",
]

_DTYPES = ("float32", "float64")
_BINDINGS = ("flat", "layers")
_MAX_LAYERS = 10_000
_MAX_SLOT_KINDS = 8
_MAX_COUNT = 2**53  # epochs, iterations: any count a real run reaches


@dataclass
class Manifest:
    """The checked fields of the Sequential part of ``ffnn.json``."""

    model: dict[
        str, Any
    ]  # {"class": "Sequential", "dtype", "layers": [{"class", "config"}], "loss"}
    arrays: list[Any]  # each entry is checked when it is read (ffnn.io._archive.array_entry)
    optimizer: dict[str, Any] | None  # {"name", "config", "iterations", "binding", "slots"}
    metadata: dict[str, Any]
    epochs_trained: int
    rng: dict[str, Any] | None


def _is_int(value: Any, low: int = 0, high: int = _MAX_COUNT) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _class_entry(item: Any, what: str, path: str) -> dict[str, Any]:
    """``{"class": str, "config": dict}`` (``config`` defaults to ``{}``)."""
    if not isinstance(item, dict) or not isinstance(item.get("class"), str):
        raise ValueError(f"{path}: {what} must be an object naming its class, got {item!r:.80}")
    config = item.get("config", {})
    if not isinstance(config, dict):
        raise ValueError(f"{path}: {what} ({item['class']:.40}) has a config that is no object")
    return {"class": item["class"], "config": config}


def _model(spec: Any, path: str) -> dict[str, Any]:
    if not isinstance(spec, dict) or spec.get("class") != "Sequential":
        raise ValueError(f"{path}: the file holds no Sequential model")
    dtype = spec.get("dtype", "float32")
    if dtype not in _DTYPES:
        raise ValueError(f"{path}: the model's dtype must be one of {_DTYPES}, got {dtype!r:.40}")
    items = spec.get("layers")
    if not isinstance(items, list) or not 0 < len(items) <= _MAX_LAYERS:
        raise ValueError(f"{path}: the model's layers must be a list of 1 to {_MAX_LAYERS}")
    layers = [_class_entry(item, f"layer {i}", path) for i, item in enumerate(items)]
    loss = spec.get("loss")
    if loss is not None and not isinstance(loss, dict):
        raise ValueError(f"{path}: the loss must be a JSON object, got {type(loss).__name__}")
    if isinstance(loss, dict) and "class" in loss:
        loss = _class_entry(loss, "the loss", path)
    return {"class": "Sequential", "dtype": dtype, "layers": layers, "loss": loss}


def _optimizer(spec: Any, path: str) -> dict[str, Any] | None:
    if spec is None:
        return None
    if not isinstance(spec, dict):
        raise ValueError(f"{path}: malformed optimizer section {spec!r:.80}")
    name, config = spec.get("name"), spec.get("config", {})
    if not isinstance(name, str) or not isinstance(config, dict):
        raise ValueError(f"{path}: the optimizer must name its class and give a config object")
    iterations = spec.get("iterations", 0)
    if not _is_int(iterations):
        raise ValueError(f"{path}: invalid optimizer iterations {iterations!r:.40}")
    binding = spec.get("binding", "layers")
    if binding not in _BINDINGS:
        raise ValueError(f"{path}: the optimizer binding must be one of {_BINDINGS}")
    slots = spec.get("slots") or {}
    if (
        not isinstance(slots, dict)
        or len(slots) > _MAX_SLOT_KINDS
        or not all(_is_int(n, 0, _MAX_LAYERS * 4) for n in slots.values())
    ):
        raise ValueError(f"{path}: malformed optimizer slots {slots!r:.80}")
    return {**spec, "config": config, "iterations": iterations, "binding": binding, "slots": slots}


def check_manifest(document: dict[str, Any], path: str) -> Manifest:
    """The Sequential part of a parsed ``ffnn.json``, every field type- and range-checked."""
    model = _model(document.get("model"), path)
    arrays = document.get("arrays")
    if not isinstance(arrays, list):
        raise ValueError(f"{path}: the manifest lists no arrays")
    metadata = document.get("metadata") or {}
    if not isinstance(metadata, dict):
        raise ValueError(f"{path}: metadata must be a JSON object")
    training = document.get("training") or {}
    if not isinstance(training, dict):
        raise ValueError(f"{path}: malformed training section")
    epochs = training.get("epochs_trained", 0)
    if not _is_int(epochs):
        raise ValueError(f"{path}: invalid epochs_trained {epochs!r:.40}")
    rng = training.get("rng")
    if rng is not None and not isinstance(rng, dict):
        raise ValueError(f"{path}: the generator state must be a JSON object")
    optimizer = _optimizer(document.get("optimizer"), path)
    return Manifest(model, arrays, optimizer, metadata, epochs, rng)


#: The layers of ffnn whose size a config gives: (class, values allocated for the config).
_SIZED_LAYERS = ("Dense", "BatchNorm", "LayerNorm")
_BUDGET_ALLOWANCE = 1 << 20  # bytes beyond the architecture's own: labels, headers, scalars


def _declared_values(config: dict[str, Any], name: Any) -> int:
    """How many numbers a layer of class ``name`` with ``config`` allocates when it is built
    (parameters and buffers); 0 for what it does not know (the constructor checks those)."""
    sizes = [config.get(key) for key in ("n_in", "n_out", "n_features")]
    n_in, n_out, n_features = (
        n if isinstance(n, int) and not isinstance(n, bool) and n > 0 else 0 for n in sizes
    )
    if name == "Dense":
        return n_in * n_out + n_out
    if name in _SIZED_LAYERS:
        return (4 if name == "BatchNorm" else 2) * n_features
    return 0


def architecture_values(spec: dict[str, Any], custom_objects: dict[str, type]) -> tuple[int, bool]:
    """``(values, known)``: how many numbers the layers of ``spec`` allocate, and whether that
    is all of them (every layer is ffnn's own, whose config says its size)."""
    values, known = 0, True
    for item in spec["layers"]:
        name = item["class"]
        values += _declared_values(item["config"], name)
        cls = custom_objects.get(name) or LAYERS.find(name)
        if cls is None or cls.__module__.split(".")[0] != "ffnn":
            known = False  # a user's layer: its own code decides what it allocates
    return values, known


class Budget:
    """The bytes the arrays of a file may take, from its architecture, spent as they are read:
    ``(values + 4096) * 8 * (3 + slot kinds)`` (the weights, the best weights of an estimator,
    the optimizer's slots) plus 1 MiB; unbounded for a model with a user's own layers."""

    def __init__(self, values: int, known: bool, slot_kinds: int, path: str) -> None:
        self.left = (values + 4096) * 8 * (3 + slot_kinds) + _BUDGET_ALLOWANCE if known else None
        self.path = path

    def spend(self, entry: Any, allowed: Any = ARRAY_DTYPES.__contains__) -> None:
        _, _, _, nbytes = array_entry(entry, self.path, allowed)
        if self.left is None:
            return
        self.left -= nbytes
        if self.left < 0:
            raise ValueError(
                f"{self.path}: the arrays declare more bytes than the layers use (array "
                f"{entry['name']!r:.60} of {nbytes:,} bytes); the file is damaged or hostile"
            )


def check_sizes_are_stored(needed: int, arrays: list[np.ndarray], path: str) -> None:
    """Refuse a manifest whose layers would allocate more numbers than the file stores.

    Building the model allocates its weights, so without this a manifest of a few bytes naming
    ``Dense(100000, 100000)`` would take 80 GB. The arrays compared were read (their data is
    in the file, not only declared), so the memory a file can claim is bounded by the data it
    carries.
    """
    stored = sum(array.size for array in arrays)
    if needed > stored:
        raise ValueError(
            f"{path}: the layers need {needed:,} numbers but the file stores at most {stored:,}; "
            "the file is damaged or hostile"
        )
