"""The classes a model file names: written by name, found again through the registries.

A file names each layer, its loss and its optimizer by class name, with the constructor
arguments ``get_config()`` returns. Loading finds the class in ``custom_objects`` (the user's
own classes, Keras' convention: ``ffnn.load(path, custom_objects={"Swish": Swish})``), else
in the component's registry (``layers.LAYERS``, ``losses.LOSSES``, ``optimizers.OPTIMIZERS``),
else asks the providers (a part of ffnn not imported yet); nothing is ever imported by name.
Initializers and regularizers inside a layer's config are ``{"name": ...}`` dicts that the
layer resolves through ``initializers.INITIALIZERS`` / ``regularizers.REGULARIZERS``; a user's
own one is passed in ``custom_objects`` under that name.

Saving refuses up front what loading could not give back (the ``check_*`` functions): a config
that is not JSON, a class of the user's whose ``cls(**config)`` fails or does not rebuild the
same config, a class defined inside a function, a class that takes a built-in's name.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ffnn import activations, normalization  # noqa: F401  (their layers join LAYERS)
from ffnn._registry import Registry
from ffnn.initializers import INITIALIZERS, Initializer
from ffnn.io._sections import provide
from ffnn.layers import LAYERS, Layer
from ffnn.losses import LOSSES, Loss
from ffnn.optimizers import OPTIMIZERS, Optimizer
from ffnn.regularizers import REGULARIZERS, Regularizer

__all__ = [
    "build_layer",
    "build_loss",
    "build_optimizer",
    "check_custom_objects",
    "layer_entry",
    "loss_entry",
    "optimizer_config",
]

_BASES: dict[str, type] = {"layer": Layer, "loss": Loss, "optimizer": Optimizer}


def check_custom_objects(custom_objects: Any) -> dict[str, type]:
    """``custom_objects`` as a dict of class names to classes (``None``: empty)."""
    if custom_objects is None:
        return {}
    if not isinstance(custom_objects, Mapping):
        raise TypeError(
            "custom_objects must be a dict of class names to classes, such as "
            f"{{'Swish': Swish}}, got {type(custom_objects).__name__}"
        )
    for name, cls in custom_objects.items():
        if not isinstance(name, str) or not isinstance(cls, type):
            raise TypeError(
                "custom_objects must map class names (str) to classes, got "
                f"{name!r}: {type(cls).__name__} {cls!r:.60}"
            )
    return dict(custom_objects)


def _class_named(
    registry: Registry[Any], name: Any, custom_objects: dict[str, type], path: str, what: str
) -> type:
    """The class ``name`` from ``custom_objects``, ``registry`` or a provider, checked to be of
    the registry's kind; otherwise a ``ValueError`` that says how to pass it."""
    cls = _found(registry, name, custom_objects)
    notes = ""
    if cls is None and isinstance(name, str):
        notes = provide(registry.kind, name)
        cls = _found(registry, name, custom_objects)
    if cls is None:
        known = f"the {registry.kind} class {name!r} is not one ffnn defines"
        if isinstance(name, str) and name.isidentifier():
            raise ValueError(
                f"{path}: {what}: {known}; if it is your own, pass it when loading: "
                f"ffnn.load(path, custom_objects={{{name!r}: {name}}}){notes}"
            )
        raise ValueError(f"{path}: {what}: {known}, nor a class name{notes}")
    base = _BASES[registry.kind]
    if not (isinstance(cls, type) and issubclass(cls, base)):
        raise TypeError(
            f"{path}: custom_objects[{name!r}] must be a subclass of ffnn's {base.__name__} "
            f"(the file names a {registry.kind}), got {cls!r}"
        )
    return cls


def _found(registry: Registry[Any], name: Any, custom_objects: dict[str, type]) -> type | None:
    try:
        return registry.class_named(name, custom_objects)
    except ValueError:
        return None


def _part_class(name: Any, custom_objects: dict[str, type]) -> type | None:
    """The user's initializer or regularizer a layer config names ``{"name": name}``: given in
    ``custom_objects`` under that name or its class name (the class's ``name`` is ``name``)."""
    parts = (Initializer, Regularizer)
    if not isinstance(name, str):
        return None
    for key, cls in custom_objects.items():
        if isinstance(cls, type) and issubclass(cls, parts):
            if key == name or getattr(cls, "name", None) == name:
                return cls
    return None


def _with_custom_parts(config: dict[str, Any], custom_objects: dict[str, type]) -> dict[str, Any]:
    """``config`` with each ``{"name": N, ...}`` value naming a user's initializer or
    regularizer in ``custom_objects`` replaced by that object (the layer takes instances)."""
    result = dict(config)
    for key, value in config.items():
        cls = _part_class(value.get("name"), custom_objects) if isinstance(value, dict) else None
        if cls is not None:
            result[key] = cls(**{k: v for k, v in value.items() if k != "name"})
    return result


def _unknown_parts(config: dict[str, Any]) -> list[str]:
    """The names of ``{"name": ...}`` values of ``config`` no registry knows."""
    return [
        value["name"]
        for value in config.values()
        if isinstance(value, dict)
        and isinstance(value.get("name"), str)
        and INITIALIZERS.find(value["name"]) is None
        and REGULARIZERS.find(value["name"]) is None
    ]


def build_layer(item: Any, position: int, custom_objects: dict[str, type], path: str) -> Layer:
    """The layer of a manifest entry ``{"class": ..., "config": {...}}``."""
    name = item.get("class") if isinstance(item, dict) else None
    config = item.get("config", {}) if isinstance(item, dict) else None
    if not isinstance(config, dict):
        raise ValueError(f"{path}: layer {position} has an unknown class {name!r} or no config")
    cls = _class_named(LAYERS, name, custom_objects, path, f"layer {position}")
    parts = _with_custom_parts(config, custom_objects)
    try:
        return cls(**parts)
    except (TypeError, ValueError) as error:
        hint = "".join(
            f"; if {part!r} is your own initializer or regularizer, pass its class in "
            "custom_objects"
            for part in _unknown_parts(parts)
        )
        raise ValueError(
            f"{path}: layer {position} ({name}) has a bad config: {error}{hint}"
        ) from None


def build_loss(spec: Any, custom_objects: dict[str, type], path: str) -> Loss:
    """The loss of ``{"class": ..., "config": {...}}``, or of the first files' form, the loss's
    short name beside its arguments (``{"name": "huber", "delta": 2.0}``)."""
    if not isinstance(spec, dict):
        raise ValueError(f"{path}: the loss must be a JSON object, got {type(spec).__name__}")
    if "class" in spec:
        name, config = spec["class"], spec.get("config", {})
        cls = _class_named(LOSSES, name, custom_objects, path, "the loss")
    else:  # format version 1 as first written: the short name
        config = {key: value for key, value in spec.items() if key != "name"}
        name = spec.get("name")
        found = custom_objects.get(name) if isinstance(name, str) else None
        cls = (
            found
            or LOSSES.find(name)
            or _class_named(LOSSES, name, custom_objects, path, "the loss")
        )
    if not isinstance(config, dict):
        raise ValueError(f"{path}: the loss config must be a JSON object")
    try:
        return cls(**config)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{path}: the loss ({name}) has a bad config: {error}") from None


def build_optimizer(
    name: Any, config: Any, custom_objects: dict[str, type], path: str
) -> Optimizer:
    """An unbound optimizer of class ``name`` built from ``config``."""
    cls = _class_named(OPTIMIZERS, name, custom_objects, path, "the optimizer")
    if not isinstance(config, dict):
        raise ValueError(f"{path}: the optimizer config must be a JSON object")
    try:
        return cls(**config)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{path}: the optimizer ({name}) has a bad config: {error}") from None


# -- saving: refuse what load could not give back ------------------------------------------------
def _class_name(cls: type, registry: Registry[Any], what: str) -> str:
    """The name a file gives ``cls``, once it is sure load can be given the class back."""
    name = cls.__name__
    if "<locals>" in cls.__qualname__:
        raise TypeError(
            f"cannot save {what}: its class {cls.__qualname__} is defined inside a function, so "
            "no module holds it under that name and ffnn.load could not reliably be given it "
            "back; define the class at the top level of a module"
        )
    registered = registry.classes().get(name)
    if registered is not None and registered is not cls:
        raise TypeError(
            f"cannot save {what}: its class {cls.__module__}.{cls.__qualname__} has the name of "
            f"ffnn's {registered.__module__}.{name}, which ffnn.load would build instead; give "
            "your class another name"
        )
    return name


def _checked_config(cls: type, config: Any, what: str, drop: str = "") -> dict[str, Any]:
    """``config`` once it is JSON and, for a class of the user's, rebuilds ``cls`` (whose
    ``get_config()`` then gives ``config`` again, less its ``drop`` key)."""
    if not isinstance(config, dict) or not all(isinstance(key, str) for key in config):
        raise TypeError(
            f"cannot save {what}: get_config() must return a dict of argument names to "
            f"values, got {config!r:.200}"
        )
    try:
        text = json.dumps(config, allow_nan=False, sort_keys=True)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"cannot save {what}: get_config() must return JSON values (None, bools, finite "
            f"numbers, strings, lists and dicts of them), got {config!r:.200} ({error})"
        ) from None
    if cls.__module__.split(".")[0] == "ffnn":
        return config  # ffnn's own classes: their tests check that the config rebuilds them
    try:
        rebuilt = cls(**json.loads(text)).get_config()
        if drop and isinstance(rebuilt, dict):
            rebuilt = {key: value for key, value in rebuilt.items() if key != drop}
    except Exception as error:  # a user's constructor may raise anything
        raise ValueError(
            f"cannot save {what}: {cls.__name__}(**get_config()) raises "
            f"{type(error).__name__}: {error}, so ffnn.load could not rebuild it; make "
            "get_config() return the constructor's arguments"
        ) from error
    try:
        same = json.dumps(rebuilt, allow_nan=False, sort_keys=True) == text
    except (TypeError, ValueError):
        same = False
    if not same:
        raise ValueError(
            f"cannot save {what}: {cls.__name__}(**get_config()) has the config "
            f"{rebuilt!r:.200}, not {config!r:.200}, so ffnn.load would build another object; "
            "make get_config() return the constructor's arguments"
        )
    return config


def layer_entry(layer: Layer, position: int) -> dict[str, Any]:
    """The manifest entry ``{"class", "config"}`` of a layer."""
    what = f"layer {position} ({type(layer).__name__})"
    name = _class_name(type(layer), LAYERS, what)
    return {"class": name, "config": _checked_config(type(layer), layer.get_config(), what)}


def loss_entry(loss: Loss) -> dict[str, Any]:
    """The manifest entry ``{"class", "config"}`` of a loss.

    A loss whose ``get_config()`` names another registered loss than its own ``name``, one it
    derives from, is saved as that one: the scikit-learn adapter's variants of ffnn's losses
    are saved as ffnn's, so that any reader gets the same predictions back.
    """
    what = f"the loss ({type(loss).__name__})"
    config = loss.get_config()
    if not isinstance(config, dict):
        config = {"name": config}  # refused below
    config = dict(config)
    short = config.pop("name", None)
    cls: type = type(loss)
    if isinstance(short, str) and short != getattr(cls, "name", None):
        named = LOSSES.find(short)
        if named is not None and isinstance(loss, named):
            cls = named
    name = _class_name(cls, LOSSES, what)
    return {"class": name, "config": _checked_config(cls, config, what, drop="name")}


def optimizer_config(optimizer: Optimizer) -> dict[str, Any]:
    """The optimizer's ``get_config()``, once a file can name its class and rebuild it."""
    what = f"the optimizer ({type(optimizer).__name__})"
    _class_name(type(optimizer), OPTIMIZERS, what)
    return _checked_config(type(optimizer), optimizer.get_config(), what)
