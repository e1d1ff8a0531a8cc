"""The training loop and the History it returns.

One step, for a batch ``xb (B, n_in)``, ``yb (B, n_out)``:

1. ``logits = model.forward(xb, training=True)``
2. ``loss = loss_fn.forward(logits, yb)``; ``grad = loss_fn.backward()`` (the fused ``(p - y)/B``)
3. ``model.backward(grad)`` fills every parameter's ``.grad``
4. ``optimizer.step()`` updates every parameter in place.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ffnn import optimizers as optimizers_module
from ffnn._checks import check_array, check_n_features, check_positive_int, check_same_length
from ffnn.losses import Loss
from ffnn.metrics import get_batch_metric

if TYPE_CHECKING:
    from ffnn.model import Sequential

__all__ = ["History", "fit", "iterate_batches"]


class History:
    """What happened in each epoch: ``history["loss"]``, ``history["accuracy"]``, ... (as Keras).

    Attributes
    ----------
    history : dict from a name to one float per epoch run.
    epoch : the epoch indices run, from 0.
    params : the settings of the run (epochs, batch size, number of samples, ...).
    """

    def __init__(self, params: dict[str, Any] | None = None) -> None:
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []
        self.params: dict[str, Any] = dict(params or {})

    def record(self, epoch: int, logs: dict[str, float]) -> None:
        self.epoch.append(epoch)
        for name, value in logs.items():
            self.history.setdefault(name, []).append(value)

    def __getitem__(self, name: str) -> list[float]:
        return self.history[name]

    def __len__(self) -> int:
        return len(self.epoch)

    def __repr__(self) -> str:
        last = {k: round(v[-1], 6) for k, v in self.history.items() if v}
        return f"History(epochs={len(self.epoch)}, last={last})"


def iterate_batches(
    n_samples: int, batch_size: int, rng: Any, shuffle: bool
) -> Iterator[np.ndarray | slice]:
    """Index the samples of one epoch batch by batch.

    A single batch covering every sample is the whole data in its own order (``slice``: no
    copy, and the same summation order as the tutorial's full-batch loop; shuffling it would
    change only rounding). Otherwise the samples are permuted by ``rng`` when ``shuffle``, and
    each batch is an index array into the data (the data itself is never shuffled).
    """
    if batch_size >= n_samples:
        yield slice(None)
        return
    order = rng.permutation(n_samples) if shuffle else np.arange(n_samples)
    for start in range(0, n_samples, batch_size):
        yield order[start : start + batch_size]


def fit(
    model: Sequential,
    X: Any,
    y: Any,
    *,
    loss: str | Loss | None = None,
    optimizer: Any = "sgd",
    epochs: int = 1,
    batch_size: int | None = 32,
    shuffle: bool = True,
    metrics: Sequence[str] | None = None,
    verbose: int = 0,
) -> History:
    """Train ``model`` on ``(X, y)``.

    Parameters
    ----------
    X : (n_samples, n_features_in) numbers; cast once to the model's dtype.
    y : targets for ``loss``: 0/1 labels ``(n_samples,)`` or ``(n_samples, n_outputs)`` for
        binary cross-entropy, class indices or one-hot rows for cross-entropy, values for
        mean squared error.
    loss : a name or :class:`~ffnn.losses.Loss`; kept as ``model.loss``. Defaults to the
        model's current loss.
    optimizer : a name (``"sgd"``) or an :class:`~ffnn.optimizers.Optimizer`, bound to the
        model's parameters if it is not already.
    epochs : passes over the data.
    batch_size : samples per step; ``None`` (or anything >= n_samples) for full batches.
    shuffle : draw a new order of the samples each epoch from ``model.rng``.
    metrics : names recorded per epoch beside the loss (``"accuracy"``, ``"mae"``).
    verbose : 0 silent, 1 or more: one line per epoch.

    Returns
    -------
    :class:`History` with ``"loss"`` (the sample-weighted mean of the batch losses, each taken
    before its update) and each metric, one value per epoch.
    """
    loss_fn = model._loss_for(loss)
    X = check_array(X, "X", dtype=model.dtype)
    check_n_features(X, model.n_features_in)
    targets = loss_fn.prepare_targets(y, model.n_outputs, model.dtype)
    check_same_length(X, targets)
    epochs = check_positive_int(epochs, "epochs")
    n_samples = X.shape[0]
    batch = n_samples if batch_size is None else check_positive_int(batch_size, "batch_size")
    opt = optimizers_module.get(optimizer)
    params = model.parameters()
    if len(opt.parameters) != len(params) or any(
        a is not b for a, b in zip(opt.parameters, params, strict=True)
    ):
        opt.bind(params)
    metric_fns = {name: get_batch_metric(name, loss_fn) for name in (metrics or [])}
    model.loss = loss_fn

    history = History({"epochs": epochs, "batch_size": min(batch, n_samples), "samples": n_samples})
    for epoch in range(epochs):
        loss_sum = 0.0
        metric_sums = dict.fromkeys(metric_fns, 0.0)
        # A diverging run overflows in every layer; it is reported once, below, as a
        # FloatingPointError naming the epoch rather than as a warning from each operation.
        with np.errstate(over="ignore", invalid="ignore"):
            for index in iterate_batches(n_samples, batch, model.rng, shuffle):
                xb = X[index]
                yb = targets[index]
                logits = model.forward(xb, training=True)
                batch_loss = loss_fn.forward(logits, yb)
                for name, metric in metric_fns.items():
                    metric_sums[name] += metric(loss_fn, logits, yb) * xb.shape[0]
                model.backward(loss_fn.backward())
                opt.step()
                loss_sum += batch_loss * xb.shape[0]
        logs = {"loss": loss_sum / n_samples}
        logs.update({name: total / n_samples for name, total in metric_sums.items()})
        history.record(epoch, logs)
        if verbose:
            shown = " - ".join(f"{k}: {v:.6f}" for k, v in logs.items())
            print(f"Epoch {epoch + 1}/{epochs} - {shown}")
        # the loss is taken before each update, so the last update is checked on the parameters
        if not math.isfinite(logs["loss"]) or not all(np.isfinite(p.data).all() for p in params):
            what = (
                f"the training loss became {logs['loss']}"
                if not math.isfinite(logs["loss"])
                else "a parameter became NaN or infinite"
            )
            raise FloatingPointError(
                f"{what} at epoch {epoch + 1}; try a smaller learning rate or scale the inputs"
            )
    return history
