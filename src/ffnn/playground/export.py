"""The exported script: the playground's run as a short Python program using ffnn.

The script rebuilds the same data (the playground's own generator, or the same CSV reading,
with the same seed), the same network with the same initial weights, the same optimizer, and
trains with ``model.fit`` for the same number of steps: the same batches in the same order,
because ``fit`` draws them from the network's own random generator as the playground's run
did. A callback ends ``fit`` after the last step, in the middle of an epoch if need be. Every
value is written with ``repr``: nothing from the page becomes code.
"""

from __future__ import annotations

from typing import Any

from ffnn.activations import ACTIVATIONS
from ffnn.optimizers import OPTIMIZERS
from ffnn.playground.network import optimizer_spec

__all__ = ["export_script"]

HEADER = '''"""Reproduce a run of the ffnn playground: {steps} training steps.

Run it with ``python playground_run.py``; add ``--save`` (or ``--save PATH``) to save the
trained network as an ffnn model file (default: playground_run.ffnn).
"""

import argparse
import math

import numpy as np

import ffnn
'''

DATA_GENERATED = """from ffnn.playground.data import make_data

data = make_data(
    {kind!r}, n_points={n_points!r}, noise={noise!r}, test_ratio={test_ratio!r}, seed={seed!r},
    classes={classes!r}
)
"""

DATA_CSV = """from ffnn.csvdata import read_csv
from ffnn.playground.data import table_data

# the file you uploaded, beside this script; read and preprocessed as `ffnn train` does
table = read_csv({file!r})
data = table_data(
    table, {target!r}, {features!r}, {shown!r}, test_ratio={test_ratio!r}, seed={seed!r}
)
"""

TRAINING = '''X_train, y_train = data.X_train, data.targets(data.y_train)

model = ffnn.Sequential(
    [
{layers}
    ],
    dtype=np.float64,
    random_state={random_state},
)
optimizer = ffnn.{optimizer}
STEPS = {steps!r}
BATCH_SIZE = {batch_size!r}


class StopAfter(ffnn.Callback):
    """Ends fit after `steps` optimizer steps, even in the middle of an epoch."""

    class Done(Exception):
        pass

    def __init__(self, steps):
        super().__init__()
        self.steps = steps

    def on_batch_end(self, batch, logs=None):
        self.steps -= 1
        if self.steps == 0:
            raise StopAfter.Done


if STEPS:
    steps_per_epoch = math.ceil(len(X_train) / BATCH_SIZE)
    try:
        model.fit(
            X_train,
            y_train,
            loss={loss!r},
            optimizer=optimizer,
            batch_size=BATCH_SIZE,
            epochs=math.ceil(STEPS / steps_per_epoch),
            callbacks=[StopAfter(STEPS)],
        )
    except StopAfter.Done:
        pass

loss = ffnn.losses.get({loss!r}).forward(model.forward(X_train), y_train)
print(f"training loss after {{STEPS}} steps: {{loss:.6f}}")
for name, values in zip(["W", "b"] * len(model.get_weights()), model.get_weights()):
    print(name, np.array2string(values, precision=4))

parser = argparse.ArgumentParser()
parser.add_argument("--save", nargs="?", const="playground_run.ffnn", metavar="PATH")
path = parser.parse_args().save
if path:
    ffnn.save(model, path)
    print("saved", path)
'''


def _call(class_name: str, arguments: dict[str, Any]) -> str:
    return f"{class_name}({', '.join(f'{k}={v!r}' for k, v in arguments.items())})"


def _layers(network: dict[str, Any], n_in: int, n_out: int) -> str:
    extra: dict[str, Any] = {}
    if network["init"] == "tutorial":
        extra["initializer"] = "tutorial"
    if network["l2"] > 0:
        extra["regularizer"] = {"name": "l2", "l2": network["l2"]}
    lines, width = [], n_in
    for hidden in network["hidden"]:
        lines.append(
            f"ffnn.Dense({width}, {hidden['units']}"
            + "".join(f", {k}={v!r}" for k, v in extra.items())
            + ")"
        )
        lines.append(f"ffnn.{ACTIVATIONS.lookup(hidden['activation']).__name__}()")
        if network["dropout"] > 0:
            lines.append(f"ffnn.Dropout({network['dropout']!r})")
        width = hidden["units"]
    lines.append(
        f"ffnn.Dense({width}, {n_out}" + "".join(f", {k}={v!r}" for k, v in extra.items()) + ")"
    )
    return "\n".join(f"        {line}," for line in lines)


def export_script(
    config: dict[str, Any],
    loss: str,
    steps: int,
    file_name: str | None,
    n_in: int,
    n_out: int,
    n_train: int,
) -> str:
    """The script of ``steps`` steps of the run of ``config`` (``loss`` the loss it trains
    with; ``file_name`` the uploaded CSV file's name for ``data.kind == "csv"``)."""
    data, network = config["data"], config["network"]
    if data["kind"] == "csv":
        data_code = DATA_CSV.format(file=file_name, **data)
    else:
        data_code = DATA_GENERATED.format(**data)
    spec = dict(optimizer_spec(network))
    optimizer = _call(OPTIMIZERS.lookup(spec.pop("name")).__name__, spec)
    seed = network["seed"]
    random_state = (
        f"np.random.RandomState({seed!r})" if network["init"] == "tutorial" else repr(seed)
    )
    training = TRAINING.format(
        layers=_layers(network, n_in, n_out),
        random_state=random_state,
        optimizer=optimizer,
        steps=steps,
        batch_size=network["batch_size"] or n_train,
        loss=loss,
    )
    return "\n".join([HEADER.format(steps=steps), data_code, training])
