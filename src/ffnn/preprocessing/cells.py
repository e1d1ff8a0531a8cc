"""Raw tabular input as named columns of canonical cells: ``None`` (missing), ``float`` or ``str``.

Accepted inputs: a pandas DataFrame (duck-typed: never imported here), a table of
``ffnn.csvdata`` (``.columns`` and ``.column(name) -> list[str]``), a dict of columns, a list of
rows as dicts, and a 2-D NumPy array or list of lists (numeric or object; its columns are named
``x0, x1, ...``). A cell is missing when it is ``None``, NaN, pandas' ``NA``/``NaT``, or text
such as ``""``, ``"NA"``, ``"nan"``, ``"?"`` (:data:`MISSING_TEXT`, compared case-blind).
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

__all__ = ["Cell", "MISSING_TEXT", "MAX_MAGNITUDE", "canonical", "as_number", "columns_of"]

Cell = float | str | None

#: text that stands for a missing cell (after stripping spaces, compared in lower case)
MISSING_TEXT = frozenset(
    {"", "na", "n/a", "nan", "null", "none", "?", "-", "--", "#n/a", "missing", "<na>", "nat"}
)
#: numbers larger than this in magnitude (float32's largest) are treated as missing, so that the
#: squares summed to standardise stay finite in float64 and the output finite in float32
MAX_MAGNITUDE = float(np.finfo(np.float32).max)


def canonical(value: Any) -> Cell:
    """One cell as ``None`` (missing), a finite ``float`` or stripped ``str``."""
    if type(value) is str:  # the common case first: every cell of a CSV file
        text = value.strip()
        return None if len(text) <= 7 and text.lower() in MISSING_TEXT else text
    if value is None or type(value).__name__ in ("NAType", "NaTType"):
        return None
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, int | float | np.integer | np.floating):
        number = float(value)
        return number if math.isfinite(number) and abs(number) <= MAX_MAGNITUDE else None
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else str(value)
    if isinstance(value, datetime.date):  # datetime and pandas' Timestamp are dates too
        return value.isoformat()
    text = str(value).strip()
    return None if text.lower() in MISSING_TEXT else text


def as_number(cell: Cell) -> float | None:
    """The cell as a finite float within :data:`MAX_MAGNITUDE`, or ``None`` if it is not one."""
    if cell is None or isinstance(cell, float):
        return cell
    try:
        number = float(cell)
    except ValueError:
        return None
    return number if math.isfinite(number) and abs(number) <= MAX_MAGNITUDE else None


def _column_list(values: Any) -> list[Cell]:
    if isinstance(values, np.ndarray):
        values = values.tolist()
    return [canonical(value) for value in values]


def columns_of(X: Any) -> tuple[list[str], list[list[Cell]], bool]:
    """``(names, columns, named)``: ``named`` is False for arrays (names ``x0, x1, ...``)."""
    if hasattr(X, "iloc") and hasattr(X, "columns"):  # a pandas DataFrame
        labels = list(X.columns)
        named = all(isinstance(label, str) for label in labels)
        names = [str(label) if named else f"x{j}" for j, label in enumerate(labels)]
        columns = [_column_list(X.iloc[:, j].tolist()) for j in range(len(labels))]
    elif hasattr(X, "column") and hasattr(X, "columns"):  # ffnn.csvdata's Table
        names, named = [str(name) for name in X.columns], True
        columns = [_column_list(X.column(name)) for name in X.columns]
    elif isinstance(X, Mapping):
        names, named = [str(name) for name in X], True
        columns = [_column_list(values) for values in X.values()]
    elif isinstance(X, Sequence) and not isinstance(X, str) and X and isinstance(X[0], Mapping):
        names, named = [str(name) for name in X[0]], True
        columns = [[canonical(row.get(name)) for row in X] for name in X[0]]
    else:
        array = np.asarray(X) if isinstance(X, np.ndarray) else np.asarray(X, dtype=object)
        if array.ndim != 2:
            raise ValueError(
                "expected a table: a pandas DataFrame, a dict of columns, a list of rows as "
                f"dicts, or a 2-D array; got {type(X).__name__} with {array.ndim} dimension(s)"
            )
        names, named = [f"x{j}" for j in range(array.shape[1])], False
        columns = [_column_list(array[:, j]) for j in range(array.shape[1])]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(f"column name(s) {repeated} appear more than once; names must be unique")
    lengths = {name: len(column) for name, column in zip(names, columns, strict=True)}
    if len(set(lengths.values())) > 1:
        raise ValueError(f"the columns have different lengths: {lengths}")
    return names, columns, named
