"""The decision boundary while a network trains: snapshots during ``fit``, then a GIF.

Two steps, as a Keras or PyTorch user would expect: a callback records the predicted
probabilities over a fixed grid every ``every`` epochs (the grid, not copies of the model, so
memory stays small and bounded), and a function draws one frame per snapshot and writes them
as a GIF with matplotlib's ``PillowWriter`` (one draw per frame)::

    recorder = DecisionBoundaryRecorder(X, y, every=10)
    model.fit(X, y, loss="binary_cross_entropy", epochs=300, callbacks=[recorder])
    save_decision_boundary_animation(recorder, "training.gif")
"""

from __future__ import annotations

import math
import numbers
import os
from pathlib import Path
from typing import Any

import numpy as np

from ffnn._checks import check_non_negative_int, check_positive_float, check_positive_int
from ffnn.callbacks import Callback, Logs
from ffnn.plotting._base import DPI, FIGSIZE, _pyplot, _write_then_replace
from ffnn.plotting.boundary import (
    Predictor,
    _check_points,
    _check_resolution,
    _draw_grid,
    _grid,
    _probability_grid,
)

__all__ = ["DecisionBoundaryRecorder", "save_decision_boundary_animation"]

LOG_GROWTH = 1.2  # every="log": each epoch recorded at least 1.2 times the one before
MAX_FPS = 50  # GIF frame times are whole hundredths of a second: 2 at least


class DecisionBoundaryRecorder(Callback):
    """A callback that keeps the predicted probabilities over a grid every ``every`` epochs.

    At the end of each epoch whose number (from 1) is a multiple of ``every`` (or, with
    ``every="log"``, is one of 1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 18, ...: each at least
    ``LOG_GROWTH`` = 1.2 times the one before, for runs whose boundary moves early and settles
    later), and at the end of training (the final state), it evaluates ``model.predict_proba`` on a
    ``resolution x resolution`` grid covering ``X`` (padded by 10% of its span) and stores the
    result as float32: P(class 1) ``(resolution, resolution)`` for one output,
    ``(resolution, resolution, K)`` for K classes. That is ``4 · resolution² · K`` bytes per
    snapshot (40 KB at the default 100 x 100, binary), never a copy of the model.

    Memory is bounded: when ``max_frames`` snapshots are held and another is due, every other
    one is dropped and ``every`` doubles (the log spacing's growth squares), so a long run keeps
    snapshots of its whole course.

    Parameters
    ----------
    X : (n_samples, 2) points: they fix the grid, and are drawn in every frame.
    y : (n_samples,) or (n_samples, 1) class labels, or (n_samples, K) one-hot rows.
    every : record every this many epochs (an int >= 1), or ``"log"``.
    resolution : grid points along each axis (>= 2).
    max_frames : the most snapshots kept (>= 2).

    Attributes
    ----------
    epochs : list[int], the epoch (from 1) of each snapshot.
    losses : list[float], the training loss logged for that epoch (NaN when none was).
    probabilities : list of float32 arrays ``(resolution, resolution)`` or
        ``(resolution, resolution, K)``, one per snapshot.
    xx, yy : (resolution, resolution) the grid's coordinates (``np.meshgrid``).
    """

    def __init__(
        self,
        X: Any,
        y: Any,
        every: int | str = 1,
        resolution: int = 100,
        max_frames: int = 100,
    ) -> None:
        super().__init__()
        self.X, self.labels = _check_points(X, y, "DecisionBoundaryRecorder")
        if isinstance(every, str) and every != "log":
            raise ValueError(f"every must be a positive int or 'log', got {every!r}")
        self.every: int | str = every if every == "log" else check_positive_int(every, "every")
        self._growth = LOG_GROWTH
        self._next_epoch = 1  # the next epoch due, for every="log"
        self.resolution = _check_resolution(resolution)
        self.max_frames = check_positive_int(max_frames, "max_frames")
        if self.max_frames < 2:
            raise ValueError(f"max_frames must be at least 2, got {self.max_frames}")
        self.xx, self.yy = _grid(self.X, self.resolution)
        self.epochs: list[int] = []
        self.losses: list[float] = []
        self.probabilities: list[np.ndarray] = []
        self._last_epoch: tuple[int, float] | None = None  # (epoch, loss) of the latest epoch

    def record(self, predictor: Predictor, epoch: int, loss: float = math.nan) -> None:
        """Add a snapshot of ``predictor`` over the grid (during ``fit`` the callback does this).

        Also for a training loop of your own, e.g. the tutorial's:
        ``recorder.record(lambda P: forward_propagation(P, params)[0], i, loss)``.

        Parameters
        ----------
        predictor : a fitted model (``predict_proba``) or a callable, as for
            :func:`~ffnn.plotting.plot_decision_boundary`.
        epoch : the epoch (or iteration) shown in the frame's title, an int >= 0.
        loss : the loss shown beside it; NaN for none.
        """
        epoch = check_non_negative_int(epoch, "epoch")
        if not isinstance(loss, numbers.Real) or isinstance(loss, bool):
            raise TypeError(f"loss must be a number, got {type(loss).__name__} {loss!r}")
        grid = _probability_grid(predictor, self.xx, self.yy).astype(np.float32)
        if self.probabilities and grid.shape != self.probabilities[0].shape:
            raise ValueError(
                f"the predictor gives grids of shape {grid.shape}, but the recorded ones have "
                f"shape {self.probabilities[0].shape}: one recorder per network"
            )
        if len(self.probabilities) >= self.max_frames:
            self._thin()
        self.epochs.append(epoch)
        self.losses.append(float(loss))
        self.probabilities.append(grid)

    def _thin(self) -> None:
        """Drop every other snapshot, keeping the 2nd, 4th, ...: the multiples of the doubled
        interval."""
        for kept in (self.epochs, self.losses, self.probabilities):
            del kept[::2]
        if isinstance(self.every, int):
            self.every *= 2
        self._growth *= self._growth

    def _due(self, number: int) -> bool:
        if isinstance(self.every, int):
            return number % self.every == 0
        return number >= self._next_epoch

    def __len__(self) -> int:
        return len(self.probabilities)

    def on_train_begin(self, logs: Logs | None = None) -> None:
        self._last_epoch = None

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        number = epoch + 1  # as fit prints it
        loss = float((logs or {}).get("loss", math.nan))
        self._last_epoch = (number, loss)
        if self._due(number) and len(self) >= self.max_frames:
            self._thin()  # first, so that the doubled interval decides whether this one is due
        if self._due(number):
            self.record(self._model(), number, loss)
            self._next_epoch = max(number + 1, math.ceil(number * self._growth))

    def on_train_end(self, logs: Logs | None = None) -> None:
        # The final state, unless that epoch was just recorded (or no epoch finished).
        last = self._last_epoch
        if last is not None and (not self.epochs or self.epochs[-1] != last[0]):
            self.record(self._model(), *last)

    def __repr__(self) -> str:
        return (
            f"DecisionBoundaryRecorder(every={self.every}, resolution={self.resolution}, "
            f"max_frames={self.max_frames}, snapshots={len(self)})"
        )


def _frame_title(title: str, epoch: int, loss: float) -> str:
    if math.isnan(loss):
        return f"{title}, epoch {epoch}"
    return f"{title}, epoch {epoch}, loss {loss:.4f}"


def save_decision_boundary_animation(
    recorder: DecisionBoundaryRecorder,
    path: str | os.PathLike[str],
    *,
    fps: int = 5,
    figsize: tuple[float, float] = FIGSIZE,
    title: str = "Decision Boundary",
) -> Path:
    """Write the recorder's snapshots as an animated GIF, one frame each, looping.

    Every frame is drawn as :func:`~ffnn.plotting.plot_decision_boundary` draws (the same
    grid, the same fixed colour scale of P(class 1) or class colours, the same points), with
    the epoch and the loss in its title, on a figure of one fixed size: ``figsize`` at 100 dpi,
    640 x 480 pixels by default. The file is written whole or not at all (a temporary file
    beside it, then renamed).

    Parameters
    ----------
    recorder : a :class:`DecisionBoundaryRecorder` that has recorded at least one snapshot.
    path : where to write; must end in ``.gif``. Parent folders are created.
    fps : frames per second, an int from 1 to 50.
    figsize : (width, height) in inches, each > 0.
    title : the start of every frame's title.

    Returns
    -------
    ``path`` as a :class:`pathlib.Path`.
    """
    if not isinstance(recorder, DecisionBoundaryRecorder):
        raise TypeError(
            f"recorder must be a DecisionBoundaryRecorder, got {type(recorder).__name__}"
        )
    if not len(recorder):
        raise ValueError(
            "recorder must hold at least 1 snapshot, got 0: pass it to fit(..., "
            "callbacks=[recorder]) first"
        )
    target = Path(path)
    if target.suffix.lower() != ".gif":
        raise ValueError(f"path must end in .gif, got {os.fspath(path)!r}")
    fps = check_positive_int(fps, "fps")
    if fps > MAX_FPS:
        raise ValueError(f"fps must be at most {MAX_FPS} (a GIF's shortest frame), got {fps}")
    width, height = _check_figsize(figsize)

    plt = _pyplot()
    from matplotlib.animation import PillowWriter

    fig, ax = plt.subplots(figsize=(width, height), layout="constrained")

    def draw(frame: int) -> Any:
        ax.clear()
        filled = _draw_grid(
            ax, recorder.xx, recorder.yy, recorder.probabilities[frame], recorder.X, recorder.labels
        )
        ax.set_title(_frame_title(title, recorder.epochs[frame], recorder.losses[frame]))
        return filled

    def write(temporary: Path) -> None:
        writer = PillowWriter(fps=fps)
        with writer.saving(fig, temporary, DPI):
            for frame in range(len(recorder)):
                draw(frame)
                writer.grab_frame()  # draws the figure once, into the writer's list of frames

    try:
        filled = draw(0)
        if filled is not None:  # one colour bar for all frames: their levels are the same
            fig.colorbar(filled, ax=ax, label="P(class 1)")
        # The layout of the first frame serves them all: the same positions in every frame,
        # and no layout pass per frame.
        fig.canvas.draw()
        fig.set_layout_engine("none")
        _write_then_replace(target, write)
    finally:
        plt.close(fig)
    return target


def _check_figsize(figsize: Any) -> tuple[float, float]:
    if not isinstance(figsize, tuple | list) or len(figsize) != 2:
        raise TypeError(f"figsize must be (width, height) in inches, got {figsize!r}")
    return (
        check_positive_float(figsize[0], "figsize[0]"),
        check_positive_float(figsize[1], "figsize[1]"),
    )
