"""What every picture shares: lazy matplotlib, new Axes, class colours, labels, saving."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ffnn._checks import check_array, describe
from ffnn.io import replace_file

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

MAX_CLASSES = 1000  # one colour per class: more are not told apart, and would take long
FIGSIZE = (6.4, 4.8)  # inches; 640 x 480 pixels at the saved 100 dpi
DPI = 100
CMAP = "coolwarm"  # the tutorial's: class 0 blue, class 1 red
MULTICLASS_CMAP = "tab10"  # 3 to 10 classes; more take colours spread over "turbo"

# Backends that draw to files only: plt.show() on them does nothing but warn.
_NON_INTERACTIVE_BACKENDS = {"agg", "cairo", "pdf", "pgf", "ps", "svg", "template"}


# -- matplotlib, lazily ---------------------------------------------------------------------
def _pyplot() -> Any:
    """``matplotlib.pyplot``, imported on first use; "Agg" selected when there is no display.

    A backend the user chose (``MPLBACKEND``, matplotlibrc, ``matplotlib.use``) is kept.
    """
    try:
        import matplotlib
    except ImportError as error:
        raise ImportError("ffnn.plotting needs matplotlib: pip install 'ffnn[plot]'") from error
    # _get_backend_or_none (matplotlib >= 3.5; not in its type stubs) reads the requested
    # backend without resolving it: None until MPLBACKEND, matplotlibrc or matplotlib.use set it.
    rc_params: Any = matplotlib.rcParams
    if rc_params._get_backend_or_none() is None and not _has_display():
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _has_display() -> bool:
    """False on Linux (and other X11 systems) without an X or Wayland display."""
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _axes_or_new(ax: Axes | None) -> Axes:
    if ax is not None:
        return ax
    _, new_ax = _pyplot().subplots(figsize=FIGSIZE, layout="constrained")
    return new_ax


def _axes_grid(axes: Any, rows: int, columns: int, panel_size: tuple[float, float]) -> np.ndarray:
    """A ``(rows, columns)`` object array of Axes: ``axes`` reshaped (any array-like holding
    exactly ``rows * columns`` Axes), or the panels of a new figure when ``axes`` is None."""
    from matplotlib.axes import Axes as AxesClass

    if axes is None:
        width, height = panel_size
        _, grid = _pyplot().subplots(
            rows,
            columns,
            figsize=(width * columns, height * rows),
            layout="constrained",
            squeeze=False,
        )
        return np.asarray(grid, dtype=object)
    panels = np.asarray(axes, dtype=object).ravel()
    if panels.size != rows * columns or not all(isinstance(a, AxesClass) for a in panels):
        raise ValueError(
            f"axes must hold {rows * columns} matplotlib Axes ({rows} x {columns} panels), got "
            f"{panels.size} object(s): {', '.join(sorted({type(a).__name__ for a in panels}))}"
        )
    return panels.reshape(rows, columns)


def _root_figure(fig_or_ax: Any) -> Figure:
    from matplotlib.figure import Figure

    figure = fig_or_ax
    # An Axes (or a SubFigure) points to its figure; a Figure is its own root.
    while not isinstance(figure, Figure):
        parent = getattr(figure, "figure", None)
        if parent is None or parent is figure:
            raise TypeError(f"expected a matplotlib Figure or Axes, got {type(fig_or_ax).__name__}")
        figure = parent
    return figure


def _class_colors(n_classes: int) -> list[Any]:
    """One colour per class: the ends of coolwarm for two classes (blue, red: the tutorial's),
    distinct qualitative colours for more (coolwarm's middle is a pale grey)."""
    import matplotlib

    if n_classes <= 2:
        cmap = matplotlib.colormaps[CMAP]
        return [cmap(0.0), cmap(1.0)][:n_classes]
    if n_classes <= 10:
        return [matplotlib.colormaps[MULTICLASS_CMAP](k) for k in range(n_classes)]  # k-th colour
    cmap = matplotlib.colormaps["turbo"]
    return [cmap(k / (n_classes - 1)) for k in range(n_classes)]


# -- input checks ---------------------------------------------------------------------------
def _class_labels(y: Any, name: str = "y") -> np.ndarray:
    """Class labels ``(n,)`` as non-negative ints from labels ``(n,)``, a column ``(n, 1)``
    (the tutorial's) or rows ``(n, K)`` of one-hot codes or probabilities (their argmax)."""
    try:
        labels = np.asarray(y)
    except ValueError:  # rows of different lengths
        raise ValueError(f"{name} must be a rectangular array of labels, got ragged rows") from None
    if labels.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold class labels 0, 1, 2, ..., got {describe(y, labels)}")
    if labels.ndim not in (1, 2) or labels.size == 0:
        raise ValueError(
            f"{name} must be labels (n_samples,), a column (n_samples, 1) or one-hot rows "
            f"(n_samples, K), got shape {labels.shape}"
        )
    if labels.ndim == 2 and labels.shape[1] > 1:
        if not np.isfinite(labels).all():
            raise ValueError(f"{name} contains NaN or infinity; expected one-hot rows")
        labels = labels.argmax(axis=1)
    labels = labels.reshape(-1)
    bad = np.flatnonzero(~np.isfinite(labels) | (labels < 0) | (labels != np.round(labels)))
    if bad.size:
        raise ValueError(
            f"{name} must hold class labels 0, 1, 2, ... (or one-hot rows), got "
            f"{labels[bad[0]]} at index {bad[0]}"
        )
    if labels.max() >= MAX_CLASSES:
        raise ValueError(
            f"{name} may hold at most {MAX_CLASSES} classes (labels below {MAX_CLASSES}), got a "
            f"label {labels.max():g}"
        )
    return labels.astype(np.int64)


def _check_points(X: Any, y: Any, function: str) -> tuple[np.ndarray, np.ndarray]:
    """``X (n, 2)`` as float64 and the class labels ``(n,)`` as non-negative ints.

    ``y`` may be labels ``(n,)``, a column ``(n, 1)`` (the tutorial's) or one-hot rows ``(n, K)``.
    """
    X = check_array(X, "X", dtype=np.float64)
    if X.shape[1] != 2:
        raise ValueError(f"{function} draws 2 features, but X has {X.shape[1]}")
    labels = _class_labels(y)
    if labels.shape[0] != X.shape[0]:
        raise ValueError(
            f"X and y must have the same number of samples, got {X.shape[0]} and {labels.shape[0]}"
        )
    return X, labels


def _scatter_classes(
    ax: Axes, X: np.ndarray, labels: np.ndarray, colors: Sequence[Any], outline: bool
) -> None:
    """One scatter per class, so each class gets its own legend entry."""
    for label in np.unique(labels):
        points = X[labels == label]  # (n_label, 2)
        ax.scatter(
            points[:, 0],
            points[:, 1],
            color=colors[label],
            label=f"class {label}",
            s=20,
            edgecolors="black" if outline else "none",
            linewidths=0.5,
        )


# -- showing and saving ---------------------------------------------------------------------
def show_if_interactive(fig: Figure | None = None) -> bool:
    """Show the figures (``plt.show()``) when the backend can open windows; never blocks headless.

    On a file-only backend (agg, pdf, ps, svg, pgf, cairo, template) nothing happens: the
    figures stay open, to be saved or inspected (``plt.close`` them when done; matplotlib warns
    past 20 open figures).

    Parameters
    ----------
    fig : the figure meant (the current one when ``None``); ``plt.show()`` shows every open
        figure, as the tutorial's call does.

    Returns
    -------
    Whether ``plt.show()`` was called.
    """
    plt = _pyplot()
    import matplotlib

    if matplotlib.get_backend().lower() in _NON_INTERACTIVE_BACKENDS:
        return False
    plt.show()
    return True


def _write_then_replace(target: Path, write: Callable[[Path], None]) -> Path:
    """``write(temporary)`` fills a temporary file that then replaces ``target`` whole
    (:func:`ffnn.io.replace_file`); the parent folders are created first."""
    target.parent.mkdir(parents=True, exist_ok=True)
    return replace_file(target, write)


def save_figure(fig_or_ax: Figure | Axes, path: str | os.PathLike[str]) -> Path:
    """Save a figure at 100 dpi and close it; the file appears complete or not at all.

    The parent folders are created. The picture is written to a temporary file in the same
    folder, then moved over ``path`` in one step (``os.replace``), so a reader never sees a
    half-written file. The format follows the suffix (``.png``, ``.svg``, ``.pdf``, ...); a
    name without one is written as PNG (matplotlib's ``savefig.format``), under that very name.

    Parameters
    ----------
    fig_or_ax : the Figure, or any Axes on it.
    path : where to write.

    Returns
    -------
    ``path`` as a :class:`pathlib.Path`.
    """
    plt = _pyplot()
    figure = _root_figure(fig_or_ax)
    target = Path(path)
    file_format = target.suffix[1:].lower() or plt.rcParams["savefig.format"]
    try:
        return _write_then_replace(
            target, lambda temporary: figure.savefig(temporary, dpi=DPI, format=file_format)
        )
    finally:
        plt.close(figure)


def output_folder(
    out: str | os.PathLike[str] | None,
    default: str,
    pictures: Sequence[str] = (),
    overwrite: bool = False,
) -> Path:
    """The folder a script's pictures go to, created.

    ``out=None``: a folder that did not exist, ``./<default>``, else ``./<default>_2``,
    ``./<default>_3``, ..., so an earlier run's pictures are never overwritten. A given ``out``
    is created if needed and used unless it already holds one of ``pictures`` (the file names
    the script writes): then :class:`FileExistsError`, unless ``overwrite``.
    """
    if out is None:
        number = 1
        while True:
            candidate = Path(default if number == 1 else f"{default}_{number}")
            try:
                candidate.mkdir()  # fails if it exists: an earlier run is never overwritten
                return candidate
            except FileExistsError:
                number += 1
    folder = Path(out)
    existing = [name for name in pictures if (folder / name).exists()]
    if existing and not overwrite:
        raise FileExistsError(
            f"{folder} already holds {', '.join(existing)}; pass --overwrite or another --out"
        )
    folder.mkdir(parents=True, exist_ok=True)
    return folder
