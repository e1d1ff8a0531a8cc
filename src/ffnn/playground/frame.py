"""One FRAME: what the page draws of the network at one moment.

Computed from a copy of the weights (taken under the trainer's lock) on a second network of the
same shape, so the training thread goes on meanwhile: the decision boundary (or regression
surface) on a 60 × 60 grid over the plane, each hidden unit's output on 20 × 20, the weights,
the loss curves (at most 500 points) and the accuracies. JSON has no NaN: a number that is not
finite is sent as ``null``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ffnn.layers import Dense
from ffnn.losses import Loss
from ffnn.model import Sequential
from ffnn.playground.data import Dataset
from ffnn.playground.trainer import STRIDES, Curve

__all__ = ["BOUNDARY", "UNITS", "CURVE_POINTS", "json_numbers", "compute_frame", "measure"]

BOUNDARY = 60
UNITS = 20
CURVE_POINTS = 500


def json_numbers(values: Any, digits: int | None = None) -> Any:
    """``values`` as nested lists of floats for JSON, ``None`` where not finite; rounded to
    ``digits`` decimals when given."""
    array = np.asarray(values, dtype=np.float64)
    if digits is not None:
        array = np.round(array, digits)
    if np.isfinite(array).all():
        return array.tolist()
    shown = array.astype(object)
    shown[~np.isfinite(array)] = None
    return shown.tolist()


def _number(value: float | None) -> float | None:
    return None if value is None or not np.isfinite(value) else float(value)


def measure(
    model: Sequential, loss_fn: Loss, dataset: Dataset, targets: tuple[np.ndarray, np.ndarray]
) -> tuple[float, float | None]:
    """``(train loss, test loss or None)`` of the model's weights: full batch, inference mode,
    the loss without the weight penalty."""
    train = float(loss_fn.forward(model.forward(dataset.X_train), targets[0]))
    if not len(dataset.X_test):
        return train, None
    return train, float(loss_fn.forward(model.forward(dataset.X_test), targets[1]))


def _accuracy(task: str, logits: np.ndarray, y: np.ndarray) -> float | None:
    if task == "regression" or not len(y):
        return None
    predicted = logits.argmax(axis=1) if task == "multiclass" else (logits[:, 0] > 0)
    return float(np.mean(predicted == y))


def _picture(task: str, logits: np.ndarray) -> np.ndarray:
    """Binary: P(class 1); multiclass: class index + its probability (kept below 1);
    regression: the prediction."""
    if task == "binary":
        with np.errstate(over="ignore"):
            return 1.0 / (1.0 + np.exp(-logits[:, 0]))
    if task == "multiclass":
        shifted = logits - logits.max(axis=1, keepdims=True)
        probabilities = np.exp(shifted)
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        winner = probabilities.argmax(axis=1)
        return winner + np.minimum(probabilities.max(axis=1), 0.999999)
    return logits[:, 0]


def _thinned(curve: Curve) -> dict[str, Any]:
    """At most :data:`CURVE_POINTS` points: the steps that are multiples of the smallest stride
    of :data:`STRIDES` that is few enough (so the tutorial's steps 0, 100, ... stay while the
    run is short), and the last point."""
    last = curve.steps[-1]
    stride = next((s for s in STRIDES if last // s < CURVE_POINTS - 1), STRIDES[-1])
    keep = [i for i, step in enumerate(curve.steps) if step % stride == 0]
    if keep[-1] != len(curve.steps) - 1:
        keep.append(len(curve.steps) - 1)
    keep = keep[-CURVE_POINTS:]
    return {
        "step": [curve.steps[i] for i in keep],
        "train": json_numbers([curve.train[i] for i in keep]),
        "test": [_number(curve.test[i]) for i in keep],
    }


def _grid(values: np.ndarray, n: int, digits: int = 4) -> dict[str, Any]:
    finite = values[np.isfinite(values)]
    return {
        "nx": n,
        "ny": n,
        "values": json_numbers(values, digits),
        "min": float(finite.min()) if finite.size else None,
        "max": float(finite.max()) if finite.size else None,
    }


def compute_frame(
    model: Sequential,
    loss_fn: Loss,
    dataset: Dataset,
    targets: tuple[np.ndarray, np.ndarray],
    run: dict[str, Any],
    curve: Curve,
) -> dict[str, Any]:
    """The FRAME of ``model`` (the weights of the moment already in it) at ``run``'s step."""
    with np.errstate(all="ignore"):
        train_loss, test_loss = measure(model, loss_fn, dataset, targets)
        train_logits = model.forward(dataset.X_train)
        test_logits = model.forward(dataset.X_test) if len(dataset.X_test) else None
        boundary = _picture(dataset.task, model.forward(dataset.plane(BOUNDARY, BOUNDARY)))
        units = []
        outputs = dataset.plane(UNITS, UNITS)
        dense_seen = 0
        previous_dense = False
        for position, layer in enumerate(model.layers):
            outputs = layer.forward(outputs)
            is_last = position == len(model.layers) - 1
            if previous_dense and not is_last:  # the activation of hidden layer dense_seen
                for j in range(outputs.shape[1]):
                    units.append({"layer": dense_seen, "unit": j, **_grid(outputs[:, j], UNITS, 3)})
            previous_dense = isinstance(layer, Dense)
            dense_seen += previous_dense
    weights = [
        {"layer": l + 1, "W": json_numbers(layer.weight.data), "b": json_numbers(layer.bias.data)}
        for l, layer in enumerate(x for x in model.layers if isinstance(x, Dense))  # noqa: E741
    ]
    return {
        "step": run["step"],
        "epoch": run["epoch"],
        "train_loss": _number(train_loss),
        "test_loss": _number(test_loss),
        "curve": _thinned(curve),
        "boundary": _grid(boundary, BOUNDARY),
        "units": units,
        "weights": weights,
        "train_accuracy": _accuracy(dataset.task, train_logits, dataset.y_train),
        "test_accuracy": None
        if test_logits is None
        else _accuracy(dataset.task, test_logits, dataset.y_test),
    }
