"""Training curves: the loss, and every metric a :class:`ffnn.History` recorded, per epoch."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ffnn.plotting._base import _axes_grid, _axes_or_new
from ffnn.training import History

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_loss_curve", "plot_history"]

PANEL_SIZE = (4.8, 3.6)  # inches per panel of plot_history


def _epoch_numbers(history: History, values: Sequence[float]) -> np.ndarray:
    """The epochs as ``fit`` prints them (from 1; resumed runs go on from where they were)."""
    if len(history.epoch) == len(values):
        return np.asarray(history.epoch) + 1
    return np.arange(1, len(values) + 1)


def _draw_quantity(ax: Axes, history: History, name: str, label: str | None = None) -> None:
    """``history[name]`` and, when recorded, ``history["val_" + name]`` against the epoch."""
    values = history.history.get(name, [])
    ax.plot(_epoch_numbers(history, values), values, label=label or f"training {name}")
    validation = history.history.get(f"val_{name}")
    if validation:
        ax.plot(_epoch_numbers(history, validation), validation, label=f"validation {name}")
    ax.legend(loc="best")
    ax.grid(alpha=0.3)
    from matplotlib.ticker import MaxNLocator  # loaded already: ax is a matplotlib Axes

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole: no tick at 2.5


def plot_loss_curve(
    losses: Sequence[float] | np.ndarray | History,
    ax: Axes | None = None,
    title: str = "Training Loss Curve",
    xlabel: str | None = None,
    ylabel: str = "Loss",
    label: str | None = None,
) -> Axes:
    """The loss against training progress.

    ``losses`` is either the tutorial's list (one loss per 100 iterations, plotted against its
    index as ``plt.plot(losses)`` does; x label "Iteration (per 100)"), or an
    :class:`ffnn.History`: ``history["loss"]`` and, when recorded, ``history["val_loss"]``
    against the epoch number from 1 (x label "Epoch"), with a legend. For the metrics too
    (accuracy, ...), one panel each, see :func:`plot_history`.

    Parameters
    ----------
    losses : a sequence of floats ``(n_recorded,)``, or a History.
    ax : the Axes to draw on; a new figure when ``None``.
    title, xlabel, ylabel : the Axes texts; ``xlabel=None`` picks the default described above.
    label : legend label of the curve (of the training curve for a History); a legend is drawn
        when given.

    Returns
    -------
    The Axes drawn on.
    """
    if not isinstance(losses, History):
        try:
            values = np.asarray(losses)
        except ValueError:  # nested sequences of different lengths
            values = np.asarray(None)
        if values.ndim != 1 or values.dtype.kind not in "biuf":
            raise TypeError(
                "losses must be a History or a flat sequence of numbers, got "
                f"{type(losses).__name__} (dtype {values.dtype}, shape {values.shape})"
            )
    ax = _axes_or_new(ax)
    if isinstance(losses, History):
        _draw_quantity(ax, losses, "loss", label or "training loss")
        default_xlabel = "Epoch"
    else:
        ax.plot(values.astype(np.float64), label=label)
        if label is not None:
            ax.legend(loc="best")
        ax.grid(alpha=0.3)
        default_xlabel = "Iteration (per 100)"
    ax.set_title(title)
    ax.set_xlabel(default_xlabel if xlabel is None else xlabel)
    ax.set_ylabel(ylabel)
    return ax


def plot_history(
    history: History, names: Sequence[str] | None = None, axes: Any = None
) -> np.ndarray:
    """Training and validation curves of a :class:`ffnn.History`, one panel per quantity.

    Each panel draws ``history[name]`` ("training <name>") and, when ``fit`` had validation
    data, ``history["val_<name>"]`` ("validation <name>") against the epoch number from 1, as
    :func:`plot_loss_curve` draws the loss; the loss panel is exactly that picture.

    Parameters
    ----------
    history : what ``model.fit`` returned.
    names : the quantities to draw, e.g. ``["loss", "accuracy"]``; by default every recorded
        one without the ``val_`` prefix, the loss first.
    axes : ``len(names)`` Axes to draw on (any array-like of them); a new figure with one
        4.8 x 3.6 in panel per quantity, side by side, when ``None``.

    Returns
    -------
    The Axes drawn on, a NumPy object array ``(len(names),)`` in the order of ``names``.
    """
    if not isinstance(history, History):
        raise TypeError(
            f"history must be an ffnn History (what fit returns), got {type(history).__name__}"
        )
    recorded = [name for name in history.history if not name.startswith("val_")]
    if not recorded or not len(history):
        raise ValueError("history must hold at least one epoch, got an empty History")
    if names is None:
        names = sorted(recorded, key=lambda name: name != "loss")  # stable: loss first
    elif isinstance(names, str) or not all(isinstance(name, str) for name in names):
        raise TypeError(f"names must be a list of recorded names (str), got {names!r}")
    names = list(names)
    missing = [name for name in names if name not in history.history]
    if not names or missing:
        raise ValueError(
            f"names must be quantities the history recorded ({', '.join(recorded)}), got {names!r}"
        )
    panels = _axes_grid(axes, 1, len(names), PANEL_SIZE)[0]
    for ax, name in zip(panels, names, strict=True):
        _draw_quantity(ax, history, name)
        pretty = name.upper() if len(name) <= 3 else name.replace("_", " ").capitalize()  # MAE
        ax.set_title(pretty)
        ax.set_xlabel("Epoch")
        ax.set_ylabel(pretty)
    return panels
