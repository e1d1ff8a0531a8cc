"""Each column's kind, decided at fit, and its encoding into numbers.

A column's fitted state is a plain dict of JSON values (a *spec*): ``name``, ``kind``, ``usage``
(the text ``describe()`` prints), ``outputs`` (its output feature names) and the statistics of
its kind. :func:`fit_column` decides it; :func:`encode_column` applies it and returns
``(values (n_rows, len(outputs)) float64, n_unreadable)``.

Kinds, tried in this order on the cells that are present (not missing):

- ``empty`` / ``constant``: no cell, or one distinct value: left out.
- ``boolean``: two values, 0/1 or true/false, yes/no, t/f, y/n (case-blind): one 0/1 column.
- ``date``: at least :data:`NUMERIC_SHARE` of the cells are dates in one format of
  :mod:`ffnn.preprocessing.dates` (ISO ``2024-03-01``, ``2024/3/1``, ``Mar 1 2024``, ...; the
  rest count as missing), the format stored in the spec: days since the fitted origin (the
  earliest date), year, month and day of week, each filled and standardised like a numeric
  column (a part that is constant is left out), then sin and cos of the date's periods
  (:func:`~ffnn.preprocessing.dates.date_periods`: year, week, day, halvings of the span);
  or left out with ``dates="drop"``. Dates are tried before IDs: a daily series has a distinct
  date on every row and is still a date.
- ``id``: integers or text with a distinct value on almost every row (at least ``id_threshold``
  of the rows present, and at least :data:`MIN_ID_ROWS` of them; integers also in a near-run:
  sorted, or spanning at most twice the row count, as row numbers do): left out.
- ``numeric``: at least :data:`NUMERIC_SHARE` of the cells are numbers (the rest count as
  missing): the median fills missing cells, standardised by mean and standard deviation.
- ``category``: any other text. Up to ``max_categories`` distinct values: one-hot of those seen at
  least ``min_frequency`` times, the rest (and values unseen at fit) in an ``other`` column.
  More distinct values: one-hot of the ``max_categories`` most frequent ones (at least
  ``min_frequency`` times) and ``other``, plus a ``frequency`` column, the share of training rows
  holding the value (0 for an unseen one), standardised: the network sees how common a rare
  value is instead of nothing, at one column's cost, where learned embeddings would need the
  model to own them. Missing cells get a ``missing`` column if the training data had any.

Numeric, boolean and date columns with missing cells at fit get a ``<name>_missing`` 0/1
column. A cell that cannot be read as the fitted kind at transform time (text in a numeric
column) is handled as missing and counted, so that the caller can report it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from ffnn.preprocessing.cells import Cell, as_number
from ffnn.preprocessing.dates import (
    DATE_PARTS,
    SHOWN,
    date_parts,
    date_periods,
    detect_format,
    period_name,
    periodic,
)

__all__ = ["MIN_ID_ROWS", "NUMERIC_SHARE", "fit_column", "encode_column"]

#: a column needs at least this many cells present to be called ID-like
MIN_ID_ROWS = 20
#: the share of present cells that must be numbers for a column to be numeric
NUMERIC_SHARE = 0.95
TRUE_TEXT = frozenset({"true", "yes", "y", "t", "1", "1.0"})
FALSE_TEXT = frozenset({"false", "no", "n", "f", "0", "0.0"})

Spec = dict[str, Any]


def _left_out(name: str, kind: str, why: str) -> Spec:
    return {"name": name, "kind": kind, "usage": f"left out: {why}", "outputs": []}


def _text(cell: Cell) -> str:
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() else repr(cell)
    return str(cell)


def _statistics(values: np.ndarray) -> dict[str, float]:
    """Median, mean and standard deviation of the values present (NaN missing)."""
    present = values[~np.isnan(values)]
    std = float(present.std())
    return {
        "median": float(np.median(present)),
        "mean": float(present.mean()),
        "std": std if std > 0 else 1.0,
    }


def _standardised(values: np.ndarray, stats: dict[str, float]) -> np.ndarray:
    filled = np.where(np.isnan(values), stats["median"], values)
    return (filled - stats["mean"]) / stats["std"]


def _boolean(cell: Cell) -> float | None:
    text = _text(cell).lower() if cell is not None else None
    return 1.0 if text in TRUE_TEXT else 0.0 if text in FALSE_TEXT else None


def _is_id(present: Sequence[Cell], numbers: list[float] | None, threshold: float) -> bool:
    distinct = len(set(map(_text, present)))
    if len(present) < MIN_ID_ROWS or distinct < threshold * len(present):
        return False
    if numbers is None:
        return True
    if not all(number.is_integer() for number in numbers):
        return False
    span = max(numbers) - min(numbers) + 1
    return numbers == sorted(numbers) or span <= 2 * len(numbers)


def fit_column(name: str, cells: list[Cell], params: dict[str, Any]) -> Spec:
    """The spec of one column: its kind, how it is used and the statistics to apply it."""
    present = [cell for cell in cells if cell is not None]
    indicator = len(present) < len(cells)
    if not present:
        return _left_out(name, "empty", "every cell is missing")
    if len({_text(cell) for cell in present}) == 1:
        return _left_out(name, "constant", f"one value only ({_text(present[0])!r})")
    booleans = [_boolean(cell) for cell in present]
    two = len({_text(cell).lower() for cell in present}) == 2
    trues = sum(b for b in booleans if b is not None)
    if two and None not in booleans and 0 < trues < len(booleans):
        spec: Spec = {"name": name, "kind": "boolean", "usage": "0/1", "outputs": [name]}
        spec["fill"] = float(trues * 2 >= len(booleans))
        return _with_indicator(spec, indicator)
    form, ambiguous = detect_format(present, NUMERIC_SHARE)
    if form is not None:
        if params["dates"] == "drop":
            return _left_out(name, "date", 'dates="drop"')
        return _fit_date(name, cells, form, indicator)
    parsed = [as_number(cell) for cell in present]
    numbers = [number for number in parsed if number is not None]
    is_numeric = len(numbers) >= NUMERIC_SHARE * len(present)
    if _is_id(present, numbers if is_numeric else None, params["id_threshold"]):
        return _left_out(name, "id", "ID-like, a distinct value on almost every row")
    if is_numeric:
        values = np.array([np.nan if n is None else n for n in map(as_number, cells)])
        spec = {"name": name, "kind": "numeric", "outputs": [name]}
        spec.update(_statistics(values))
        unread = len(present) - len(numbers)
        spec["usage"] = "standardised" + (" (median for missing cells)" if indicator else "")
        if unread:
            indicator = True
            spec["usage"] += f"; {unread} text cell(s) taken as missing"
        return _with_indicator(spec, indicator)
    spec = _fit_category(name, cells, params)
    if ambiguous:
        spec["usage"] += f"; {ambiguous}: taken as text"
    return spec


def _with_indicator(spec: Spec, indicator: bool) -> Spec:
    spec["indicator"] = indicator
    if indicator:
        spec["outputs"] = [*spec["outputs"], f"{spec['name']}_missing"]
        spec["usage"] += ", missing indicator"
    return spec


def _date_matrix(cells: list[Cell], form: str) -> tuple[np.ndarray, int]:
    rows, unread = [], 0
    for cell in cells:
        parts = date_parts(cell, form)
        unread += parts is None and cell is not None
        rows.append(parts if parts is not None else (np.nan,) * len(DATE_PARTS))
    return np.array(rows, dtype=np.float64).reshape(len(cells), len(DATE_PARTS)), unread


def _fit_date(name: str, cells: list[Cell], form: str, indicator: bool) -> Spec:
    matrix, unread = _date_matrix(cells, form)
    periods = date_periods(matrix[~np.isnan(matrix[:, 0]), 0])
    origin = float(np.nanmin(matrix[:, 0]))
    matrix[:, 0] -= origin
    parts = {}
    for j, part in enumerate(DATE_PARTS):
        column = matrix[:, j]
        if np.nanmax(column) > np.nanmin(column):
            parts[part] = _statistics(column)
    spec: Spec = {"name": name, "kind": "date", "format": form, "origin": origin, "parts": parts}
    spec["periods"] = periods
    spec["outputs"] = date_outputs(name, parts, periods)
    spec["usage"] = ", ".join(parts) + " (standardised)"
    if periods:
        spec["usage"] += ", sin/cos of periods " + ", ".join(map(period_name, periods)) + " d"
    spec["usage"] += f" of {SHOWN[form]} dates" if SHOWN[form] else ""
    if unread:
        indicator = True
        spec["usage"] += f"; {unread} cell(s) not such dates taken as missing"
    return _with_indicator(spec, indicator)


def date_outputs(name: str, parts: Any, periods: list[float]) -> list[str]:
    outputs = [f"{name}_{part}" for part in parts]
    for period in periods:
        outputs += [f"{name}_sin{period_name(period)}", f"{name}_cos{period_name(period)}"]
    return outputs


def _fit_category(name: str, cells: list[Cell], params: dict[str, Any]) -> Spec:
    texts = [_text(cell) for cell in cells if cell is not None]
    counts = Counter(texts)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    kept = [value for value, count in ranked if count >= params["min_frequency"]]
    many = len(counts) > params["max_categories"]
    kept = kept[: params["max_categories"]]
    spec: Spec = {"name": name, "kind": "category", "categories": kept}
    spec["missing"] = len(texts) < len(cells)
    spec["frequencies"] = {v: c / len(cells) for v, c in ranked} if many else None
    outputs = [f"{name}={value}" for value in kept] + [f"{name}=other"]
    if spec["missing"]:
        outputs.append(f"{name}=missing")
    usage = f"one-hot of {len(kept)} of {len(counts)} values, other"
    if many:
        spec["frequency"] = _statistics(_shares(spec, cells))
        outputs.append(f"{name}_frequency")
        usage = f"frequency, one-hot of the top {len(kept)} of {len(counts)} values, other"
    spec["outputs"], spec["usage"] = outputs, usage + (", missing" if spec["missing"] else "")
    return spec


def encode_column(spec: Spec, cells: list[Cell]) -> tuple[np.ndarray, int]:
    """``(values (n_rows, len(spec["outputs"])) float64, cells unreadable as the fitted kind)``."""
    kind, n = spec["kind"], len(cells)
    if kind == "category":
        return _encode_category(spec, cells), 0
    if kind == "boolean":
        parsed = [_boolean(cell) if cell is not None else None for cell in cells]
        unread = sum(p is None and c is not None for p, c in zip(parsed, cells, strict=True))
        values = np.array([spec["fill"] if p is None else p for p in parsed])[:, None]
        missing = np.array([p is None for p in parsed])
    elif kind == "numeric":
        numbers = [as_number(cell) for cell in cells]
        unread = sum(x is None and c is not None for x, c in zip(numbers, cells, strict=True))
        raw = np.array([np.nan if x is None else x for x in numbers], dtype=np.float64)
        missing = np.isnan(raw)
        values = _standardised(raw, spec)[:, None]
    elif kind == "date":
        matrix, unread = _date_matrix(cells, spec.get("format", "iso"))
        missing = np.isnan(matrix[:, 0])
        waves = periodic(matrix[:, 0], spec.get("periods", []))
        matrix[:, 0] -= spec["origin"]
        columns = [
            _standardised(matrix[:, DATE_PARTS.index(part)], stats)
            for part, stats in spec["parts"].items()
        ] + waves
        values = np.stack(columns, axis=1) if columns else np.zeros((n, 0))
    else:
        return np.zeros((n, 0)), 0
    if spec["indicator"]:
        values = np.concatenate([values, missing.astype(np.float64)[:, None]], axis=1)
    return values, unread


def _encode_category(spec: Spec, cells: list[Cell]) -> np.ndarray:
    index = {value: j for j, value in enumerate(spec["categories"])}
    other = len(index)
    values = np.zeros((len(cells), len(spec["outputs"])), dtype=np.float64)
    for i, cell in enumerate(cells):
        if cell is None:
            if spec["missing"]:
                values[i, other + 1] = 1.0
            continue
        values[i, index.get(_text(cell), other)] = 1.0
    if spec["frequencies"] is not None:
        stats = spec["frequency"]
        values[:, -1] = (_shares(spec, cells) - stats["mean"]) / stats["std"]
    return values


def _shares(spec: Spec, cells: list[Cell]) -> np.ndarray:
    """The training share of each cell's value: 0 for a missing or unseen one."""
    shares = spec["frequencies"]
    return np.array([0.0 if c is None else shares.get(_text(c), 0.0) for c in cells])
