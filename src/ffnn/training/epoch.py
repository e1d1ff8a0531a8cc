"""One epoch of the loop (:class:`EpochRunner`), and what the loop does around epochs:
binding the optimizer, the validation logs, restoring the weights after a divergence."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from ffnn import optimizers as optimizers_module
from ffnn.callbacks import Callback
from ffnn.losses import Loss
from ffnn.normalization import BatchNorm
from ffnn.training.batching import BatchPlan
from ffnn.training.data import TrainingData
from ffnn.training.objective import Objective

if TYPE_CHECKING:
    from ffnn.model import Sequential

__all__ = [
    "EpochRunner",
    "bound_optimizer",
    "restore_after_divergence",
    "restore_snapshot",
    "validation_logs",
    "weights_broken",
]

#: After the last update, the outputs on at most this many training rows must still be finite.
FINAL_CHECK_ROWS = 1024


def bound_optimizer(optimizer: Any, model: Sequential) -> Any:
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


class EpochRunner:
    """One pass over the training data, batch by batch (the four steps of the module doc)."""

    def __init__(
        self,
        model: Sequential,
        loss_fn: Loss,
        optimizer: Any,
        data: TrainingData,
        batch: int,
        batches: BatchPlan,
        objective: Objective,
        metric_fns: dict[str, Any],
        callbacks: list[Callback],
        initial_epoch: int = 0,
    ) -> None:
        self.model, self.loss_fn, self.optimizer = model, loss_fn, optimizer
        self.data, self.batch, self.batches, self.objective = data, batch, batches, objective
        self.metric_fns, self.callbacks = metric_fns, callbacks
        self.merge_singleton = any(isinstance(layer, BatchNorm) for layer in model.layers)
        self.check_views = True
        self.last_batch: np.ndarray | slice | None = None  # set at the end of epoch()
        self.flat = model.flat_parameter()
        # The last weights a batch has shown to be good, and after how many finished epochs
        # they came. A step that makes the weights non-finite (or so large that the outputs
        # overflow) shows only in the next batch's loss, so the weights at the end of an epoch
        # are copied once the next epoch's first batch has given a finite loss with them; one
        # copy of the weights, then, and the one restored after a divergence is always good.
        self.snapshot = self.flat.data.copy()
        self.snapshot_epochs = initial_epoch
        n = len(data)
        self.n_batches = batches.count(n, batch, self.merge_singleton)
        weights = data.weights
        by_weight = weights is not None and not objective.average_by_count
        self.total_weight = float(weights.sum()) if weights is not None and by_weight else n

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
        last = [] if self.last_batch is None else [self.last_batch]
        for index in [*last, *pieces]:
            logits = self.model.forward(self.data.X[index], training=False)
            if not np.isfinite(logits).all():
                return False
            if not math.isfinite(self.loss_fn.forward(logits, self.data.targets[index])):
                return False
        return True

    def epoch(self, epoch: int) -> dict[str, float] | None:
        """Train for epoch ``epoch`` (0-based); its logs (means over the batches, each counted
        by its weight, or its size with ``objective.average_by_count``), or ``None`` at a
        non-finite loss."""
        model, loss_fn, optimizer, objective = (
            self.model,
            self.loss_fn,
            self.optimizer,
            self.objective,
        )
        X, targets, weights = self.data.X, self.data.targets, self.data.weights
        by_count, skip_weightless = objective.average_by_count, objective.skip_weightless
        loss_sum = 0.0
        metric_sums = dict.fromkeys(self.metric_fns, 0.0)
        batches = self.batches.epoch(X.shape[0], self.batch, model.rng, self.merge_singleton)
        index: np.ndarray | slice = slice(0)
        for batch_index, index in enumerate(batches):
            xb, yb = X[index], targets[index]
            wb = None if weights is None else weights[index]
            share = xb.shape[0] if wb is None else float(wb.sum())
            if share == 0 and skip_weightless:  # no loss to average: no step
                for callback in self.callbacks:
                    callback.on_batch_end(batch_index, {"loss": 0.0})
                continue
            logits = model.forward(xb, training=True)
            batch_loss = objective.total(loss_fn.forward(logits, yb, wb), share)
            if not math.isfinite(batch_loss):
                return None
            if batch_index == 0:  # the weights after `epoch` finished epochs passed a batch
                np.copyto(self.snapshot, self.flat.data)
                self.snapshot_epochs = epoch
            for name, metric in self.metric_fns.items():
                metric_sums[name] += metric(loss_fn, logits, yb, wb) * share
            model.backward(loss_fn.backward(), input_grad=False)
            objective.add_gradients(share)
            if self.check_views:
                self._check_gradient_views()
            optimizer.step()
            loss_sum += batch_loss * (xb.shape[0] if by_count else share)
            for callback in self.callbacks:
                callback.on_batch_end(batch_index, {"loss": batch_loss})
        # a copy: a view would keep this epoch's whole permutation alive into the next epoch,
        # beside the next one (n_samples integers more at the peak)
        self.last_batch = index if isinstance(index, slice) else index.copy()
        logs = {"loss": loss_sum / self.total_weight}
        logs.update({name: total / self.total_weight for name, total in metric_sums.items()})
        return logs


def validation_logs(
    model: Sequential,
    loss_fn: Loss,
    val: TrainingData,
    metric_fns: dict[str, Any],
    objective: Objective,
) -> dict[str, float]:
    logits = model.forward(val.X, training=False)
    total = len(val) if val.weights is None else float(val.weights.sum())
    logs = {"val_loss": objective.total(loss_fn.forward(logits, val.targets, val.weights), total)}
    for name, metric in metric_fns.items():
        logs["val_" + name] = metric(loss_fn, logits, val.targets, val.weights)
    return logs


#: Added to the message when the restored weights still overflow on rows of the final check.
OVERFLOW_CAVEAT = (
    " The restored weights still give outputs that overflow on some training rows, which "
    "predict refuses: lower the learning rate and train again."
)


def restore_snapshot(run: EpochRunner) -> tuple[str, str]:
    """Put back the last weights a batch showed to be good (:attr:`EpochRunner.snapshot`) and
    restart the optimizer's state (moments, velocities) from zero: it was built by the steps
    that went wrong, and would throw the restored weights off again at the next step. The
    words that say which weights came back, and a sentence to add when those still give
    non-finite outputs on rows of the final check (else ``""``)."""
    np.copyto(run.flat.data, run.snapshot)
    for arrays in getattr(run.optimizer, "state", {}).values():
        for array in arrays:
            array.fill(0)
    if run.snapshot_epochs > 0:
        restored = f"the weights after epoch {run.snapshot_epochs} were restored"
    else:
        restored = "the initial weights were restored"
    # a batch showed them good; the rows of the final check may still overflow (one snapshot
    # is kept, so there is nothing older to go back to): say so rather than hide it
    caveat = "" if run.final_outputs_finite() else OVERFLOW_CAVEAT
    return restored, caveat


def weights_broken(run: EpochRunner) -> bool:
    """Whether the weights as they are now are non-finite, or give non-finite outputs or loss
    (:meth:`EpochRunner.final_outputs_finite`): checked once, after the run or at Ctrl-C."""
    return not (np.isfinite(run.flat.data).all() and run.final_outputs_finite())


def restore_after_divergence(run: EpochRunner, epoch: int) -> str:
    """:func:`restore_snapshot`; the message that explains what happened. ``epoch`` is the
    (0-based) epoch that diverged."""
    restored, caveat = restore_snapshot(run)
    return (
        f"training diverged in epoch {epoch + 1}: the loss or a weight became NaN or infinite; "
        f"{restored} (and the optimizer's state reset). Try a smaller learning rate (it is "
        f"{run.optimizer.learning_rate:g}) or scale the inputs (e.g. to zero mean and unit "
        f"variance).{caveat}"
    )
