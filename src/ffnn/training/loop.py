"""The training loop: :func:`fit` checks its arguments, :func:`train` runs the epochs.

One step, for a batch ``xb (B, n_in)``, ``yb (B, n_out)`` (and weights ``wb (B,)``, total
weight ``W = Σ wb``, or ``B``):

1. ``logits = model.forward(xb, training=True)``
2. ``loss = objective.total(loss_fn.forward(logits, yb, wb), W)`` (the penalty added);
   ``grad = loss_fn.backward()`` (the fused ``(p - y)/B``)
3. ``model.backward(grad)`` fills every parameter's ``.grad`` (layer penalties included), then
   ``objective.add_gradients(W)`` adds any penalty the objective owns
4. ``optimizer.step()`` updates every parameter in place.

Around it: mini-batches from a batch plan (:mod:`ffnn.training.batching`; by default indices
reshuffled each epoch by ``model.rng``), validation after each epoch, callbacks, a progress
display, a stop at the first non-finite loss with the last finite weights restored, and Ctrl-C
ending training cleanly. There is one loop: ``Sequential.fit`` and the scikit-learn
estimators' "sgd" and "adam" solvers both run :func:`train`, the estimators with their own
batch plan, objective and convergence callback.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ffnn._checks import (
    check_bool,
    check_non_negative_int,
    check_positive_int,
    user_stacklevel,
)
from ffnn.callbacks import Callback
from ffnn.losses import Loss
from ffnn.metrics import check_metric_names, get_batch_metric
from ffnn.training.batching import BatchPlan, ShuffledBatches, split_validation
from ffnn.training.data import TrainingData, validation_arguments
from ffnn.training.epoch import (
    EpochRunner,
    bound_optimizer,
    restore_after_divergence,
    restore_snapshot,
    validation_logs,
    weights_broken,
)
from ffnn.training.history import History, TrainingDivergedError, TrainingDivergedWarning
from ffnn.training.objective import LayerPenalties, Objective
from ffnn.training.progress import progress_for
from ffnn.training.scaling import FeatureScaleWarning, feature_scale_problem

if TYPE_CHECKING:
    from ffnn.model import Sequential

__all__ = ["fit", "train"]


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
    batches: BatchPlan | None = None,
    objective: Objective | None = None,
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
    verbose : 0 silent. 1: on ``sys.stderr``; when it is a terminal, one tqdm line for the whole
        run, advanced per epoch, with the latest loss, ``val_loss`` and metrics (as many as the
        terminal's width holds); otherwise (a file, a pipe, a notebook) no bar but plain lines
        ``Epoch 10/200 - loss 0.1234 - val_loss 0.2345`` for the first epoch, every k-th
        (``k = ceil(epochs run / 10)``) and the last epoch run. 2: one line per epoch on
        ``sys.stdout``. Nothing is shown per batch (:mod:`ffnn.training.progress`).
    validation_data : ``(X_val, y_val)`` or ``(X_val, y_val, sample_weight_val)``, evaluated in
        inference mode after every epoch as ``val_loss`` and ``val_<metric>``.
    validation_split : instead, a fraction of ``(X, y)`` held out at random (``model.rng``).
    callbacks : :class:`~ffnn.callbacks.Callback` objects (EarlyStopping, ModelCheckpoint, ...).
    sample_weight : (n_samples,) non-negative weights; the loss is their weighted mean.
    class_weight : ``{class: weight}`` or ``"balanced"``, multiplied into the sample weights.
    initial_epoch : the epoch to start from (to resume a run).
    batches : a :class:`~ffnn.training.batching.BatchPlan` that draws each epoch's batches;
        ``None``: :class:`~ffnn.training.batching.ShuffledBatches` (``shuffle``, ``model.rng``).
        A plan given decides the order itself (``shuffle`` is then not read).
    objective : an :class:`~ffnn.training.objective.Objective` (the penalty added to the loss
        and how batches count in the epoch's loss); ``None``: the layers' own penalties.
    on_divergence : a non-finite loss or weight stops training at once and restores the weights
        of the last finished epoch that a batch has shown to give a finite loss (the run's last
        update is checked on the training data), with the optimizer's state reset to zero;
        ``"raise"`` then raises :class:`TrainingDivergedError`, ``"warn"`` issues a
        :class:`TrainingDivergedWarning` and returns the history.

    A :class:`FeatureScaleWarning` is issued first when the features of ``X`` differ wildly in
    scale (:func:`feature_scale_problem`).

    Returns
    -------
    :class:`History` with ``"loss"`` (the weighted mean of the batch losses, each taken before
    its update, penalties included) and each metric, one value per epoch.

    Features or targets too large for any finite training in the model's dtype are refused
    first with a ``ValueError`` that says what to do
    (:func:`~ffnn.training.scaling.check_trainable`).

    Ctrl-C ends training after a message; the history says ``stopped_by == "interrupt"``. The
    model keeps its weights of that moment, unless the last step made them (or the network's
    outputs) non-finite: then the last good weights are restored, as after a divergence, and
    the message and a :class:`TrainingDivergedWarning` say so. Every path ends with finite
    weights.
    """
    loss_fn = model._loss_for(loss)
    epochs = check_positive_int(epochs, "epochs")
    check_non_negative_int(initial_epoch, "initial_epoch")
    if validation_data is not None and validation_split:
        raise ValueError(
            f"give validation_data or validation_split, not both (got validation_split="
            f"{validation_split!r} and validation_data too)"
        )
    shuffle = check_bool(shuffle, "shuffle")
    if not isinstance(verbose, bool):  # verbose=True is verbose=1
        check_non_negative_int(verbose, "verbose")
    metric_names = check_metric_names(metrics)
    _check_options(on_divergence, initial_epoch, epochs, callbacks, batches, objective)

    data = TrainingData.checked(model, loss_fn, X, y, sample_weight)
    scale_problem = feature_scale_problem(data.X)
    if scale_problem:
        warnings.warn(scale_problem, FeatureScaleWarning, stacklevel=user_stacklevel())
    val = None
    if validation_split:
        train_index, val_index = split_validation(len(data), validation_split, model.rng)
        data, val = data.subset(train_index), data.subset(val_index)
    elif validation_data is not None:
        X_val, y_val, w_val = validation_arguments(validation_data)
        val = TrainingData.checked(model, loss_fn, X_val, y_val, w_val, prefix="validation ")
    if class_weight is not None:
        # class weights shape the training objective only (as in Keras); validation measures
        data.apply_class_weight(class_weight, loss_fn, model.dtype)
    if batch_size is not None:
        check_positive_int(batch_size, "batch_size")
    return train(
        model,
        data,
        loss_fn=loss_fn,
        optimizer=optimizer,
        epochs=epochs,
        initial_epoch=initial_epoch,
        batch_size=batch_size,
        batches=ShuffledBatches(shuffle) if batches is None else batches,
        objective=LayerPenalties() if objective is None else objective,
        metrics=metric_names,
        validation=val,
        callbacks=callbacks,
        verbose=int(verbose),
        on_divergence=on_divergence,
    )


def _check_options(
    on_divergence: Any,
    initial_epoch: int,
    epochs: int,
    callbacks: Any,
    batches: Any,
    objective: Any,
) -> None:
    if on_divergence not in ("raise", "warn"):
        raise ValueError(f"on_divergence must be 'raise' or 'warn', got {on_divergence!r}")
    if initial_epoch >= epochs:
        raise ValueError(
            f"initial_epoch must be an int in [0, epochs={epochs}), got {initial_epoch}"
        )
    if isinstance(callbacks, Callback) or not isinstance(callbacks, Iterable | None):
        raise TypeError(
            f"callbacks must be a list of ffnn Callback objects, got {type(callbacks).__name__}"
        )
    if not isinstance(batches, BatchPlan | None):
        raise TypeError(f"batches must be a BatchPlan, got {type(batches).__name__}")
    if not isinstance(objective, Objective | None):
        raise TypeError(f"objective must be an Objective, got {type(objective).__name__}")


def train(
    model: Sequential,
    data: TrainingData,
    *,
    loss_fn: Loss,
    optimizer: Any = None,
    epochs: int = 1,
    initial_epoch: int = 0,
    batch_size: int | None = None,
    batches: BatchPlan | None = None,
    objective: Objective | None = None,
    metrics: Sequence[str] = (),
    validation: TrainingData | None = None,
    callbacks: Sequence[Callback] | None = None,
    verbose: int = 0,
    on_divergence: str = "raise",
) -> History:
    """The loop itself, on data already checked (:class:`~ffnn.training.data.TrainingData`,
    in the model's dtype): epochs ``initial_epoch .. epochs - 1`` of the four steps of the
    module docstring. :func:`fit` checks its arguments and calls it; an adapter that checks its
    own data (the scikit-learn estimators) calls it directly. The arguments mean what they
    mean for :func:`fit`; ``validation`` is the validation data, ``metrics`` checked names.
    """
    _check_options(on_divergence, initial_epoch, epochs, callbacks, batches, objective)
    batches = ShuffledBatches() if batches is None else batches
    objective = LayerPenalties() if objective is None else objective
    n_samples = len(data)
    batch = n_samples if batch_size is None else min(batch_size, n_samples)
    opt = bound_optimizer(optimizer, model)
    metric_fns = {name: get_batch_metric(name, loss_fn) for name in metrics}
    model.loss = loss_fn
    model.optimizer = opt
    model.stop_training = False
    objective.bind(model)
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
            "validation_samples": 0 if validation is None else len(validation),
        }
    )
    run = EpochRunner(
        model,
        loss_fn,
        opt,
        data,
        batch,
        batches,
        objective,
        metric_fns,
        callback_list,
        initial_epoch,
    )
    for callback in callback_list:
        callback.on_train_begin()
    epoch = initial_epoch
    divergence = ""
    # A diverging run overflows in every layer; it is reported once, as an error naming the
    # epoch, rather than as a warning from each operation.
    # (callbacks run inside this too: numbers they compute may overflow silently)
    # The display closes on leaving; its last line then shows where a run stopped early.
    progress = progress_for(verbose, epochs, initial_epoch)
    with np.errstate(over="ignore", invalid="ignore"), progress:
        try:
            for epoch in range(initial_epoch, epochs):
                for callback in callback_list:
                    callback.on_epoch_begin(epoch)
                logs = run.epoch(epoch)
                if logs is None:
                    divergence = restore_after_divergence(run, epoch)
                    history.stopped_by = "divergence"
                    break
                if validation is not None:
                    logs.update(validation_logs(model, loss_fn, validation, metric_fns, objective))
                progress.epoch_end(epoch, logs)
                model.epochs_trained = epoch + 1
                for callback in callback_list:
                    # a callback may add entries to the logs (the history records them)
                    callback.on_epoch_end(epoch, logs)
                history.record(epoch, logs)
                if model.stop_training:
                    history.stopped_by = "callback"
                    break
        except KeyboardInterrupt:
            history.stopped_by = "interrupt"
            progress.close()  # before the message, which would otherwise break into the bar
            # Ctrl-C may come right after a step that broke the weights, before any batch
            # showed it: check them now, as at the end of a run
            restored, caveat = restore_snapshot(run) if weights_broken(run) else ("", "")
            if restored:
                interrupted = (
                    f"Training interrupted (Ctrl-C) in epoch {epoch + 1}, after a step that made "
                    f"the weights or the network's outputs non-finite: {restored} (the last good "
                    f"weights, and the optimizer's state reset); the history holds "
                    f"{len(history)} finished epoch(s).{caveat}"
                )
            else:
                interrupted = (
                    f"Training interrupted (Ctrl-C) in epoch {epoch + 1}; the model keeps its "
                    f"weights of that moment and the history holds {len(history)} finished "
                    "epoch(s)."
                )
            print(interrupted, file=sys.stderr)
            if restored:
                warnings.warn(interrupted, TrainingDivergedWarning, stacklevel=user_stacklevel())
    if not divergence and history.stopped_by != "interrupt":
        # the last update of the run had no later batch to reveal a non-finite weight, or
        # finite weights so large that the network's outputs overflow
        with np.errstate(over="ignore", invalid="ignore"):
            if weights_broken(run):
                divergence = restore_after_divergence(run, epoch)
                history.stopped_by = "divergence"
    for callback in callback_list:
        callback.on_train_end()
    if divergence and on_divergence == "raise":
        raise TrainingDivergedError(divergence, epoch + 1, history)
    if divergence:
        warnings.warn(divergence, TrainingDivergedWarning, stacklevel=user_stacklevel())
    return history
