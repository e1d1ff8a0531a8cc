"""What ``fit(verbose=...)`` shows while it trains: one call per finished epoch, none per batch.

- ``verbose=0``: nothing (:class:`Silent`).
- ``verbose=1``, on ``sys.stderr``: when it is a terminal (``isatty()``), one tqdm line for
  the whole run (:class:`EpochBar`), advanced once per epoch, its postfix the latest loss,
  ``val_loss`` and metrics, fitted to the terminal's width; when it is not (a file, a pipe, a
  notebook), plain lines (:class:`EpochLines`) for the first epoch, every ``k``-th epoch (``k``
  chosen so that a run prints about ten lines) and the last epoch run.
- ``verbose=2``: one line per epoch on ``sys.stdout`` (:class:`EveryEpoch`), as before.

The streams are looked up when the run starts (so a redirection made before ``fit`` counts).
"""

from __future__ import annotations

import math
import os
import shutil
import sys
from typing import IO, Any

__all__ = [
    "EpochBar",
    "EpochLines",
    "EveryEpoch",
    "Progress",
    "Silent",
    "plain_number",
    "progress_for",
    "terminal_width",
]

#: A run with the display of ``verbose=1`` and no terminal prints about this many lines.
PIPED_LINES = 10
#: The least room left for the bar itself; the postfix drops values before squeezing it more.
MIN_BAR = 5
#: Room for the ``elapsed<remaining`` part of the line and the comma after it
#: (``" 1:23:45<2:34:56, "``).
TIME_WIDTH = 18


class Progress:
    """The display of one run: :meth:`epoch_end` after every finished epoch, :meth:`close`
    once at the end (also after an early stop, a divergence or Ctrl-C); a context manager
    that closes on exit. This base class shows nothing."""

    def epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        """Epoch ``epoch`` (0-based) finished with ``logs``."""

    def close(self) -> None:
        """End the display (idempotent)."""

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Silent(Progress):
    """``verbose=0``."""


class EveryEpoch(Progress):
    """``verbose=2``: ``Epoch 3/10 - loss: 0.5660 - accuracy: 0.8375`` after every epoch,
    printed to ``sys.stdout`` as it is then."""

    def __init__(self, epochs: int) -> None:
        self.epochs = epochs

    def epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        shown = " - ".join(f"{k}: {v:.4f}" for k, v in logs.items())
        print(f"Epoch {epoch + 1}/{self.epochs} - {shown}")


def plain_number(value: float) -> str:
    """A value for a progress line: 4 decimals in [0.001, 1e6) (and for 0), else 4 digits in
    scientific notation (``1.2346e-05``); ``nan`` and ``inf`` as Python writes them."""
    size = abs(value)
    if value == 0 or (1e-3 <= size < 1e6) or not math.isfinite(value):
        return f"{value:.4f}"
    return f"{value:.4e}"


def _short_number(value: float) -> str:
    """A value for the bar, as few characters as 4 significant digits allow (``0.1234``,
    ``1235``, ``1.2e-05``)."""
    return f"{value:.4g}"


def _line(epoch: int, epochs: int, logs: dict[str, float]) -> str:
    shown = "".join(f" - {name} {plain_number(value)}" for name, value in logs.items())
    return f"Epoch {epoch + 1}/{epochs}{shown}"


class EpochLines(Progress):
    """Plain lines ``Epoch 10/200 - loss 0.1234 - val_loss 0.2345 - accuracy 0.9500``: for
    the first epoch run, every ``every``-th epoch (counted from 1) and the last one of the
    budget; :meth:`close` adds the last epoch run when it was not shown (a run stopped early).
    """

    def __init__(self, stream: IO[str], epochs: int, initial_epoch: int, every: int) -> None:
        self.stream, self.epochs, self.initial_epoch, self.every = (
            stream,
            epochs,
            initial_epoch,
            every,
        )
        self.pending = ""  # the line of the last epoch run, when it was not printed

    def epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        line = _line(epoch, self.epochs, logs)
        number = epoch + 1
        if epoch == self.initial_epoch or number % self.every == 0 or number == self.epochs:
            self._write(line)
            self.pending = ""
        else:
            self.pending = line

    def close(self) -> None:
        if self.pending:
            self._write(self.pending)
            self.pending = ""

    def _write(self, line: str) -> None:
        self.stream.write(line + "\n")
        self.stream.flush()


def terminal_width(stream: IO[str]) -> int:
    """The width of the terminal ``stream`` writes to: ``COLUMNS`` when set to a positive
    number, else the terminal's own size, else (no size known, or 0, as a pseudo-terminal
    nobody sized reports) :func:`shutil.get_terminal_size`'s answer (80 by default)."""
    try:
        columns = int(os.environ.get("COLUMNS", ""))
        if columns > 0:
            return columns
    except ValueError:
        pass
    try:
        columns = os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, ValueError, OSError):  # io.UnsupportedOperation is an OSError
        columns = 0
    return columns if columns > 0 else shutil.get_terminal_size().columns


class EpochBar(Progress):
    """One tqdm line for the run: ``Epoch 37/200 |████      | 00:03<00:12, loss 0.1234,
    val_loss 0.2345``. The postfix holds the values that fit in the terminal's width (taken
    again every epoch): loss, then val_loss, then the others (:meth:`postfix`). The bar stays
    where the run stopped."""

    def __init__(self, stream: IO[str], epochs: int, initial_epoch: int) -> None:
        from tqdm import tqdm  # the core's one third-party import besides NumPy, and lazy

        self.stream, self.epochs = stream, epochs
        self.width = terminal_width(stream)
        self.bar: Any = tqdm(
            total=epochs,
            initial=initial_epoch,
            file=stream,
            ncols=self.width,
            # tqdm takes -1 rows from a terminal nobody sized, and then shows nothing
            nrows=max(2, shutil.get_terminal_size().lines),
            leave=True,
            bar_format="Epoch {n_fmt}/{total_fmt} |{bar}| {elapsed}<{remaining}{postfix}",
        )
        self.closed = False

    def postfix(self, logs: dict[str, float], width: int) -> str:
        """The ``name value`` pairs of ``logs`` that fit in ``width`` columns beside the rest
        of the line, joined by ``", "``: ``loss`` first, then ``val_loss``, then the others in
        their order (``loss`` always, even when it does not fit: tqdm then trims the line to
        the width)."""
        room = width - len(f"Epoch {self.epochs}/{self.epochs} ||") - TIME_WIDTH - MIN_BAR
        names = sorted(logs, key=lambda name: {"loss": 0, "val_loss": 1}.get(name, 2))
        shown: list[str] = []
        used = -2  # no ", " before the first
        for name in names:
            item = f"{name} {_short_number(logs[name])}"
            if shown and used + 2 + len(item) > room:
                break
            shown.append(item)
            used += 2 + len(item)
        return ", ".join(shown)

    def epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        self.width = self.bar.ncols = terminal_width(self.stream)
        self.bar.set_postfix_str(self.postfix(logs, self.width), refresh=False)
        self.bar.update(1)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.bar.close()


def progress_for(verbose: int, epochs: int, initial_epoch: int = 0) -> Progress:
    """The display of a run of epochs ``initial_epoch .. epochs - 1`` at ``verbose``."""
    if verbose <= 0:
        return Silent()
    if verbose >= 2:
        return EveryEpoch(epochs)
    stream = sys.stderr
    isatty = getattr(stream, "isatty", None)
    if isatty is not None and isatty():
        return EpochBar(stream, epochs, initial_epoch)
    every = max(1, math.ceil((epochs - initial_epoch) / PIPED_LINES))
    return EpochLines(stream, epochs, initial_epoch, every)
