"""The playground's network, loss and optimizer, built from CONFIG's ``network`` settings.

``Dense(n_in, units) → activation`` per hidden layer (then ``Dropout`` when ``dropout > 0``),
an L2 penalty on every Dense layer's weights when ``l2 > 0``, and a last ``Dense`` giving the
logits. The network is float64; its initial weights come from ``network.seed`` alone: with
``init: "default"`` ``Sequential``'s own initialisation (``random_state=seed``), with
``init: "tutorial"`` the tutorial's ``randn · 0.01`` from ``np.random.RandomState(seed)``, so
that 2-4-1 is :func:`ffnn.tutorial.tutorial_network`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ffnn.activations import get as get_activation
from ffnn.layers import Dense, Dropout, Layer
from ffnn.model import Sequential
from ffnn.optimizers import Optimizer
from ffnn.optimizers import get as get_optimizer
from ffnn.playground.config import LOSSES, ConfigError

__all__ = ["build_model", "loss_name", "make_optimizer", "optimizer_spec"]


def loss_name(network: dict[str, Any], task: str) -> str:
    """The loss of ``network["loss"]`` for ``task`` ("auto": cross-entropy for classes, MSE for
    a regression); :class:`ConfigError` when it does not fit the task."""
    allowed = LOSSES[task]
    if network["loss"] == "auto":
        return allowed[0]
    if network["loss"] not in allowed:
        raise ConfigError(
            f"network.loss {network['loss']!r} does not fit a {task} task; use one of "
            f"{', '.join(('auto', *allowed))}",
            "loss_for_task",
        )
    return str(network["loss"])


def build_model(network: dict[str, Any], n_in: int, n_out: int) -> Sequential:
    """A new float64 network with the initial weights of ``network["seed"]``."""
    tutorial = network["init"] == "tutorial"
    init = "tutorial" if tutorial else None
    regularizer = {"name": "l2", "l2": network["l2"]} if network["l2"] > 0 else None
    layers: list[Layer] = []
    width = n_in
    for hidden in network["hidden"]:
        layers.append(Dense(width, hidden["units"], initializer=init, regularizer=regularizer))
        layers.append(get_activation(hidden["activation"]))
        if network["dropout"] > 0:
            layers.append(Dropout(network["dropout"]))
        width = hidden["units"]
    layers.append(Dense(width, n_out, initializer=init, regularizer=regularizer))
    seed = network["seed"]
    random_state = np.random.RandomState(seed) if tutorial else seed  # noqa: NPY002
    return Sequential(layers, dtype=np.float64, random_state=random_state)


def optimizer_spec(network: dict[str, Any]) -> dict[str, Any]:
    """The optimizer as ``ffnn.optimizers.get`` takes it ("momentum": SGD with momentum 0.9)."""
    name, rate = network["optimizer"], network["learning_rate"]
    if name == "momentum":
        return {"name": "sgd", "learning_rate": rate, "momentum": 0.9}
    return {"name": name, "learning_rate": rate}


def make_optimizer(network: dict[str, Any]) -> Optimizer:
    return get_optimizer(optimizer_spec(network))
