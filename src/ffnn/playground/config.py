"""The playground's settings (CONFIG): defaults, the tutorial preset, and their checks.

A change arrives as JSON, whole or in part; :func:`merge_config` merges it into the current
settings and checks every field (type and range). A bad field raises :class:`ConfigError`,
whose message says what was expected and what was received and whose ``code`` the page can
translate; the server answers it with a 400, never a traceback.
"""

from __future__ import annotations

import copy
import math
from typing import Any

__all__ = [
    "ACTIVATIONS",
    "DATA_KINDS",
    "DEFAULT_CONFIG",
    "LOSSES",
    "OPTIMIZERS",
    "ConfigError",
    "merge_config",
    "tutorial_config",
]

DATA_KINDS = ("blobs", "moons", "circles", "xor", "spiral", "gaussians", "surface", "csv")
ACTIVATIONS = ("relu", "tanh", "sigmoid", "leaky_relu", "elu", "gelu", "softplus", "linear")
OPTIMIZERS = ("sgd", "momentum", "adam", "rmsprop", "adagrad", "adamw")
#: the losses a task allows; "auto" picks the first
LOSSES = {
    "binary": ("binary_cross_entropy", "mse"),
    "multiclass": ("cross_entropy",),
    "regression": ("mse", "mae", "huber"),
}
INITS = ("default", "tutorial")

DEFAULT_CONFIG: dict[str, Any] = {
    "data": {
        "kind": "blobs",
        "n_points": 300,
        "noise": 0.1,
        "test_ratio": 0.0,
        "seed": 42,
        "classes": 3,
        "upload": None,
        "target": None,
        "features": None,
        "shown": None,
    },
    "network": {
        "hidden": [{"units": 4, "activation": "relu"}],
        "loss": "auto",
        "optimizer": "sgd",
        "learning_rate": 0.1,
        "batch_size": 0,
        "l2": 0.0,
        "dropout": 0.0,
        "seed": 42,
        "init": "tutorial",
    },
    "language": "en",
}


class ConfigError(ValueError):
    """A setting out of range, of the wrong type or unknown; ``code`` names the problem."""

    def __init__(self, message: str, code: str = "bad_config") -> None:
        super().__init__(message)
        self.code = code


def tutorial_config() -> dict[str, Any]:
    """The tutorial: its 300 blobs all used for training, 2-4-1, ReLU, sigmoid output with
    binary cross-entropy, full batch, SGD 0.1, the tutorial's initial weights (seed 42)."""
    return copy.deepcopy(DEFAULT_CONFIG)


def _int(value: Any, name: str, low: int, high: int) -> int:
    whole = isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if isinstance(value, bool) or not whole:
        raise ConfigError(f"{name} must be a whole number, got {value!r:.40}", "not_integer")
    if not low <= value <= high:
        raise ConfigError(f"{name} must be in [{low}, {high}], got {value!r:.40}", "out_of_range")
    return int(value)


def _float(value: Any, name: str, low: float, high: float, open_low: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{name} must be a finite number, got {value!r:.40}", "not_number")
    if isinstance(value, float) and not math.isfinite(value):
        raise ConfigError(f"{name} must be a finite number, got {value!r}", "not_number")
    if value < low or value > high or (open_low and value == low):
        interval = f"({low}, {high}]" if open_low else f"[{low}, {high}]"
        raise ConfigError(f"{name} must be in {interval}, got {value!r:.40}", "out_of_range")
    return float(value)


def _choice(value: Any, name: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ConfigError(
            f"{name} must be one of {', '.join(choices)}; got {value!r:.60}", "unknown_name"
        )
    return str(value)


def _name_or_none(value: Any, name: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ConfigError(f"{name} must be a column name or null, got {value!r:.60}", "not_text")
    return value


def _names(value: Any, name: str, exactly: int | None = None) -> list[str] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{name} must be a list of column names, got {value!r:.60}", "not_text")
    if exactly is not None and len(value) != exactly:
        raise ConfigError(f"{name} must name {exactly} columns, got {len(value)}", "out_of_range")
    if not 1 <= len(value) <= 64:
        raise ConfigError(f"{name} must name 1 to 64 columns, got {len(value)}", "out_of_range")
    return list(value)


def _merged(current: dict[str, Any], patch: Any, where: str) -> dict[str, Any]:
    if not isinstance(patch, dict):
        raise ConfigError(f"{where} must be an object, got {patch!r:.60}", "not_object")
    unknown = sorted(set(patch) - set(current))
    if unknown:
        raise ConfigError(
            f"unknown setting {where}.{unknown[0]}; known: {', '.join(current)}", "unknown_field"
        )
    return {**current, **patch}


def _check_data(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": _choice(data["kind"], "data.kind", DATA_KINDS),
        "n_points": _int(data["n_points"], "data.n_points", 10, 2000),
        "noise": _float(data["noise"], "data.noise", 0.0, 1.0),
        "test_ratio": _float(data["test_ratio"], "data.test_ratio", 0.0, 0.8),
        "seed": _int(data["seed"], "data.seed", 0, 2**32 - 1),
        "classes": _int(data["classes"], "data.classes", 3, 8),
        "upload": _name_or_none(data["upload"], "data.upload"),
        "target": _name_or_none(data["target"], "data.target"),
        "features": _names(data["features"], "data.features"),
        "shown": _names(data["shown"], "data.shown", exactly=2),
    }


def _check_layer(layer: Any, position: int) -> dict[str, Any]:
    where = f"network.hidden[{position}]"
    layer = _merged({"units": 4, "activation": "relu"}, layer, where)
    return {
        "units": _int(layer["units"], f"{where}.units", 1, 32),
        "activation": _choice(layer["activation"], f"{where}.activation", ACTIVATIONS),
    }


def _check_network(network: dict[str, Any]) -> dict[str, Any]:
    hidden = network["hidden"]
    if not isinstance(hidden, list):
        raise ConfigError(
            f"network.hidden must be a list of layers, got {hidden!r:.60}", "not_list"
        )
    if len(hidden) > 6:
        raise ConfigError(
            f"network.hidden must have 0 to 6 layers, got {len(hidden)}", "out_of_range"
        )
    all_losses = sorted({name for names in LOSSES.values() for name in names})
    return {
        "hidden": [_check_layer(layer, i) for i, layer in enumerate(hidden)],
        "loss": _choice(network["loss"], "network.loss", ("auto", *all_losses)),
        "optimizer": _choice(network["optimizer"], "network.optimizer", OPTIMIZERS),
        "learning_rate": _float(
            network["learning_rate"], "network.learning_rate", 0.0, 10.0, open_low=True
        ),
        "batch_size": _int(network["batch_size"], "network.batch_size", 0, 2000),
        "l2": _float(network["l2"], "network.l2", 0.0, 1.0),
        "dropout": _float(network["dropout"], "network.dropout", 0.0, 0.9),
        "seed": _int(network["seed"], "network.seed", 0, 2**32 - 1),
        "init": _choice(network["init"], "network.init", INITS),
    }


def merge_config(current: dict[str, Any], patch: Any) -> dict[str, Any]:
    """``current`` with ``patch`` (the whole CONFIG or part of it) merged in, every field
    checked; :class:`ConfigError` for the first bad one. ``current`` is not changed."""
    top = _merged(current, patch, "config")
    data = _check_data(_merged(current["data"], top["data"], "data"))
    network = _check_network(_merged(current["network"], top["network"], "network"))
    language = _choice(top["language"], "language", ("en", "zh"))
    return {"data": data, "network": network, "language": language}
