"""Saving and loading models: one zip file, JSON plus ``.npy`` arrays, no pickle.

Layout of a ``.ffnn`` file (specified in ``docs/format.md``):

- ``ffnn.json``: ``{"format": "ffnn-model", "format_version": 1, "ffnn_version": ...,
  "model": {"class": "Sequential", "dtype": ..., "layers": [{"class": ..., "config": {...}}],
  "loss": {...} | null}, "arrays": [{"name", "path", "shape", "dtype"}],
  "optimizer": {"name", "config", "iterations", "binding": "flat" | "layers", "slots"} | null}``
- ``arrays/<n>.npy``: every parameter and buffer, in ``Sequential.get_weights`` order; then the
  optimizer's state arrays when it was saved.
- From a fitted ``MLPClassifier`` / ``MLPRegressor``: the above for its ``model_``, plus
  ``"estimator": {"class", "params", "attributes", "arrays"}`` in ``ffnn.json`` and
  ``estimator/<n>.npy`` (``classes_``, and the best weights with early stopping); ``load``
  then returns the fitted estimator, and a reader that ignores the section gets the network.

Saving writes a temporary file in the target's folder, flushes it to disk and renames it over
the target, so a crash mid-save leaves the previous file intact. Loading reads only JSON and
``.npy`` data (``allow_pickle=False``); it never runs code from the file, and anything
unexpected (not a zip, missing members, unknown layers, wrong shapes, a newer format version,
oversized members) raises ``ValueError`` naming the problem.
"""

from __future__ import annotations

import io
import json
import math
import numbers
import os
import pathlib
import re
import secrets
import sys
import zipfile
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, BinaryIO

import numpy as np

from ffnn import model as model_module
from ffnn._checks import check_bool, check_path
from ffnn._version import __version__

if TYPE_CHECKING:
    from ffnn.layers import Layer
    from ffnn.model import Sequential
    from ffnn.sklearn._base import BaseMLP

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
    if not isinstance(spec, dict):
        raise ValueError(f"a generator state must be a JSON object, got {type(spec).__name__}")
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
    model: Sequential | BaseMLP,
    path: str | os.PathLike[str],
    *,
    include_optimizer: bool = False,
) -> None:
    """Write ``model`` to ``path`` atomically (see the module docstring for the layout).

    ``model`` is a :class:`~ffnn.Sequential` or a fitted :class:`~ffnn.MLPClassifier` /
    :class:`~ffnn.MLPRegressor`. Always stored: the architecture, dtype, loss, every parameter
    and buffer, ``model.metadata`` (a dict of JSON values: feature names, class labels, ...)
    and ``model.epochs_trained``. ``include_optimizer`` also stores the training state:
    ``model.optimizer``'s configuration and state (moments, step count) and the state of the
    model's random generator, so that training resumed from the file continues exactly as an
    uninterrupted run would. An estimator adds an ``"estimator"`` section: its class, its
    ``get_params()`` and its fitted attributes (``classes_``, ``loss_curve_``, ...), with its
    network (``model_``) stored as the Sequential model of the file.
    """
    from ffnn.model import Sequential

    estimator = _estimator_class_name(model)
    if estimator is not None:
        section, extra = _estimator_section(model, estimator)
        optimizer = model.__dict__.get("_optimizer")
        model = model.__dict__["model_"]
    elif not isinstance(model, Sequential):
        raise TypeError(
            "save expects an ffnn Sequential model or a fitted ffnn MLPClassifier / "
            f"MLPRegressor, got {type(model).__name__}"
        )
    else:
        optimizer = model.optimizer
    path = check_path(path)
    include_optimizer = check_bool(include_optimizer, "include_optimizer")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"cannot save to {path}: the folder {folder} does not exist")
    arrays = model.get_weights()
    names = [
        f"layers.{i}.{p.name}" for i, layer in enumerate(model.layers) for p in layer.parameters()
    ]
    names += [f"layers.{i}.{b}" for i, layer in enumerate(model.layers) for b in layer.buffers()]
    document: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "ffnn_version": __version__,
        "model": _model_document(model),
        "arrays": [],
        "optimizer": None,
        "metadata": model.metadata,
        "training": {
            "epochs_trained": model.epochs_trained,
            "rng": _generator_state(model.rng) if include_optimizer else None,
        },
    }
    if include_optimizer and optimizer is not None:
        state = optimizer.state_dict()
        slots = state.pop("state", {})
        bound = optimizer.parameters
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
    if estimator is not None:
        document["estimator"] = section
        members += extra
    _write_atomically(path, document, members)


def replace_file(
    path: str | os.PathLike[str], write: Callable[[pathlib.Path], None]
) -> pathlib.Path:
    """Write a file whole or not at all: ``write(temporary)`` creates and fills a hidden
    temporary file beside ``path``, ``.ffnn-<random>.tmp<suffix of path>`` (writers that pick
    the format from the suffix still can), which then replaces ``path`` in one step
    (``os.replace``). The writer creates the file, so it gets the permissions of any new file
    (umask applied). A failure leaves any previous file at ``path`` untouched and no temporary
    behind; a process killed mid-way may leave the temporary, never a half-written ``path``.
    """
    target = pathlib.Path(path)
    temporary = target.with_name(f".ffnn-{secrets.token_hex(4)}.tmp{target.suffix}")
    try:
        write(temporary)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)  # gone after os.replace; left by a failed write
    return target


def replace_atomically(path: str | os.PathLike[str], write: Callable[[BinaryIO], None]) -> None:
    """:func:`replace_file` for a writer of a binary stream: ``write(stream)`` fills the
    temporary file, which is flushed to disk (``fsync``) before it replaces ``path``."""

    def fill(temporary: pathlib.Path) -> None:
        with open(temporary, "xb") as stream:  # x: never another process's file
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())

    replace_file(path, fill)


def _write_atomically(path: str, document: dict[str, Any], members: list[tuple[str, Any]]) -> None:
    try:
        text = json.dumps(document, indent=1, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"model.metadata must hold JSON values (str, numbers, lists, dicts): {error}"
        ) from None

    def write(stream: BinaryIO) -> None:
        with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(MANIFEST, text)
            for member, array in members:
                buffer = io.BytesIO()
                np.save(buffer, np.ascontiguousarray(array), allow_pickle=False)
                archive.writestr(member, buffer.getvalue())

    replace_atomically(path, write)


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
    except (ValueError, RecursionError) as error:  # bad UTF-8 or JSON, too deep, too long
        raise ValueError(f"{path}: {MANIFEST} is not valid JSON ({error})") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValueError(f"{path}: not an ffnn model file ({MANIFEST} has no format {FORMAT!r})")
    version = document.get("format_version")
    if not isinstance(version, int) or version < 1:
        raise ValueError(f"{path}: invalid format_version {version!r}")
    if version > FORMAT_VERSION:
        raise ValueError(
            f"{path}: written with format version {version} by ffnn "
            f"{document.get('ffnn_version', '?')}; this ffnn {__version__} reads versions "
            f"up to {FORMAT_VERSION}: upgrade ffnn to load it"
        )
    return document


def _read_array(
    archive: zipfile.ZipFile,
    entry: Any,
    path: str,
    allowed: Callable[[Any], bool] = _ARRAY_DTYPES.__contains__,
) -> np.ndarray:
    if not isinstance(entry, dict) or not {"name", "path", "shape", "dtype"} <= set(entry):
        raise ValueError(f"{path}: malformed array entry {entry!r}")
    shape, dtype = entry["shape"], entry["dtype"]
    if (
        not isinstance(shape, list)
        or not all(isinstance(n, int) and 0 <= n < 2**31 for n in shape)
        or not allowed(dtype)
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


def load(path: str | os.PathLike[str]) -> Sequential | BaseMLP:
    """Read a model written by :func:`save`; the optimizer too when it was saved
    (``model.optimizer``, bound to the model's parameters). A file saved from an estimator
    gives the fitted :class:`~ffnn.MLPClassifier` / :class:`~ffnn.MLPRegressor` back (this
    needs scikit-learn: ``pip install 'ffnn[sklearn]'``)."""
    from ffnn import optimizers

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
        document = _read_manifest(archive, path)
        estimator_spec = _estimator_spec(document, path)  # before the model: it imports
        training = document.get("training") or {}
        if not isinstance(training, dict):
            raise ValueError(f"{path}: malformed training section")
        _check_sizes_are_stored(document, archive, path)
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
        if estimator_spec is not None:
            estimator_arrays = _read_estimator_arrays(archive, estimator_spec, path)
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
    if estimator_spec is not None:
        return _build_estimator(estimator_spec, estimator_arrays, model, path)
    return model


# -- scikit-learn estimators ---------------------------------------------------------------------
# A file saved from MLPClassifier / MLPRegressor is a Sequential file (the estimator's model_)
# with an "estimator" section: {"class", "params", "attributes", "arrays"}. Version-1 readers
# that ignore the section read the network.

_ESTIMATOR_CLASSES = ("MLPClassifier", "MLPRegressor")
_OUT_ACTIVATIONS = {"MLPClassifier": ("softmax", "logistic"), "MLPRegressor": ("identity", "exp")}
_Y_TYPES = ("binary", "multiclass", "multilabel-indicator")
# The fitted attributes stored as JSON, and what each must be.
_ATTRIBUTE_KINDS = {
    "n_features_in_": "int",
    "n_iter_": "int",
    "t_": "int",
    "n_outputs_": "int",
    "n_layers_": "int",
    "_no_improvement_count": "int",
    "out_activation_": "str",
    "loss_": "float",
    "best_loss_": "float?",
    "best_validation_score_": "float?",
    "loss_curve_": "floats",
    "validation_scores_": "floats?",
    "feature_names_in_": "strs",
}
_REQUIRED_ATTRIBUTES = (
    "n_features_in_",
    "n_iter_",
    "t_",
    "n_outputs_",
    "n_layers_",
    "out_activation_",
)
# Class labels: bools, integers, floats and strings, little-endian; never objects.
_LABEL_DTYPES = {"|b1", "|i1", "|u1", "<i2", "<u2", "<i4", "<u4", "<i8", "<u8", "<f2", "<f4", "<f8"}
_UNICODE_DTYPE = re.compile(r"<U[1-9][0-9]{0,3}")


def _is_label_dtype(dtype: Any) -> bool:
    return isinstance(dtype, str) and (
        dtype in _LABEL_DTYPES or _UNICODE_DTYPE.fullmatch(dtype) is not None
    )


def _estimator_class_name(obj: Any) -> str | None:
    """``"MLPClassifier"`` / ``"MLPRegressor"`` for ffnn's estimators, else ``None``.

    Never imports scikit-learn: an estimator exists only once ``ffnn.sklearn.estimators`` is loaded.
    """
    module = sys.modules.get("ffnn.sklearn.estimators")
    if module is None:
        return None
    for name in _ESTIMATOR_CLASSES:
        cls = getattr(module, name)
        if type(obj) is cls:
            return name
        if isinstance(obj, cls):
            raise TypeError(
                f"save stores ffnn's {name} itself, not the subclass {type(obj).__name__} (a "
                "file names its class and load rebuilds only ffnn's own)"
            )
    return None


def _float_json(value: Any) -> Any:
    """A float for JSON: finite as a number, ``inf``, ``-inf`` and ``nan`` as ``{"float": ...}``."""
    value = float(value)
    return value if math.isfinite(value) else {"float": repr(value)}


def _float_from_json(value: Any) -> float:
    if isinstance(value, dict) and set(value) == {"float"}:
        if value["float"] in ("inf", "-inf", "nan"):
            return float(value["float"])
    elif isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    raise ValueError(f"expected a number, got {value!r}")


def _param_json(value: Any, name: str, owner: str) -> Any:
    """A constructor argument as JSON; tuples, mappings, non-finite floats and a
    ``RandomState`` as tagged objects (``{"tuple": [...]}``, ``{"mapping": [[key, value],
    ...]}``, ``{"float": "inf"}``, ``{"random_state": <state>}``)."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, np.bool_ | np.str_):
        return value.item()
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return _float_json(value)
    if name == "dtype" and isinstance(value, type | np.dtype):
        try:
            return np.dtype(value).name
        except TypeError:
            pass
    if isinstance(value, np.random.RandomState):
        return {"random_state": _generator_state(value)["state"]}
    if isinstance(value, tuple):
        return {"tuple": [_param_json(item, name, owner) for item in value]}
    if isinstance(value, list | np.ndarray):
        return [_param_json(item, name, owner) for item in value]
    if isinstance(value, Mapping):
        return {
            "mapping": [
                [_param_json(key, name, owner), _param_json(item, name, owner)]
                for key, item in value.items()
            ]
        }
    raise TypeError(
        f"cannot save the {name!r} parameter of {owner}: it holds a {type(value).__name__}, "
        "and a model file stores only JSON values (None, bools, numbers, strings, and lists, "
        f"tuples and dicts of them) and numpy RandomState; set {name}=None before saving "
        f"(estimator.set_params({name}=None)) and set it again after loading"
    )


def _param_from_json(value: Any) -> Any:
    """The inverse of :func:`_param_json`; anything else is refused (``ValueError``)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list):
        return [_param_from_json(item) for item in value]
    if isinstance(value, dict) and len(value) == 1:
        ((tag, body),) = value.items()
        if tag == "float":
            return _float_from_json(value)
        if tag == "tuple" and isinstance(body, list):
            return tuple(_param_from_json(item) for item in body)
        if tag == "mapping" and isinstance(body, list):
            pairs = [_param_from_json(pair) for pair in body]
            if all(
                isinstance(pair, list)
                and len(pair) == 2
                and (pair[0] is None or isinstance(pair[0], bool | int | float | str))
                for pair in pairs
            ):
                return {key: item for key, item in pairs}
        if tag == "random_state":
            try:
                return _new_generator({"kind": "RandomState", "state": body})
            except (TypeError, ValueError, KeyError, IndexError) as error:
                raise ValueError(f"invalid random_state state ({error})") from None
    raise ValueError(f"unexpected value {value!r}")


def _attribute_json(value: Any, kind: str) -> Any:
    if kind.endswith("?") and value is None:
        return None
    kind = kind.rstrip("?")
    if kind == "int":
        return int(value)
    if kind == "str":
        return str(value)
    if kind == "float":
        return _float_json(value)
    if kind == "floats":
        return [_float_json(item) for item in value]
    return [str(item) for item in value]  # strs


def _attribute_from_json(value: Any, kind: str) -> Any:
    if kind.endswith("?") and value is None:
        return None
    kind = kind.rstrip("?")
    if kind == "int":
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
        raise ValueError(f"expected an int >= 0, got {value!r}")
    if kind == "str":
        if isinstance(value, str):
            return value
        raise ValueError(f"expected a string, got {value!r}")
    if kind == "float":
        return _float_from_json(value)
    if not isinstance(value, list):
        raise ValueError(f"expected a list, got {type(value).__name__}")
    if kind == "floats":
        return [_float_from_json(item) for item in value]
    if not all(isinstance(item, str) for item in value):
        raise ValueError("expected a list of strings")
    return value


def _estimator_section(
    estimator: Any, name: str
) -> tuple[dict[str, Any], list[tuple[str, np.ndarray]]]:
    """The manifest's ``"estimator"`` section and its ``.npy`` members."""
    from sklearn.exceptions import NotFittedError

    if "model_" not in estimator.__dict__:
        raise NotFittedError(f"this {name} is not fitted yet: fit it first, then save it")
    params = {
        key: _param_json(value, key, name)
        for key, value in estimator.get_params(deep=False).items()
    }
    state = estimator.__dict__
    attributes: dict[str, Any] = {
        key: _attribute_json(state[key], kind)
        for key, kind in _ATTRIBUTE_KINDS.items()
        if key in state
    }
    history = estimator.history_
    attributes["history_"] = {
        "history": {
            key: [_float_json(item) for item in values] for key, values in history.history.items()
        },
        "epoch": [int(epoch) for epoch in history.epoch],
        "params": {
            key: _param_json(value, "history_", name) for key, value in history.params.items()
        },
        "stopped_by": history.stopped_by,
    }
    arrays: list[tuple[dict[str, Any], np.ndarray]] = []
    if name == "MLPClassifier":
        binarizer = estimator._label_binarizer
        attributes["label_binarizer"] = {
            "y_type": str(binarizer.y_type_),
            "sparse_input": bool(binarizer.sparse_input_),
        }
        classes = np.asarray(estimator.classes_)
        entry: dict[str, Any] = {"name": "classes_"}
        if classes.dtype == object:
            if not all(isinstance(label, str) for label in classes):
                raise TypeError(
                    f"cannot save {name}.classes_: the labels must be bools, numbers or "
                    f"strings of one kind, got an object array of {classes[:5]!r}"
                )
            classes = classes.astype(str)
            entry["as_object"] = True
        if classes.dtype.byteorder == ">":
            classes = classes.astype(classes.dtype.newbyteorder("<"))
        if not _is_label_dtype(classes.dtype.str):
            raise TypeError(
                f"cannot save {name}.classes_ of dtype {classes.dtype}: labels must be bools, "
                "integers, floats or strings (of at most 9999 characters)"
            )
        arrays.append((entry, classes))
    if estimator.early_stopping and "_best_weights" in state:
        for index, weights in enumerate(estimator._best_weights):
            arrays.append(({"name": f"_best_weights.{index}"}, np.asarray(weights)))
    entries = []
    members = []
    for index, (entry, array) in enumerate(arrays):
        member = f"estimator/{index}.npy"
        entries.append(
            {**entry, "path": member, "shape": list(array.shape), "dtype": array.dtype.str}
        )
        members.append((member, array))
    section = {"class": name, "params": params, "attributes": attributes, "arrays": entries}
    return section, members


def _estimator_spec(document: dict[str, Any], path: str) -> dict[str, Any] | None:
    """The checked ``"estimator"`` section (``None`` without one); imports the estimators,
    which need scikit-learn, before anything names their losses or optimizers."""
    spec = document.get("estimator")
    if spec is None:
        return None
    if not isinstance(spec, dict):
        raise ValueError(f"{path}: malformed estimator section")
    name = spec.get("class")
    if name not in _ESTIMATOR_CLASSES:
        raise ValueError(
            f"{path}: unknown estimator class {name!r}; ffnn loads only "
            f"{' and '.join(_ESTIMATOR_CLASSES)}"
        )
    try:
        import ffnn.sklearn.estimators  # noqa: F401
    except ImportError:
        raise ValueError(
            f"{path} holds an ffnn {name}, which needs scikit-learn and SciPy to load: "
            "pip install 'ffnn[sklearn]'"
        ) from None
    for key in ("params", "attributes"):
        if not isinstance(spec.get(key), dict):
            raise ValueError(f"{path}: the estimator section has no {key!r} object")
    if not isinstance(spec.get("arrays", []), list):
        raise ValueError(f"{path}: the estimator section's 'arrays' is not a list")
    return spec


def _read_estimator_arrays(
    archive: zipfile.ZipFile, spec: dict[str, Any], path: str
) -> dict[str, tuple[dict[str, Any], np.ndarray]]:
    found: dict[str, tuple[dict[str, Any], np.ndarray]] = {}
    for entry in spec.get("arrays", []):
        name = entry.get("name") if isinstance(entry, dict) else None
        if not isinstance(name, str) or name in found:
            raise ValueError(f"{path}: malformed or repeated estimator array entry {entry!r}")
        if name != "classes_" and not re.fullmatch(r"_best_weights\.[0-9]{1,6}", name):
            raise ValueError(f"{path}: unknown estimator array {name!r}")
        allowed = _is_label_dtype if name == "classes_" else _ARRAY_DTYPES.__contains__
        found[name] = (entry, _read_array(archive, entry, path, allowed))
    return found


def _build_estimator(
    spec: dict[str, Any],
    arrays: dict[str, tuple[dict[str, Any], np.ndarray]],
    model: Sequential,
    path: str,
) -> BaseMLP:
    """The fitted estimator of a checked section, around the loaded network ``model``."""
    try:
        return _rebuild_estimator(spec, arrays, model)
    except (TypeError, ValueError, KeyError) as error:
        message = error.args[0] if isinstance(error, KeyError) and error.args else error
        raise ValueError(f"{path}: the {spec['class']} cannot be rebuilt: {message}") from None


def _rebuild_estimator(
    spec: dict[str, Any],
    arrays: dict[str, tuple[dict[str, Any], np.ndarray]],
    model: Sequential,
) -> BaseMLP:
    from sklearn.preprocessing import LabelBinarizer

    from ffnn.layers import Dense
    from ffnn.sklearn import estimators
    from ffnn.sklearn._base import _OUTPUT_LOSSES
    from ffnn.sklearn._losses import SummedBinaryCrossEntropy
    from ffnn.sklearn._optimizers import SklearnAdam, SklearnSGD
    from ffnn.sklearn._params import hidden_layer_sizes
    from ffnn.training import History

    name = spec["class"]
    cls = getattr(estimators, name)
    known = cls().get_params(deep=False)
    params = spec["params"]
    unknown = sorted(set(params) - set(known))
    if unknown:
        raise ValueError(f"unknown parameters {unknown}")
    decoded = {}
    for key, value in params.items():
        try:
            decoded[key] = _param_from_json(value)
        except ValueError as error:
            raise ValueError(f"parameter {key!r}: {error}") from None
    estimator = cls(**decoded)
    estimator._check_parameters()
    hidden = hidden_layer_sizes(estimator)

    attributes = dict(spec["attributes"])
    history_spec = attributes.pop("history_", None)
    binarizer_spec = attributes.pop("label_binarizer", None)
    unknown = sorted(set(attributes) - set(_ATTRIBUTE_KINDS))
    if unknown:
        raise ValueError(f"unknown attributes {unknown}")
    missing = [key for key in _REQUIRED_ATTRIBUTES if key not in attributes]
    if missing:
        raise ValueError(f"missing attributes {missing}")
    state: dict[str, Any] = {}
    for key, value in attributes.items():
        try:
            state[key] = _attribute_from_json(value, _ATTRIBUTE_KINDS[key])
        except ValueError as error:
            raise ValueError(f"attribute {key!r}: {error}") from None

    dense = [layer for layer in model.layers if isinstance(layer, Dense)]
    if not dense:
        raise ValueError("the network has no Dense layer")
    units = [dense[0].n_in] + [layer.n_out for layer in dense]
    expected = [state["n_features_in_"], *hidden, state["n_outputs_"]]
    if units != expected or state["n_layers_"] != len(units):
        raise ValueError(
            f"the network's layer sizes {units} do not match n_features_in_, "
            f"hidden_layer_sizes and n_outputs_ ({expected}) or n_layers_ "
            f"({state['n_layers_']})"
        )
    out = state["out_activation_"]
    if out not in _OUT_ACTIVATIONS[name]:
        raise ValueError(f"out_activation_ {out!r} is not one of {_OUT_ACTIVATIONS[name]}")
    names = state.get("feature_names_in_")
    if names is not None:
        if len(names) != state["n_features_in_"]:
            raise ValueError("feature_names_in_ does not have n_features_in_ names")
        state["feature_names_in_"] = np.asarray(names, dtype=object)

    loss = _OUTPUT_LOSSES[out]()
    if out == "logistic" and state["n_outputs_"] > 1:
        loss = SummedBinaryCrossEntropy()
    model.loss = loss
    optimizer = model.optimizer
    wanted = {"sgd": SklearnSGD, "adam": SklearnAdam}.get(estimator.solver)
    if optimizer is not None and (wanted is None or type(optimizer) is not wanted):
        raise ValueError(
            f"the optimizer state is for {type(optimizer).__name__}, not for "
            f"solver={estimator.solver!r}"
        )

    if not isinstance(history_spec, dict):
        raise ValueError("attribute 'history_' is missing or not an object")
    history = History(
        {key: _param_from_json(value) for key, value in (history_spec.get("params") or {}).items()}
    )
    logs = history_spec.get("history") or {}
    epochs = history_spec.get("epoch") or []
    stopped_by = history_spec.get("stopped_by")
    if (
        not isinstance(logs, dict)
        or not all(isinstance(values, list) for values in logs.values())
        or not isinstance(epochs, list)
        or not all(isinstance(e, int) and not isinstance(e, bool) for e in epochs)
        or not (stopped_by is None or isinstance(stopped_by, str))
    ):
        raise ValueError("attribute 'history_' is malformed")
    history.history = {
        str(key): [_float_from_json(item) for item in values] for key, values in logs.items()
    }
    history.epoch = list(epochs)
    history.stopped_by = stopped_by

    best: list[np.ndarray] = []
    while f"_best_weights.{len(best)}" in arrays:
        best.append(arrays[f"_best_weights.{len(best)}"][1])
    weights = model.get_weights()
    if best:
        if [(w.shape, w.dtype) for w in best] != [(w.shape, w.dtype) for w in weights]:
            raise ValueError("the stored _best_weights do not fit the network")
        weights = best
    extra = sorted(set(arrays) - {"classes_"} - {f"_best_weights.{i}" for i in range(len(best))})
    if extra:
        raise ValueError(f"unknown estimator arrays {extra}")

    if name == "MLPClassifier":
        if "classes_" not in arrays:
            raise ValueError("the classifier's classes_ array is missing")
        entry, classes = arrays["classes_"]
        if classes.ndim != 1:
            raise ValueError(f"classes_ must be one-dimensional, got shape {classes.shape}")
        if entry.get("as_object"):
            if classes.dtype.kind != "U":
                raise ValueError("as_object is only for string labels")
            classes = classes.astype(object)
        if not isinstance(binarizer_spec, dict):
            raise ValueError("the classifier's label_binarizer attribute is missing")
        y_type = binarizer_spec.get("y_type")
        if y_type not in _Y_TYPES:
            raise ValueError(f"unknown target type {y_type!r}")
        n_outputs = 1 if y_type == "binary" and len(classes) <= 2 else len(classes)
        wanted_out = "softmax" if y_type == "multiclass" else "logistic"
        if state["n_outputs_"] != n_outputs or out != wanted_out:
            raise ValueError(
                f"{len(classes)} classes of type {y_type!r} need {n_outputs} outputs and a "
                f"{wanted_out} link, the file says {state['n_outputs_']} and {out!r}"
            )
        binarizer = LabelBinarizer()
        binarizer.classes_ = classes
        binarizer.y_type_ = y_type
        binarizer.sparse_input_ = bool(binarizer_spec.get("sparse_input", False))
        estimator._label_binarizer = binarizer
        estimator.classes_ = classes
    elif "classes_" in arrays or binarizer_spec is not None:
        raise ValueError("a regressor has no classes_")

    for key, value in state.items():
        setattr(estimator, key, value)
    estimator.model_ = model
    estimator.history_ = history
    estimator._optimizer = optimizer
    estimator._best_weights = weights
    return estimator


model_module.PLUGINS["save"] = save  # model.save(path) and ModelCheckpoint write with this
