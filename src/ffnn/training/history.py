"""What a training run leaves behind: :class:`History`, and the divergence error and warning."""

from __future__ import annotations

from typing import Any

__all__ = ["History", "TrainingDivergedError", "TrainingDivergedWarning"]


class History:
    """What happened in each epoch: ``history["loss"]``, ``history["val_loss"]``, ... (as Keras).

    Attributes
    ----------
    history : dict from a name to one float per epoch run.
    epoch : the epoch indices run, from 0 (or from ``initial_epoch``).
    params : the settings of the run (epochs, batch size, number of samples, ...).
    stopped_by : ``None`` when all epochs ran; else ``"callback"`` (a callback set
        ``model.stop_training``, scikit-learn's convergence rule included), ``"divergence"``
        or ``"interrupt"`` (Ctrl-C).
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

    def extend(self, other: History) -> None:
        """Append the epochs of ``other`` (a later run of the same model) and its stop reason."""
        for position, epoch in enumerate(other.epoch):
            logs = {k: v[position] for k, v in other.history.items() if position < len(v)}
            self.record(epoch, logs)
        self.stopped_by = other.stopped_by

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
