"""Training in the background with ffnn's own loop, one step at a time when asked.

:class:`Trainer` is an ffnn :class:`~ffnn.callbacks.Callback`. Its thread runs ``model.fit``
(the one training loop), :data:`CHUNK_EPOCHS` epochs at a time, as long as the run goes; the
trainer decides, before every optimizer step, whether the step may run:

- ``on_train_begin`` (before the first step) and ``on_batch_end`` (after each step) wait on a
  condition until the run is playing, or a single step was asked for ("one step": exactly one
  batch goes through), or the run is stopped (reset, new settings): then the callback raises
  :class:`Stopped`, which ends ``fit`` in the middle of an epoch, the weights as the last
  step left them.
- while a step runs the trainer holds :attr:`Trainer.lock`; a frame copies the weights under
  it, so it never sees half an update, and the lock is free while the thread waits.

After a step, at the steps the :class:`Curve` keeps, the losses on the training and test
points are measured (full batch, inference mode). A non-finite training loss pauses the run
and marks it diverged.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from ffnn.callbacks import Callback, Logs
from ffnn.model import Sequential
from ffnn.training.history import TrainingDivergedError

__all__ = ["Curve", "Stopped", "Trainer"]

#: the thread calls ``fit`` for this many epochs at a time, again and again, so that the
#: History ``fit`` returns stays small however long the run plays (at an epoch's end a new
#: ``fit`` goes on exactly as the same ``fit`` would: the batches come from ``model.rng``, the
#: optimizer keeps its state)
CHUNK_EPOCHS = 1000
#: the steps kept are the multiples of a stride from this list; the curve keeps at most
#: MAX_POINTS points and moves to the next stride when full (multiples of 100, the tutorial's
#: printed losses, stay until stride 200)
STRIDES = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 100000, 1000000)
MAX_POINTS = 4000
#: the longest the thread steps aside for one request, in seconds
VISIT_S = 0.05

Losses = Callable[[], tuple[float, float | None]]


class Stopped(Exception):
    """Raised inside ``fit`` by the trainer to end a run that was reset or replaced."""


class Curve:
    """The training and test losses at steps ``0, s, 2s, ...`` (``s`` the stride)."""

    def __init__(self) -> None:
        self.stride_index = 0
        self.steps: list[int] = []
        self.train: list[float] = []
        self.test: list[float | None] = []

    @property
    def stride(self) -> int:
        return STRIDES[self.stride_index]

    def wants(self, step: int) -> bool:
        return step % self.stride == 0

    def add(self, step: int, train: float, test: float | None) -> None:
        self.steps.append(step)
        self.train.append(train)
        self.test.append(test)
        if len(self.steps) > MAX_POINTS and self.stride_index + 1 < len(STRIDES):
            self.stride_index += 1
            keep = [i for i, s in enumerate(self.steps) if s % self.stride == 0]
            self.steps = [self.steps[i] for i in keep]
            self.train = [self.train[i] for i in keep]
            self.test = [self.test[i] for i in keep]

    def copy(self) -> Curve:
        other = Curve()
        other.stride_index = self.stride_index
        other.steps, other.train, other.test = list(self.steps), list(self.train), list(self.test)
        return other


class Trainer(Callback):
    """One training run of ``model`` on ``(X, y)`` in a background thread.

    ``fit_arguments`` go to ``model.fit`` (loss, optimizer, batch_size); ``losses()`` measures
    ``(train loss, test loss or None)`` of the model's current weights; ``steps_per_epoch``
    turns steps into epochs.
    """

    def __init__(
        self,
        model: Sequential,
        X: np.ndarray,
        y: np.ndarray,
        fit_arguments: dict[str, Any],
        losses: Losses,
        steps_per_epoch: int,
    ) -> None:
        super().__init__()
        self.network, self.X, self.y = model, X, y
        self.fit_arguments, self.losses = fit_arguments, losses
        self.steps_per_epoch = steps_per_epoch
        self.lock = threading.Lock()  # held by the thread while a step changes the weights
        self.condition = threading.Condition()  # guards the fields below
        self.playing = False
        self.budget = 0  # single steps asked for
        self.stopping = False
        self.step = 0
        self.diverged = False
        self.message = ""
        self.thread: threading.Thread | None = None
        self.waiting = False  # whether the thread waits at the gate
        self.visitors = 0  # requests being answered that the thread steps aside for
        self.holding = False  # whether the thread holds `lock` (only the thread reads it)
        self.curve = Curve()
        self._record(0)

    # -- the session's side -------------------------------------------------------------
    @property
    def epoch(self) -> int:
        return self.step // self.steps_per_epoch

    def _start(self) -> None:
        if self.thread is None:
            self.thread = threading.Thread(target=self._run, name="ffnn-playground", daemon=True)
            self.thread.start()

    def play(self) -> None:
        with self.condition:
            if self.diverged:
                return
            self.playing = True
            self._start()
            self.condition.notify_all()

    def pause(self, timeout: float = 10.0) -> None:
        """Stop playing and wait until the step in flight is done (the step reported is the
        step the weights are at)."""
        with self.condition:
            self.playing = False
            self.budget = 0
            alive = self.thread is not None and self.thread.is_alive()
            if alive:
                self.condition.wait_for(lambda: self.waiting or self.diverged, timeout)

    def one_step(self, timeout: float = 10.0) -> None:
        """Let exactly one step through (the run paused) and wait until it is done."""
        with self.condition:
            if self.diverged:
                return
            self.playing = False
            target = self.step + 1
            self.budget = 1
            self._start()
            self.condition.notify_all()
            self.condition.wait_for(
                lambda: self.step >= target or self.diverged or self.stopping, timeout
            )

    def stop(self, timeout: float = 10.0) -> None:
        """End the run: the thread leaves ``fit`` at its next step boundary."""
        with self.condition:
            self.stopping = True
            self.condition.notify_all()
        if self.thread is not None:
            self.thread.join(timeout)

    @contextmanager
    def stepping_aside(self) -> Iterator[None]:
        """While inside, the thread waits between two steps (at most :data:`VISIT_S`): a
        frame is made and sent without sharing the interpreter with training (Python runs
        one thread at a time, and hands over only every few milliseconds)."""
        with self.condition:
            self.visitors += 1
        try:
            yield
        finally:
            with self.condition:
                self.visitors -= 1
                self.condition.notify_all()

    def wait_for_step(self, step: int, timeout: float = 30.0) -> bool:
        """Wait until the run has reached ``step`` (or diverged); whether it has."""
        with self.condition:
            return (
                self.condition.wait_for(lambda: self.step >= step or self.diverged, timeout)
                and self.step >= step
            )

    def run_state(self) -> dict[str, Any]:
        with self.condition:
            return {
                "state": "playing" if self.playing else "paused",
                "step": self.step,
                "epoch": self.epoch,
                "diverged": self.diverged,
                "message": self.message,
            }

    # -- the training thread's side -----------------------------------------------------
    def _run(self) -> None:
        try:
            epoch = 0
            while True:
                self.network.fit(
                    self.X,
                    self.y,
                    initial_epoch=epoch,
                    epochs=epoch + CHUNK_EPOCHS,
                    callbacks=[self],
                    verbose=0,
                    on_divergence="raise",
                    **self.fit_arguments,
                )
                epoch += CHUNK_EPOCHS
        except Stopped:
            pass
        except TrainingDivergedError as error:
            self._diverge(f"training diverged: {error}")
        except Exception as error:  # noqa: BLE001 - the page shows it; the server goes on
            self._diverge(f"training stopped: {type(error).__name__}: {error}")
        finally:
            with self.condition:
                self.waiting = True  # nothing runs any more
                self.condition.notify_all()
            if self.holding:
                self.holding = False
                self.lock.release()

    def _diverge(self, message: str) -> None:
        with self.condition:
            self.diverged, self.playing, self.budget = True, False, 0
            self.message = message
            self.condition.notify_all()

    def _record(self, step: int) -> None:
        if self.curve.wants(step):
            train, test = self.losses()
            self.curve.add(step, train, test)
            if not math.isfinite(train):
                self._diverge(
                    f"the training loss is not finite after step {step}: the learning rate "
                    "is too large for this network; lower it and reset"
                )

    def _gate(self) -> None:
        """Wait until the next step may run; then hold the lock for it."""
        if self.holding:
            self.holding = False
            self.lock.release()
        with self.condition:
            if self.visitors:  # a frame is being made: let it have the interpreter
                self.condition.wait_for(lambda: not self.visitors or self.stopping, VISIT_S)
            while True:
                if self.stopping:
                    raise Stopped
                if self.playing and not self.diverged:
                    break
                if self.budget > 0 and not self.diverged:
                    self.budget -= 1
                    break
                self.waiting = True
                self.condition.notify_all()
                self.condition.wait()
                self.waiting = False
        self.lock.acquire()
        self.holding = True

    def on_train_begin(self, logs: Logs | None = None) -> None:
        if not self.holding:  # a later fit of the run: the last step's gate let this one in
            self._gate()

    def on_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        step = self.step + 1
        self._record(step)
        with self.condition:
            self.step = step
            self.condition.notify_all()
        self._gate()
