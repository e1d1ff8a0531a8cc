"""Saving and loading models: one zip file, JSON plus ``.npy`` arrays, no pickle.

Layout of a ``.ffnn`` file (specified in ``docs/format.md``):

- ``ffnn.json``: ``{"format": "ffnn-model", "format_version": 1, "ffnn_version": ...,
  "model": {"class": "Sequential", "dtype": ..., "layers": [{"class": ..., "config": {...}}],
  "loss": {...} | null}, "arrays": [{"name", "path", "shape", "dtype"}],
  "optimizer": {"name", "config", "iterations", "binding": "flat" | "layers", "slots"} | null}``
- ``arrays/<n>.npy``: every parameter and buffer, in ``Sequential.get_weights`` order; then the
  optimizer's state arrays when it was saved.

Saving writes a temporary file in the target's folder, flushes it to disk and renames it over
the target, so a crash mid-save leaves the previous file intact. Loading reads only JSON and
``.npy`` data (``allow_pickle=False``); it never runs code from the file, and anything
unexpected (not a zip, missing members, unknown layers, wrong shapes, a newer format version,
oversized members) raises ``ValueError`` naming the problem.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
import zipfile
from typing import TYPE_CHECKING, Any

import numpy as np

import ffnn

if TYPE_CHECKING:
    from ffnn.layers import Layer
    from ffnn.model import Sequential

__all__ = ["save", "load", "FORMAT", "FORMAT_VERSION"]

FORMAT = "ffnn-model"
FORMAT_VERSION = 1
MANIFEST = "ffnn.json"
_MAX_MANIFEST_BYTES = 16 * 1024 * 1024
_NPY_HEADER_ALLOWANCE = 4096
_ARRAY_DTYPES = {"<f4", "<f8", "<i8"}


def _layer_classes() -> dict[str, type[Layer]]:
    """Every layer class the library defines, by name: the only classes a file may name."""
    from ffnn import activations, layers

    modules: list[Any] = [layers, activations]
    try:
        from ffnn import normalization

        modules.append(normalization)
    except ImportError:  # pragma: no cover - normalization arrives with the toolkit
        pass
    found: dict[str, type[Layer]] = {}
    for module in modules:
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if isinstance(obj, type) and issubclass(obj, layers.Layer) and obj is not layers.Layer:
                found[name] = obj
    return found


def _model_document(model: Sequential) -> dict[str, Any]:
    return {
        "class": "Sequential",
        "dtype": str(model.dtype),
        "layers": [
            {"class": type(layer).__name__, "config": layer.get_config()} for layer in model.layers
        ],
        "loss": None if model.loss is None else model.loss.get_config(),
    }


_BIT_GENERATORS = ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")


def _plain(value: Any) -> Any:
    """A generator state with its arrays as tagged lists, for JSON."""
    if isinstance(value, np.ndarray):
        return {"__array__": value.tolist(), "dtype": value.dtype.str}
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    if isinstance(value, np.integer | np.floating):
        return value.item()
    return value


def _unplain(value: Any) -> Any:
    """The inverse of :func:`_plain`; only unsigned-integer arrays are rebuilt."""
    if isinstance(value, dict) and "__array__" in value:
        if value.get("dtype") not in ("<u4", "<u8"):
            raise ValueError(f"unexpected array in a generator state: {value.get('dtype')!r}")
        return np.asarray(value["__array__"], dtype=value["dtype"])
    if isinstance(value, dict):
        return {key: _unplain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_unplain(item) for item in value]
    return value


def _generator_state(rng: Any) -> dict[str, Any]:
    if isinstance(rng, np.random.Generator):
        return {"kind": "Generator", "state": _plain(rng.bit_generator.state)}
    return {"kind": "RandomState", "state": _plain(list(rng.get_state()))}


def _new_generator(spec: Any) -> Any:
    """A generator of the saved kind, in the saved state (``None``: a seeded default)."""
    if spec is None:
        return 0
    kind, state = spec.get("kind"), _unplain(spec.get("state"))
    if kind == "RandomState":
        rng = np.random.RandomState()  # noqa: NPY002
        rng.set_state(tuple(state))
        return rng
    name = state.get("bit_generator") if isinstance(state, dict) else None
    if kind != "Generator" or name not in _BIT_GENERATORS:
        raise ValueError(f"unknown random generator {kind!r} / {name!r}")
    generator = np.random.Generator(getattr(np.random, name)())
    generator.bit_generator.state = state
    return generator


def save(
    model: Sequential, path: str | os.PathLike[str], *, include_optimizer: bool = False
) -> None:
    """Write ``model`` to ``path`` atomically (see the module docstring for the layout).

    Always stored: the architecture, dtype, loss, every parameter and buffer,
    ``model.metadata`` (a dict of JSON values: feature names, class labels, ...) and
    ``model.epochs_trained``. ``include_optimizer`` also stores the training state:
    ``model.optimizer``'s configuration and state (moments, step count) and the state of the
    model's random generator, so that training resumed from the file continues exactly as an
    uninterrupted run would.
    """
    from ffnn.model import Sequential

    if not isinstance(model, Sequential):
        raise TypeError(f"save expects an ffnn Sequential model, got {type(model).__name__}")
    arrays = model.get_weights()
    names = [
        f"layers.{i}.{p.name}" for i, layer in enumerate(model.layers) for p in layer.parameters()
    ]
    names += [f"layers.{i}.{b}" for i, layer in enumerate(model.layers) for b in layer.buffers()]
    document: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "ffnn_version": ffnn.__version__,
        "model": _model_document(model),
        "arrays": [],
        "optimizer": None,
        "metadata": model.metadata,
        "training": {
            "epochs_trained": model.epochs_trained,
            "rng": _generator_state(model.rng) if include_optimizer else None,
        },
    }
    if include_optimizer and model.optimizer is not None:
        state = model.optimizer.state_dict()
        slots = state.pop("state", {})
        bound = model.optimizer.parameters
        flat = len(bound) == 1 and bound[0] is model.flat_parameter()
        document["optimizer"] = {
            **state,
            "binding": "flat" if flat else "layers",
            "slots": {key: len(v) for key, v in slots.items()},
        }
        for key, values in slots.items():
            names += [f"optimizer.{key}.{i}" for i in range(len(values))]
            arrays += [np.asarray(v) for v in values]
    members: list[tuple[str, np.ndarray]] = []
    for index, (name, array) in enumerate(zip(names, arrays, strict=True)):
        member = f"arrays/{index}.npy"
        entry = {
            "name": name,
            "path": member,
            "shape": list(array.shape),
            "dtype": array.dtype.str,
        }
        document["arrays"].append(entry)
        members.append((member, array))
    _write_atomically(os.fspath(path), document, members)


def _write_atomically(path: str, document: dict[str, Any], members: list[tuple[str, Any]]) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(prefix=".ffnn-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "wb") as raw:
            with zipfile.ZipFile(raw, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                try:
                    text = json.dumps(document, indent=1, allow_nan=False)
                except (TypeError, ValueError) as error:
                    raise TypeError(
                        f"model.metadata must hold JSON values (str, numbers, lists, dicts): "
                        f"{error}"
                    ) from None
                archive.writestr(MANIFEST, text)
                for member, array in members:
                    buffer = io.BytesIO()
                    np.save(buffer, np.ascontiguousarray(array), allow_pickle=False)
                    archive.writestr(member, buffer.getvalue())
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def _read_member(archive: zipfile.ZipFile, member: str, limit: int, path: str) -> bytes:
    try:
        info = archive.getinfo(member)
    except KeyError:
        raise ValueError(f"{path}: damaged ffnn model file: member {member!r} is missing") from None
    if info.file_size > limit:
        raise ValueError(
            f"{path}: member {member!r} declares {info.file_size} bytes, more than the "
            f"{limit} expected; the file is damaged or hostile"
        )
    try:
        with archive.open(info) as stream:
            data = stream.read(limit + 1)
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise ValueError(f"{path}: damaged ffnn model file ({member}: {error})") from None
    if len(data) > limit:
        raise ValueError(f"{path}: member {member!r} is larger than expected")
    return data


def _read_manifest(archive: zipfile.ZipFile, path: str) -> dict[str, Any]:
    raw = _read_member(archive, MANIFEST, _MAX_MANIFEST_BYTES, path)
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"{path}: {MANIFEST} is not valid JSON ({error})") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValueError(f"{path}: not an ffnn model file ({MANIFEST} has no format {FORMAT!r})")
    version = document.get("format_version")
    if not isinstance(version, int) or version < 1:
        raise ValueError(f"{path}: invalid format_version {version!r}")
    if version > FORMAT_VERSION:
        raise ValueError(
            f"{path}: written with format version {version} by ffnn "
            f"{document.get('ffnn_version', '?')}; this ffnn {ffnn.__version__} reads versions "
            f"up to {FORMAT_VERSION}: upgrade ffnn to load it"
        )
    return document


def _read_array(archive: zipfile.ZipFile, entry: Any, path: str) -> np.ndarray:
    if not isinstance(entry, dict) or not {"name", "path", "shape", "dtype"} <= set(entry):
        raise ValueError(f"{path}: malformed array entry {entry!r}")
    shape, dtype = entry["shape"], entry["dtype"]
    if (
        not isinstance(shape, list)
        or not all(isinstance(n, int) and 0 <= n < 2**31 for n in shape)
        or dtype not in _ARRAY_DTYPES
    ):
        raise ValueError(f"{path}: array {entry['name']!r} has an invalid shape or dtype")
    expected = int(np.prod(shape, dtype=np.int64)) * np.dtype(dtype).itemsize
    data = _read_member(archive, str(entry["path"]), expected + _NPY_HEADER_ALLOWANCE, path)
    try:
        array = np.load(io.BytesIO(data), allow_pickle=False)
    except (ValueError, OSError, EOFError) as error:
        raise ValueError(f"{path}: array {entry['name']!r} is damaged ({error})") from None
    if list(array.shape) != shape or array.dtype.str != dtype:
        raise ValueError(
            f"{path}: array {entry['name']!r} is {array.dtype.str}{list(array.shape)}, the "
            f"manifest says {dtype}{shape}"
        )
    return array


def _build_model(spec: Any, path: str, rng_spec: Any = None) -> Sequential:
    from ffnn import losses
    from ffnn.model import Sequential

    if not isinstance(spec, dict) or spec.get("class") != "Sequential":
        raise ValueError(f"{path}: the file holds no Sequential model")
    classes = _layer_classes()
    layers = []
    for position, item in enumerate(spec.get("layers") or []):
        name = item.get("class") if isinstance(item, dict) else None
        config = item.get("config", {}) if isinstance(item, dict) else None
        if name not in classes or not isinstance(config, dict):
            raise ValueError(f"{path}: layer {position} has an unknown class {name!r}")
        try:
            layers.append(classes[name](**config))
        except (TypeError, ValueError) as error:
            raise ValueError(
                f"{path}: layer {position} ({name}) has a bad config: {error}"
            ) from None
    try:
        generator = _new_generator(rng_spec)
        state = None if isinstance(generator, int) else _generator_state(generator)
        model = Sequential(layers, dtype=spec.get("dtype", "float32"), random_state=generator)
        if state is not None:  # building drew the initial weights: rewind to the saved state
            _set_generator_state(model.rng, rng_spec)
        if spec.get("loss") is not None:
            model.loss = losses.get(spec["loss"])
    except (TypeError, ValueError) as error:
        raise ValueError(f"{path}: the model cannot be rebuilt: {error}") from None
    return model


def _set_generator_state(rng: Any, spec: dict[str, Any]) -> None:
    state = _unplain(spec["state"])
    if isinstance(rng, np.random.Generator):
        rng.bit_generator.state = state
    else:
        rng.set_state(tuple(state))


def load(path: str | os.PathLike[str]) -> Sequential:
    """Read a model written by :func:`save`; the optimizer too when it was saved
    (``model.optimizer``, bound to the model's parameters)."""
    from ffnn import optimizers

    path = os.fspath(path)
    if not os.path.isfile(path):
        raise ValueError(f"{path}: no such model file")
    if not zipfile.is_zipfile(path):
        raise ValueError(f"{path}: not an ffnn model file (not a zip archive)")
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise ValueError(f"{path}: damaged ffnn model file ({error})") from None
    with archive:
        document = _read_manifest(archive, path)
        training = document.get("training") or {}
        if not isinstance(training, dict):
            raise ValueError(f"{path}: malformed training section")
        model = _build_model(document.get("model"), path, training.get("rng"))
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
        arrays = [_read_array(archive, entry, path) for entry in entries]
    n_weights = len(model.get_weights())
    if len(arrays) < n_weights:
        raise ValueError(f"{path}: {len(arrays)} arrays stored, the model needs {n_weights}")
    try:
        model.set_weights(arrays[:n_weights])
    except ValueError as error:
        raise ValueError(f"{path}: the stored weights do not fit the model: {error}") from None
    spec = document.get("optimizer")
    if spec is not None:
        rest = arrays[n_weights:]
        state = {k: v for k, v in spec.items() if k not in ("slots", "binding")}
        slots: dict[str, list[np.ndarray]] = {}
        for key, count in (spec.get("slots") or {}).items():
            slots[key], rest = rest[:count], rest[count:]
        try:
            optimizer = optimizers.get(state["config"] | {"name": state["name"]})
            flat = spec.get("binding") == "flat"
            optimizer.bind([model.flat_parameter()] if flat else model.parameters())
            optimizer.load_state_dict({**state, "state": slots})
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"{path}: the optimizer state cannot be restored: {error}") from None
        model.optimizer = optimizer
    return model
