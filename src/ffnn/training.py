"""The training loop and the History it returns.

One step, for a batch ``xb (B, n_in)``, ``yb (B, n_out)`` (and weights ``wb (B,)``):

1. ``logits = model.forward(xb, training=True)``
2. ``loss = loss_fn.forward(logits, yb, wb) + model.penalty()``; ``grad = loss_fn.backward()``
   (the fused ``(p - y)/B``)
3. ``model.backward(grad)`` fills every parameter's ``.grad`` (penalty gradients included)
4. ``optimizer.step()`` updates every parameter in place.

Around it: mini-batches drawn from indices reshuffled each epoch, validation after each epoch,
callbacks, a progress bar, a stop at the first non-finite loss with the last finite weights
restored, and Ctrl-C ending training cleanly.
"""

from __future__ import annotations

import math
import numbers
import sys
import warnings
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ffnn import model as model_module
from ffnn import optimizers as optimizers_module
from ffnn._checks import (
    check_array,
    check_bool,
    check_n_features,
    check_non_negative_int,
    check_positive_int,
    check_same_length,
    user_stacklevel,
)
from ffnn.callbacks import Callback
from ffnn.losses import Loss, check_sample_weight, class_weight_to_sample_weight
from ffnn.metrics import check_metric_names, get_batch_metric
from ffnn.normalization import BatchNorm

if TYPE_CHECKING:
    from ffnn.model import Sequential

__all__ = [
    "History",
    "TrainingDivergedError",
    "TrainingDivergedWarning",
    "FeatureScaleWarning",
    "feature_scale_problem",
    "fit",
    "iterate_batches",
    "split_validation",
]


class History:
    """What happened in each epoch: ``history["loss"]``, ``history["val_loss"]``, ... (as Keras).

    Attributes
    ----------
    history : dict from a name to one float per epoch run.
    epoch : the epoch indices run, from 0 (or from ``initial_epoch``).
    params : the settings of the run (epochs, batch size, number of samples, ...).
    stopped_by : ``None`` when all epochs ran; else ``"callback"``, ``"divergence"`` or
        ``"interrupt"`` (Ctrl-C).
    """

    def __init__(self, params: dict[str, Any] | None = None) -> None:
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []
        self.params: dict[str, Any] = dict(params or {})
        self.stopped_by: str | None = None

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


class TrainingDivergedError(FloatingPointError):
    """Training produced a non-finite loss or weight; the last finite weights were restored.

    ``epoch`` is the 1-based epoch where it happened; ``history`` holds the epochs completed.
    """

    def __init__(self, message: str, epoch: int, history: History) -> None:
        super().__init__(message)
        self.epoch = epoch
        self.history = history


class TrainingDivergedWarning(UserWarning):
    """Issued instead of :class:`TrainingDivergedError` when ``on_divergence="warn"``."""


class FeatureScaleWarning(UserWarning):
    """Issued by ``fit`` when the input features are on wildly different scales, or huge:
    gradient descent then crawls along the small features or diverges along the large ones."""


#: At most this many rows (evenly spaced) are looked at by :func:`feature_scale_problem`.
SCALE_SAMPLE_ROWS = 2_000
#: Warn when the largest feature standard deviation exceeds the smallest non-zero one this much.
MAX_SCALE_RATIO = 1e3
#: Warn when a feature holds a value larger than this in absolute value.
MAX_MAGNITUDE = 1e6
#: A feature whose range spans more standard deviations than this is almost constant, with a few
#: rows apart (a border pixel inked in under 1 image of 400): its spread says nothing of its
#: scale, and it is left out of the comparison of spreads. A Gaussian spans about 7 in 2 000 rows.
MAX_RANGE_IN_SPREADS = 20.0
#: After the last update, the outputs on at most this many training rows must still be finite.
FINAL_CHECK_ROWS = 1024


def _feature_list(indices: np.ndarray, values: np.ndarray) -> str:
    shown = ", ".join(f"{int(i)} ({values[i]:.3g})" for i in indices[:5])
    return shown + (f" and {indices.size - 5} more" if indices.size > 5 else "")


def feature_scale_problem(X: np.ndarray) -> str | None:
    """What is wrong with the scales of the features of ``X`` ``(n_samples, n_features)``, or
    ``None`` when nothing is.

    Two things are reported: standard deviations that differ by more than
    :data:`MAX_SCALE_RATIO` between features (constant and almost constant features aside: see
    :data:`MAX_RANGE_IN_SPREADS`), and values larger than :data:`MAX_MAGNITUDE` in absolute
    value. At most :data:`SCALE_SAMPLE_ROWS` evenly spaced rows are read (no random numbers
    are drawn), so the cost is bounded for any ``X``.
    """
    step = -(-X.shape[0] // SCALE_SAMPLE_ROWS)  # ceil(n / rows)
    sample = X[::step]  # (≤ rows, n_features), a view
    highest = sample.max(axis=0).astype(np.float64)
    lowest = sample.min(axis=0).astype(np.float64)
    magnitude = np.maximum(highest, -lowest)
    # the standard deviation in float64, 256 rows at a time: no temporary the size of the sample
    chunks = [sample[i : i + 256] for i in range(0, sample.shape[0], 256)]
    mean = sum(c.sum(axis=0, dtype=np.float64) for c in chunks) / sample.shape[0]
    squares = sum(np.square(c - mean).sum(axis=0) for c in chunks)
    spread = np.sqrt(squares / sample.shape[0])  # (n_features,)
    problems = []
    varying = np.flatnonzero((spread > 0) & (highest - lowest <= MAX_RANGE_IN_SPREADS * spread))
    if varying.size > 1:
        widest = varying[np.argmax(spread[varying])]
        narrowest = varying[np.argmin(spread[varying])]
        ratio = spread[widest] / spread[narrowest]
        if ratio > MAX_SCALE_RATIO:
            problems.append(
                f"their standard deviations differ {ratio:.3g}-fold (feature {widest}: "
                f"{spread[widest]:.3g}, feature {narrowest}: {spread[narrowest]:.3g})"
            )
    huge = np.flatnonzero(magnitude > MAX_MAGNITUDE)
    if huge.size:
        problems.append(
            f"feature(s) {_feature_list(huge, magnitude)} hold values above "
            f"{MAX_MAGNITUDE:g} in absolute value"
        )
    if not problems:
        return None
    return (
        "the features of X are badly scaled for training: "
        + "; ".join(problems)
        + ". Training may crawl or diverge; standardise the inputs first (subtract each "
        "feature's mean and divide by its standard deviation, computed on the training data, "
        "e.g. with sklearn.preprocessing.StandardScaler)."
    )


def iterate_batches(
    n_samples: int, batch_size: int, rng: Any, shuffle: bool, merge_singleton: bool = False
) -> Iterator[np.ndarray | slice]:
    """Index the samples of one epoch batch by batch.

    A single batch covering every sample is the whole data in its own order (``slice``: no
    copy, and the same summation order as the tutorial's full-batch loop; shuffling it would
    change only rounding). Otherwise the samples are permuted by ``rng`` when ``shuffle``, and
    each batch is an index array into the data (the data itself is never shuffled).
    ``merge_singleton`` folds a last batch of one sample into the one before it (batch
    normalisation cannot compute a variance from one sample).
    """
    if batch_size >= n_samples:
        yield slice(None)
        return
    order = rng.permutation(n_samples) if shuffle else np.arange(n_samples)
    stops = list(range(batch_size, n_samples, batch_size)) + [n_samples]
    if merge_singleton and len(stops) > 1 and stops[-1] - stops[-2] == 1:
        del stops[-2]
    start = 0
    for stop in stops:
        yield order[start:stop]
        start = stop


def split_validation(n_samples: int, fraction: float, rng: Any) -> tuple[np.ndarray, np.ndarray]:
    """Indices ``(train, validation)``: ``ceil(fraction · n)`` samples drawn at random by ``rng``.

    Keras takes the last samples instead; drawing them keeps sorted data from giving a
    validation set of one class. Both index arrays are sorted, so the data keeps its order.
    """
    if not isinstance(fraction, numbers.Real) or isinstance(fraction, bool):
        raise TypeError(
            f"validation_split must be a number in (0, 1), got {type(fraction).__name__} "
            f"{fraction!r}"
        )
    if not 0 < fraction < 1:
        raise ValueError(f"validation_split must be a number in (0, 1), got {fraction!r}")
    n_val = math.ceil(fraction * n_samples)
    if n_val >= n_samples:
        raise ValueError(
            f"validation_split={fraction} leaves no training samples out of {n_samples}"
        )
    order = rng.permutation(n_samples)
    return np.sort(order[n_val:]), np.sort(order[:n_val])


class _Data:
    """Checked inputs, targets and weights of one data set, in the model's dtype."""

    def __init__(
        self,
        model: Sequential,
        loss_fn: Loss,
        X: Any,
        y: Any,
        sample_weight: Any,
        prefix: str = "",
    ) -> None:
        self.X = check_array(X, prefix + "X", dtype=model.dtype)
        check_n_features(self.X, model.n_features_in, prefix + "X")
        self.targets = loss_fn.prepare_targets(y, model.n_outputs, model.dtype)
        check_same_length(self.X, self.targets, prefix + "X", prefix + "y")
        self.weights = None
        if sample_weight is not None:
            self.weights = check_sample_weight(sample_weight, self.X.shape[0], model.dtype)

    def apply_class_weight(self, class_weight: Any, loss_fn: Loss, dtype: Any) -> None:
        """Multiply the class weights (a dict or ``"balanced"``) into the sample weights."""
        per_class = class_weight_to_sample_weight(class_weight, self.targets, loss_fn)
        weights = per_class if self.weights is None else self.weights * per_class
        # the product can vanish (zero class weights on the only weighted samples)
        self.weights = check_sample_weight(weights, self.X.shape[0], dtype)

    def subset(self, index: np.ndarray) -> _Data:
        part = object.__new__(_Data)
        part.X, part.targets = self.X[index], self.targets[index]
        part.weights = None if self.weights is None else self.weights[index]
        return part


def _validation_arguments(validation_data: Any) -> tuple[Any, Any, Any]:
    if not isinstance(validation_data, tuple | list) or len(validation_data) not in (2, 3):
        raise TypeError(
            "validation_data must be a tuple (X_val, y_val) or (X_val, y_val, sample_weight_val), "
            f"got {type(validation_data).__name__}"
        )
    X_val, y_val, *rest = validation_data
    return X_val, y_val, rest[0] if rest else None


def _progress_bar(total: int, epoch: int, epochs: int) -> Any:
    from tqdm.auto import tqdm

    return tqdm(
        total=total, desc=f"Epoch {epoch + 1}/{epochs}", unit="batch", leave=True, file=sys.stderr
    )


def fit(
    model: Sequential,
    X: Any,
    y: Any,
    *,
    loss: str | Loss | None = None,
    optimizer: Any = None,
    epochs: int = 1,
    batch_size: int | None = 32,
    shuffle: bool = True,
    metrics: Sequence[str] | None = None,
    verbose: int = 0,
    validation_data: Any = None,
    validation_split: float = 0.0,
    callbacks: Sequence[Callback] | None = None,
    sample_weight: Any = None,
    class_weight: Any = None,
    initial_epoch: int = 0,
    on_divergence: str = "raise",
) -> History:
    """Train ``model`` on ``(X, y)``.

    Parameters
    ----------
    X : (n_samples, n_features_in) numbers; cast once to the model's dtype.
    y : targets for ``loss``: 0/1 labels ``(n_samples,)`` or ``(n_samples, n_outputs)`` for
        binary cross-entropy, class indices or one-hot rows for cross-entropy, values for
        regression losses.
    loss : a name or :class:`~ffnn.losses.Loss`; kept as ``model.loss``. Defaults to the
        model's current loss.
    optimizer : a name (``"adam"``, ``"sgd"``, ...) or an :class:`~ffnn.optimizers.Optimizer`,
        bound to the model's parameters if it is not already; kept as ``model.optimizer``.
        ``None`` continues with ``model.optimizer`` (and its state) when the model has one,
        else starts ``Adam()``.
    epochs : train until this epoch (counting from 0, so ``epochs - initial_epoch`` are run).
    batch_size : samples per step; ``None`` (or anything >= n_samples) for full batches.
    shuffle : draw a new order of the samples each epoch from ``model.rng``.
    metrics : names recorded per epoch beside the loss (``"accuracy"``, ``"mae"``, ``"mse"``).
    verbose : 0 silent; 1 a progress bar per epoch (tqdm); 2 one line per epoch.
    validation_data : ``(X_val, y_val)`` or ``(X_val, y_val, sample_weight_val)``, evaluated in
        inference mode after every epoch as ``val_loss`` and ``val_<metric>``.
    validation_split : instead, a fraction of ``(X, y)`` held out at random (``model.rng``).
    callbacks : :class:`~ffnn.callbacks.Callback` objects (EarlyStopping, ModelCheckpoint, ...).
    sample_weight : (n_samples,) non-negative weights; the loss is their weighted mean.
    class_weight : ``{class: weight}`` or ``"balanced"``, multiplied into the sample weights.
    initial_epoch : the epoch to start from (to resume a run).
    on_divergence : a non-finite loss or weight stops training at once and restores the weights
        of the last finished epoch that a batch has shown to give a finite loss (the run's last
        update is checked on the training data); ``"raise"`` then raises
        :class:`TrainingDivergedError`, ``"warn"`` issues a :class:`TrainingDivergedWarning`
        and returns the history.

    A :class:`FeatureScaleWarning` is issued first when the features of ``X`` differ wildly in
    scale (:func:`feature_scale_problem`).

    Returns
    -------
    :class:`History` with ``"loss"`` (the weighted mean of the batch losses, each taken before
    its update, penalties included) and each metric, one value per epoch.

    Ctrl-C ends training after a message; the model keeps its weights of that moment (all
    finite) and the history says ``stopped_by == "interrupt"``.
    """
    if on_divergence not in ("raise", "warn"):
        raise ValueError(f"on_divergence must be 'raise' or 'warn', got {on_divergence!r}")
    loss_fn = model._loss_for(loss)
    epochs = check_positive_int(epochs, "epochs")
    if check_non_negative_int(initial_epoch, "initial_epoch") >= epochs:
        raise ValueError(
            f"initial_epoch must be an int in [0, epochs={epochs}), got {initial_epoch}"
        )
    if validation_data is not None and validation_split:
        raise ValueError(
            f"give validation_data or validation_split, not both (got validation_split="
            f"{validation_split!r} and validation_data too)"
        )
    shuffle = check_bool(shuffle, "shuffle")
    if not isinstance(verbose, bool):  # verbose=True is verbose=1
        check_non_negative_int(verbose, "verbose")
    verbose = int(verbose)
    metric_names = check_metric_names(metrics)
    if isinstance(callbacks, Callback) or not isinstance(callbacks, Iterable | None):
        raise TypeError(
            f"callbacks must be a list of ffnn Callback objects, got {type(callbacks).__name__}"
        )

    data = _Data(model, loss_fn, X, y, sample_weight)
    scale_problem = feature_scale_problem(data.X)
    if scale_problem:
        warnings.warn(scale_problem, FeatureScaleWarning, stacklevel=user_stacklevel())
    val = None
    if validation_split:
        train_index, val_index = split_validation(data.X.shape[0], validation_split, model.rng)
        data, val = data.subset(train_index), data.subset(val_index)
    elif validation_data is not None:
        X_val, y_val, w_val = _validation_arguments(validation_data)
        val = _Data(model, loss_fn, X_val, y_val, w_val, prefix="validation ")
    if class_weight is not None:
        # class weights shape the training objective only (as in Keras); validation measures
        data.apply_class_weight(class_weight, loss_fn, model.dtype)
    n_samples = data.X.shape[0]
    batch = n_samples if batch_size is None else check_positive_int(batch_size, "batch_size")
    batch = min(batch, n_samples)

    opt = _bound_optimizer(optimizer, model)
    metric_fns = {name: get_batch_metric(name, loss_fn) for name in metric_names}
    model.loss = loss_fn
    model.optimizer = opt
    model.stop_training = False
    callback_list = list(callbacks or [])
    for callback in callback_list:
        if not isinstance(callback, Callback):
            raise TypeError(f"callbacks must be ffnn Callback objects, got {callback!r}")
        callback.set_model(model)

    history = History(
        {
            "epochs": epochs,
            "batch_size": batch,
            "samples": n_samples,
            "validation_samples": 0 if val is None else val.X.shape[0],
        }
    )
    run = _EpochRunner(
        model, loss_fn, opt, data, batch, shuffle, metric_fns, callback_list, initial_epoch
    )
    flat = run.flat.data
    for callback in callback_list:
        callback.on_train_begin()
    epoch = initial_epoch
    divergence = ""
    # A diverging run overflows in every layer; it is reported once, as an error naming the
    # epoch, rather than as a warning from each operation.
    # (callbacks run inside this too: numbers they compute may overflow silently)
    with np.errstate(over="ignore", invalid="ignore"):
        try:
            for epoch in range(initial_epoch, epochs):
                for callback in callback_list:
                    callback.on_epoch_begin(epoch)
                bar = _progress_bar(run.n_batches, epoch, epochs) if verbose == 1 else None
                logs = run.epoch(epoch, bar)
                if logs is None:
                    if bar is not None:
                        bar.close()
                    divergence = _restore_after_divergence(run, epoch)
                    history.stopped_by = "divergence"
                    break
                if val is not None:
                    logs.update(_validation_logs(model, loss_fn, val, metric_fns, run.penalized))
                if bar is not None:
                    bar.set_postfix({k: f"{v:.4f}" for k, v in logs.items()})
                    bar.close()
                elif verbose >= 2:
                    shown = " - ".join(f"{k}: {v:.4f}" for k, v in logs.items())
                    print(f"Epoch {epoch + 1}/{epochs} - {shown}")
                model.epochs_trained = epoch + 1
                for callback in callback_list:
                    callback.on_epoch_end(epoch, logs)
                history.record(epoch, logs)
                if model.stop_training:
                    history.stopped_by = "callback"
                    break
        except KeyboardInterrupt:
            history.stopped_by = "interrupt"
            print(
                f"Training interrupted (Ctrl-C) in epoch {epoch + 1}; the model keeps its weights "
                f"of that moment and the history holds {len(history)} finished epoch(s).",
                file=sys.stderr,
            )
    if not divergence and history.stopped_by != "interrupt":
        # the last update of the run had no later batch to reveal a non-finite weight, or
        # finite weights so large that the network's outputs overflow
        with np.errstate(over="ignore", invalid="ignore"):
            if not (np.isfinite(flat).all() and run.final_outputs_finite()):
                divergence = _restore_after_divergence(run, epoch)
                history.stopped_by = "divergence"
    for callback in callback_list:
        callback.on_train_end()
    if divergence and on_divergence == "raise":
        raise TrainingDivergedError(divergence, epoch + 1, history)
    if divergence:
        warnings.warn(divergence, TrainingDivergedWarning, stacklevel=user_stacklevel())
    return history


def _bound_optimizer(optimizer: Any, model: Sequential) -> Any:
    """The optimizer, bound to the model: kept as it is if the caller bound it to
    ``model.parameters()`` or it is bound to the flat buffer already; otherwise bound to
    :meth:`Sequential.flat_parameter` (one array: the fastest update for element-wise rules)."""
    if optimizer is None:
        optimizer = model.optimizer if model.optimizer is not None else "adam"
    opt = optimizers_module.get(optimizer)
    flat = model.flat_parameter()
    bound = opt.parameters
    if len(bound) == 1 and bound[0] is flat:
        return opt
    params = model.parameters()
    if len(bound) == len(params) and all(a is b for a, b in zip(bound, params, strict=True)):
        return opt
    return opt.bind([flat])


class _EpochRunner:
    """One pass over the training data, batch by batch (the four steps of the module doc)."""

    def __init__(
        self,
        model: Sequential,
        loss_fn: Loss,
        optimizer: Any,
        data: _Data,
        batch: int,
        shuffle: bool,
        metric_fns: dict[str, Any],
        callbacks: list[Callback],
        initial_epoch: int = 0,
    ) -> None:
        self.model, self.loss_fn, self.optimizer = model, loss_fn, optimizer
        self.data, self.batch, self.shuffle = data, batch, shuffle
        self.metric_fns, self.callbacks = metric_fns, callbacks
        self.penalized = [layer for layer in model.layers if getattr(layer, "regularizer", None)]
        self.merge_singleton = any(isinstance(layer, BatchNorm) for layer in model.layers)
        self.check_views = True
        self.last_batch: np.ndarray | slice = slice(0)  # set at the end of epoch()
        self.flat = model.flat_parameter()
        # The last weights a batch has shown to be good, and after how many finished epochs
        # they came. A step that makes the weights non-finite (or so large that the outputs
        # overflow) shows only in the next batch's loss, so the weights at the end of an epoch
        # are copied once the next epoch's first batch has given a finite loss with them; one
        # copy of the weights, then, and the one restored after a divergence is always good.
        self.snapshot = self.flat.data.copy()
        self.snapshot_epochs = initial_epoch
        n = data.X.shape[0]
        self.n_batches = sum(
            1 for _ in iterate_batches(n, batch, None, False, self.merge_singleton)
        )
        self.total_weight = n if data.weights is None else float(data.weights.sum())

    def _check_gradient_views(self) -> None:
        """Once per fit, after the first backward pass: every gradient must still be a view of
        the flat buffer the optimizer reads, or that parameter would silently never train."""
        self.check_views = False
        flat = self.flat  # not flat_parameter(): that would rebuild the buffer around the change
        for position, layer in enumerate(self.model.layers):
            for p in layer.parameters():
                if p.grad.base is not flat.grad:
                    raise RuntimeError(
                        f"layers[{position}] ({type(layer).__name__}) replaced the .grad array of "
                        f"its parameter {p.name!r} in backward; write gradients in place "
                        "(p.grad[...] = value, or out=p.grad) so the optimizer sees them"
                    )

    def final_outputs_finite(self) -> bool:
        """Whether the weights as they are now still give finite outputs and loss, in inference
        mode, on the last batch trained on and on at most :data:`FINAL_CHECK_ROWS` evenly
        spaced training rows (all of them for small data): a cheap check of the last update,
        which no later batch reveals. The sample goes through in pieces of a batch, so the
        check needs no more memory than a training step."""
        n_samples = self.data.X.shape[0]
        sample = np.arange(0, n_samples, -(-n_samples // FINAL_CHECK_ROWS))  # ceil(n / rows)
        pieces = [sample[start : start + self.batch] for start in range(0, sample.size, self.batch)]
        for index in [self.last_batch, *pieces]:
            logits = self.model.forward(self.data.X[index], training=False)
            if not np.isfinite(logits).all():
                return False
            if not math.isfinite(self.loss_fn.forward(logits, self.data.targets[index])):
                return False
        return True

    def epoch(self, epoch: int, bar: Any = None) -> dict[str, float] | None:
        """Train for epoch ``epoch`` (0-based); its logs (weighted means), or ``None`` at a
        non-finite loss."""
        model, loss_fn, optimizer = self.model, self.loss_fn, self.optimizer
        X, targets, weights = self.data.X, self.data.targets, self.data.weights
        loss_sum = 0.0
        metric_sums = dict.fromkeys(self.metric_fns, 0.0)
        batches = iterate_batches(
            X.shape[0], self.batch, model.rng, self.shuffle, self.merge_singleton
        )
        for batch_index, index in enumerate(batches):
            xb, yb = X[index], targets[index]
            wb = None if weights is None else weights[index]
            logits = model.forward(xb, training=True)
            batch_loss = loss_fn.forward(logits, yb, wb)
            for layer in self.penalized:
                batch_loss += layer.penalty()
            if not math.isfinite(batch_loss):
                return None
            if batch_index == 0:  # the weights after `epoch` finished epochs passed a batch
                np.copyto(self.snapshot, self.flat.data)
                self.snapshot_epochs = epoch
            share = xb.shape[0] if wb is None else float(wb.sum())
            for name, metric in self.metric_fns.items():
                metric_sums[name] += metric(loss_fn, logits, yb, wb) * share
            model.backward(loss_fn.backward(), input_grad=False)
            if self.check_views:
                self._check_gradient_views()
            optimizer.step()
            loss_sum += batch_loss * share
            if bar is not None:
                bar.update(1)
                bar.set_postfix(loss=f"{batch_loss:.4f}", refresh=False)
            for callback in self.callbacks:
                callback.on_batch_end(batch_index, {"loss": batch_loss})
        # a copy: a view would keep this epoch's whole permutation alive into the next epoch,
        # beside the next one (n_samples integers more at the peak)
        self.last_batch = index if isinstance(index, slice) else index.copy()
        logs = {"loss": loss_sum / self.total_weight}
        logs.update({name: total / self.total_weight for name, total in metric_sums.items()})
        return logs


def _validation_logs(
    model: Sequential,
    loss_fn: Loss,
    val: _Data,
    metric_fns: dict[str, Any],
    penalized: list[Any],
) -> dict[str, float]:
    logits = model.forward(val.X, training=False)
    value = loss_fn.forward(logits, val.targets, val.weights)
    for layer in penalized:
        value += layer.penalty()
    logs = {"val_loss": value}
    for name, metric in metric_fns.items():
        logs["val_" + name] = metric(loss_fn, logits, val.targets, val.weights)
    return logs


def _restore_after_divergence(run: _EpochRunner, epoch: int) -> str:
    """Put back the last weights a batch showed to be good (:attr:`_EpochRunner.snapshot`); the
    message that explains what happened. ``epoch`` is the (0-based) epoch that diverged."""
    np.copyto(run.flat.data, run.snapshot)
    restored = (
        f"the weights after epoch {run.snapshot_epochs} were restored"
        if run.snapshot_epochs > 0
        else "the initial weights were restored"
    )
    return (
        f"training diverged in epoch {epoch + 1}: the loss or a weight became NaN or infinite; "
        f"{restored}. Try a smaller learning rate (it is {run.optimizer.learning_rate:g}) "
        "or scale the inputs (e.g. to zero mean and unit variance)."
    )


model_module.PLUGINS["fit"] = fit  # model.fit(X, y, ...) is this loop
