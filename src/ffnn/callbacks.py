"""Callbacks: code that runs at fixed points of training (Keras' vocabulary).

``fit`` calls, in order: ``on_train_begin``, then for every epoch ``on_epoch_begin``,
``on_batch_end`` after each optimizer step, ``on_epoch_end`` with the epoch's logs (``loss``,
metrics, ``val_*``), and finally ``on_train_end``. A callback sees the model as ``self.model``
(its ``optimizer`` too) and stops training by setting ``self.model.stop_training = True``.
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from ffnn._checks import (
    check_bool,
    check_finite_float,
    check_non_negative_float,
    check_non_negative_int,
    check_path,
    check_positive_float,
)

if TYPE_CHECKING:
    from ffnn.model import Sequential
    from ffnn.optimizers import Optimizer

__all__ = [
    "Callback",
    "EarlyStopping",
    "ModelCheckpoint",
    "ReduceLROnPlateau",
    "LearningRateScheduler",
    "CSVLogger",
]

Logs = dict[str, float]


class Callback:
    """Base class: every hook does nothing."""

    def __init__(self) -> None:
        self.model: Sequential | None = None

    def set_model(self, model: Sequential) -> None:
        self.model = model

    def _model(self) -> Sequential:
        if self.model is None:
            raise RuntimeError(f"{type(self).__name__} is not attached to a model")
        return self.model

    def _optimizer(self) -> Optimizer:
        optimizer = self._model().optimizer
        if optimizer is None:
            raise RuntimeError(
                f"{type(self).__name__} needs a model that fit has given an optimizer"
            )
        return optimizer

    def on_train_begin(self, logs: Logs | None = None) -> None: ...

    def on_train_end(self, logs: Logs | None = None) -> None: ...

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None: ...

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None: ...

    def on_batch_end(self, batch: int, logs: Logs | None = None) -> None: ...

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class _Monitor:
    """Tracks the best value of a logged quantity: lower is better for losses, higher for
    accuracies (``mode="auto"``)."""

    def __init__(self, monitor: str, mode: str, min_delta: float) -> None:
        if not isinstance(monitor, str):
            raise TypeError(
                f"monitor must be the name of a logged quantity (str), got "
                f"{type(monitor).__name__} {monitor!r}"
            )
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"mode must be 'auto', 'min' or 'max', got {mode!r}")
        min_delta = check_non_negative_float(min_delta, "min_delta")
        if mode == "auto":
            mode = "max" if "acc" in monitor or monitor.endswith("score") else "min"
        self.monitor = monitor
        self.mode = mode
        self.min_delta = float(min_delta)
        self.best = math.inf if mode == "min" else -math.inf

    def reset(self) -> None:
        self.best = math.inf if self.mode == "min" else -math.inf

    def value(self, logs: Logs | None, owner: str) -> float:
        if not logs or self.monitor not in logs:
            available = ", ".join(sorted(logs or {})) or "nothing"
            raise ValueError(
                f"{owner} monitors {self.monitor!r}, which this fit does not record "
                f"(it records: {available}); pass validation_data= or validation_split= for "
                "'val_*' quantities, or choose another monitor"
            )
        return float(logs[self.monitor])

    def improved(self, current: float, reference: float | None = None) -> bool:
        reference = self.best if reference is None else reference
        if self.mode == "min":
            return current < reference - self.min_delta
        return current > reference + self.min_delta


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved by more than ``min_delta`` for ``patience`` epochs.

    With ``restore_best_weights=True`` the weights of the best epoch are put back when training
    ends, whether it stopped early or ran out of epochs (Keras restores only on an early stop;
    ending on the best model is what that option is for). ``best``, ``best_epoch`` and
    ``stopped_epoch`` (-1 when it did not stop training) are kept for inspection.
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        min_delta: float = 0.0,
        patience: int = 0,
        mode: str = "auto",
        baseline: float | None = None,
        restore_best_weights: bool = False,
        start_from_epoch: int = 0,
        verbose: int = 0,
    ) -> None:
        super().__init__()
        self._tracker = _Monitor(monitor, mode, min_delta)
        self.monitor = monitor
        self.patience = check_non_negative_int(patience, "patience")
        self.baseline = None if baseline is None else check_finite_float(baseline, "baseline")
        self.restore_best_weights = check_bool(restore_best_weights, "restore_best_weights")
        self.start_from_epoch = check_non_negative_int(start_from_epoch, "start_from_epoch")
        self.verbose = verbose
        self.best_weights: list[np.ndarray] | None = None

    @property
    def best(self) -> float:
        return self._tracker.best

    def on_train_begin(self, logs: Logs | None = None) -> None:
        self._tracker.reset()
        self.wait = 0
        self.best_epoch = -1
        self.stopped_epoch = -1
        self.best_weights = None

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        current = self._tracker.value(logs, "EarlyStopping")
        if epoch < self.start_from_epoch or not math.isfinite(current):
            return
        self.wait += 1
        if self._tracker.improved(current):
            self._tracker.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self._model().get_weights()
            if self.baseline is None or self._tracker.improved(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            self._model().stop_training = True

    def on_train_end(self, logs: Logs | None = None) -> None:
        if self.restore_best_weights and self.best_weights is not None:
            self._model().set_weights(self.best_weights)
            if self.verbose:
                print(f"EarlyStopping: restored the weights of epoch {self.best_epoch + 1}")
        if self.verbose and self.stopped_epoch >= 0:
            print(f"EarlyStopping: stopped after epoch {self.stopped_epoch + 1}")

    def __repr__(self) -> str:
        return (
            f"EarlyStopping(monitor={self.monitor!r}, patience={self.patience}, "
            f"min_delta={self._tracker.min_delta:g}, "
            f"restore_best_weights={self.restore_best_weights})"
        )


class ModelCheckpoint(Callback):
    """Save the model to ``filepath`` after every epoch, or only when ``monitor`` improves.

    ``filepath`` may contain ``{epoch}`` and any logged quantity, e.g.
    ``"ckpt-{epoch:03d}-{val_loss:.4f}.ffnn"``. Files are written with :func:`ffnn.save`
    (atomic: a crash never leaves a half-written file in place), with the optimizer state so
    that training can resume from them.
    """

    def __init__(
        self,
        filepath: str | os.PathLike[str],
        monitor: str = "val_loss",
        save_best_only: bool = False,
        mode: str = "auto",
        verbose: int = 0,
    ) -> None:
        super().__init__()
        self.filepath = check_path(filepath, "filepath")
        self.monitor = monitor
        self.save_best_only = check_bool(save_best_only, "save_best_only")
        self._tracker = _Monitor(monitor, mode, 0.0)
        self.verbose = verbose
        self.last_saved: str | None = None

    def on_train_begin(self, logs: Logs | None = None) -> None:
        self._tracker.reset()

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        logs = dict(logs or {})
        if self.save_best_only:
            current = self._tracker.value(logs, "ModelCheckpoint")
            if not self._tracker.improved(current):
                return
            self._tracker.best = current
        path = self.filepath.format(epoch=epoch + 1, **logs)
        self._model().save(path, include_optimizer=True)
        self.last_saved = path
        if self.verbose:
            print(f"ModelCheckpoint: saved {path}")

    def __repr__(self) -> str:
        return (
            f"ModelCheckpoint({self.filepath!r}, monitor={self.monitor!r}, "
            f"save_best_only={self.save_best_only})"
        )


class ReduceLROnPlateau(Callback):
    """Multiply the learning rate by ``factor`` when ``monitor`` has not improved by more than
    ``min_delta`` for ``patience`` epochs; then wait ``cooldown`` epochs; never below
    ``min_lr``. Keras' defaults."""

    def __init__(
        self,
        monitor: str = "val_loss",
        factor: float = 0.1,
        patience: int = 10,
        mode: str = "auto",
        min_delta: float = 1e-4,
        cooldown: int = 0,
        min_lr: float = 0.0,
        verbose: int = 0,
    ) -> None:
        super().__init__()
        if not 0 < check_positive_float(factor, "factor") < 1:
            raise ValueError(f"factor must be in (0, 1), got {factor}")
        self._tracker = _Monitor(monitor, mode, min_delta)
        self.monitor = monitor
        self.factor = float(factor)
        self.patience = check_non_negative_int(patience, "patience")
        self.cooldown = check_non_negative_int(cooldown, "cooldown")
        self.min_lr = check_non_negative_float(min_lr, "min_lr")
        self.verbose = verbose

    def on_train_begin(self, logs: Logs | None = None) -> None:
        self._tracker.reset()
        self.wait = 0
        self.cooldown_counter = 0

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        current = self._tracker.value(logs, "ReduceLROnPlateau")
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self._tracker.improved(current):
            self._tracker.best = current
            self.wait = 0
            return
        if self.cooldown_counter > 0:
            return
        self.wait += 1
        if self.wait >= self.patience:
            optimizer = self._optimizer()
            old = optimizer.learning_rate
            new = max(old * self.factor, self.min_lr)
            if new < old:
                optimizer.learning_rate = new
                if self.verbose:
                    print(f"ReduceLROnPlateau: learning rate {old:g} -> {new:g}")
            self.cooldown_counter = self.cooldown
            self.wait = 0

    def __repr__(self) -> str:
        return (
            f"ReduceLROnPlateau(monitor={self.monitor!r}, factor={self.factor:g}, "
            f"patience={self.patience})"
        )


class LearningRateScheduler(Callback):
    """Set the optimizer's learning rate at the start of every epoch to
    ``schedule(epoch, current_learning_rate)``: an :mod:`ffnn.schedules` schedule or any
    function of that form. The rate used is logged as ``learning_rate``."""

    def __init__(self, schedule: Callable[[int, float], float], verbose: int = 0) -> None:
        super().__init__()
        if not callable(schedule):
            raise TypeError(f"schedule must be callable, got {type(schedule).__name__}")
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        optimizer = self._optimizer()
        rate = self.schedule(epoch, optimizer.learning_rate)
        optimizer.learning_rate = check_positive_float(rate, "the scheduled learning rate")
        if self.verbose:
            print(f"LearningRateScheduler: epoch {epoch + 1}, learning rate {rate:g}")

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        if logs is not None:
            logs["learning_rate"] = self._optimizer().learning_rate

    def __repr__(self) -> str:
        return f"LearningRateScheduler({self.schedule!r})"


class CSVLogger(Callback):
    """Append one row per epoch (``epoch`` and every logged quantity) to a CSV file.

    Each row is flushed as it is written, so the file is complete up to the last finished
    epoch even if the process dies. ``append=False`` starts a new file.
    """

    def __init__(
        self, filename: str | os.PathLike[str], separator: str = ",", append: bool = False
    ) -> None:
        super().__init__()
        self.filename = check_path(filename, "filename")
        if not isinstance(separator, str):
            raise TypeError(f"separator must be a str, got {type(separator).__name__}")
        if len(separator) != 1:
            raise ValueError(f"separator must be one character, got {separator!r}")
        self.separator = separator
        self.append = check_bool(append, "append")
        self._file: Any = None
        self._writer: Any = None
        self._keys: list[str] | None = None

    def on_train_begin(self, logs: Logs | None = None) -> None:
        has_rows = self.append and os.path.exists(self.filename)
        if has_rows:
            with open(self.filename, newline="") as existing:
                header = next(csv.reader(existing, delimiter=self.separator), None)
            self._keys = header[1:] if header else None
        else:
            self._keys = None
        self._file = open(self.filename, "a" if self.append else "w", newline="")  # noqa: SIM115
        self._writer = csv.writer(self._file, delimiter=self.separator)

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        logs = logs or {}
        if self._keys is None:
            self._keys = list(logs)
            self._writer.writerow(["epoch", *self._keys])
        self._writer.writerow([epoch, *(logs.get(key, "") for key in self._keys)])
        self._file.flush()

    def on_train_end(self, logs: Logs | None = None) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def __repr__(self) -> str:
        return f"CSVLogger({self.filename!r})"
