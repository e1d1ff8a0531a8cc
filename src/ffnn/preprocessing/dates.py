"""Dates in text cells: the formats read, the one a column is written in, and its parts.

A date column's format is decided at fit from its cells (:func:`detect_format`) and stored in
its spec (``"format"``; a spec saved without it is ISO); at transform every cell is read in that
format only (:func:`date_parts`), and a cell that does not read is missing. The formats:

- ``"iso"``: ISO dates and datetimes with an optional zone (``2024-03-01``,
  ``2024-03-01T12:00:00Z``, ``2024-03-01 12:30+05:30``), read by ``datetime.fromisoformat``;
  the moment is taken in UTC.
- ``"ymd/"``: ``2012/1/31``, ``2012/01/31`` (year, month, day; one or two digits).
- ``"dmy/"`` / ``"mdy/"``: ``31/01/2012`` (day first) or ``01/31/2012`` (month first).
- ``"mon d yyyy"``: ``Jan 31 2012``, ``January 31, 2012``.
- ``"d mon yyyy"``: ``31 Jan 2012``, ``31 January, 2012``.

Month names are English, abbreviated to three letters (or ``Sept``) or full, in any case. Days and
months have one or two digits, years four. The non-ISO formats hold a date and no time.

A column is a date column when at least ``share`` of its present cells read in one format. Day
first and month first are told apart by the column alone: the one that reads more cells wins (a
first part above 12 somewhere means day first). A column where both read the same cells (every
first and second part at most 12) is ambiguous: :func:`detect_format` gives no format for it and
says why, and the column is taken as text.

A ReLU network sees days since the origin as one smooth number, where trees split it finely:
:func:`date_periods` chooses at fit the periods whose sin and cos a date column also gets (the
year, the week, the day, and halvings of the fitted span, the multi-scale Fourier features of
Tancik et al. 2020), so that the network can follow a curve along time and knows that December
is next to January. They are stored in the spec (``"periods"``; a spec saved without them has
none).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from ffnn.preprocessing.cells import Cell

__all__ = [
    "DATE_FORMATS",
    "DATE_PARTS",
    "MONTHS",
    "SHOWN",
    "check_periods",
    "date_parts",
    "date_periods",
    "detect_format",
    "period_name",
    "periodic",
]

DATE_PARTS = ("days", "year", "month", "weekday")
_EPOCH = datetime.datetime(1970, 1, 1)
_EPOCH_DAY = datetime.date(1970, 1, 1)
_NAMES = (
    "january february march april may june july august september october november december"
).split()
#: English month names in lower case, full or abbreviated, and their numbers
MONTHS = {
    **{name: k for k, name in enumerate(_NAMES, 1)},
    **{name[:3]: k for k, name in enumerate(_NAMES, 1)},
    "sept": 9,
}
ISO_DATE = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?)?"
    r"(Z|[+-][0-9]{2}:?[0-9]{2})?",
    re.ASCII,
)
_D, _Y, _NAME = "([0-9]{1,2})", "([0-9]{4})", "([A-Za-z]{3,9})"
#: the regular expression of each format but ISO, its groups in the order (year, month, day)
#: as their positions in the text
PATTERNS = {
    "ymd/": f"{_Y}/{_D}/{_D}",
    "dmy/": f"{_D}/{_D}/{_Y}",
    "mdy/": f"{_D}/{_D}/{_Y}",
    "mon d yyyy": f"{_NAME} {_D},? {_Y}",
    "d mon yyyy": f"{_D} {_NAME},? {_Y}",
}
#: where year, month and day are among each format's groups
ORDER = {
    "ymd/": (0, 1, 2),
    "dmy/": (2, 1, 0),
    "mdy/": (2, 0, 1),
    "mon d yyyy": (2, 0, 1),
    "d mon yyyy": (2, 1, 0),
}
DATE_FORMATS = ("iso", *PATTERNS)
#: each format as ``describe()`` names it (ISO is not named)
SHOWN = {
    "iso": "",
    "ymd/": "yyyy/mm/dd",
    "dmy/": "dd/mm/yyyy",
    "mdy/": "mm/dd/yyyy",
    "mon d yyyy": "Mon d yyyy",
    "d mon yyyy": "d Mon yyyy",
}
_COMPILED = {name: re.compile(pattern, re.ASCII) for name, pattern in PATTERNS.items()}


def _iso(text: str) -> tuple[float, ...] | None:
    if not ISO_DATE.fullmatch(text):
        return None
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.UTC).replace(tzinfo=None)
    days = (moment - _EPOCH).total_seconds() / 86400.0
    return (days, float(moment.year), float(moment.month), float(moment.weekday()))


def date_parts(cell: Cell, form: str = "iso") -> tuple[float, ...] | None:
    """``(days since 1970-01-01, year, month, weekday (Monday 0))`` of a cell in the format
    ``form``, or ``None`` where it is no such date (a number, other text, ``2023/02/29``)."""
    if not isinstance(cell, str):
        return None
    if form == "iso":
        return _iso(cell)
    match = _COMPILED[form].fullmatch(cell)
    if match is None:
        return None
    groups = match.groups()
    year_at, month_at, day_at = ORDER[form]
    month_text = groups[month_at]
    month = MONTHS.get(month_text.lower(), 0) if month_text.isalpha() else int(month_text)
    try:
        day = datetime.date(int(groups[year_at]), month, int(groups[day_at]))
    except ValueError:
        return None
    days = float((day - _EPOCH_DAY).days)
    return (days, float(day.year), float(day.month), float(day.weekday()))


def detect_format(present: Sequence[Cell], share: float) -> tuple[str | None, str]:
    """``(format, "")`` when at least ``share`` of the cells ``present`` read in one format;
    ``(None, why)`` for an ambiguous day-first / month-first column; ``(None, "")`` otherwise."""
    allowed = len(present) - share * len(present)  # the most cells that may fail to read
    reads: dict[str, int] = {}
    for form in DATE_FORMATS:
        failed = 0
        for cell in present:
            if date_parts(cell, form) is None:
                failed += 1
                if failed > allowed:
                    break
        if failed <= allowed:
            reads[form] = len(present) - failed
    if not reads:
        return None, ""
    best = max(reads.values())
    winners = [form for form in DATE_FORMATS if reads.get(form) == best]
    if len(winners) > 1:  # only dmy/ and mdy/ can read the same cells
        return None, "dates that read day first and month first alike (dd/mm or mm/dd?)"
    return winners[0], ""


#: the most periodic sin/cos pairs a date spec may hold
MAX_PERIODS = 16
#: how many halvings of its span a date column gets as periods
OCTAVES = 6
#: the shortest and longest periods, in days, a spec may hold (a second, about 27,000 years)
MIN_PERIOD, MAX_PERIOD = 1 / 86400, 1e7


def date_periods(days: np.ndarray) -> list[float]:
    """The periods, in days, of the sin/cos pairs of a date column whose finite days since 1970
    are ``days``: the year (365.25) when the dates span more than a month, the week (7) when
    they fall on several weekdays, the day (1) when they hold times of day, then a ladder of
    :data:`OCTAVES` halvings of the span (span, span/2, ...; none under 2 days). A period under
    4 times the median gap between distinct dates is left out (monthly dates say nothing about
    the week)."""
    if days.size == 0:
        return []
    distinct = np.unique(days)
    span = float(distinct[-1] - distinct[0])
    gap = float(np.median(np.diff(distinct))) if distinct.size > 1 else 0.0
    periods = [365.25] if span > 31 else []
    whole = np.floor(distinct)
    if len(np.unique(np.mod(whole, 7))) > 1:
        periods.append(7.0)
    if np.any(distinct != whole):
        periods.append(1.0)
    period = span
    for _ in range(OCTAVES):
        if period < 2:
            break
        if period_name(period) not in map(period_name, periods):
            periods.append(period)
        period /= 2
    return [p for p in periods if p >= 4 * gap and MIN_PERIOD <= p <= MAX_PERIOD]


def period_name(period: float) -> str:
    return f"{period:g}"


def periodic(days: np.ndarray, periods: list[float]) -> list[np.ndarray]:
    """sin and cos of ``2 pi days / period`` for each period (0 where a day is missing)."""
    columns = []
    filled = np.where(np.isnan(days), 0.0, days)
    for period in periods:
        angle = filled * (2.0 * np.pi / period)
        for wave in (np.sin(angle), np.cos(angle)):
            columns.append(np.where(np.isnan(days), 0.0, wave))
    return columns


def check_periods(periods: Any, where: str) -> None:
    """Raise ``ValueError`` (``TypeError`` for a period that is no number) unless ``periods``,
    read from a spec, is a list of at most :data:`MAX_PERIODS` distinct periods in
    [:data:`MIN_PERIOD`, :data:`MAX_PERIOD`] days."""
    if not isinstance(periods, list) or len(periods) > MAX_PERIODS:
        raise ValueError(f"{where}: periods must be a list of at most {MAX_PERIODS} numbers")
    for period in periods:
        if isinstance(period, bool) or not isinstance(period, int | float):
            raise TypeError(f"{where}: a period must be a number, got {type(period).__name__}")
        if not MIN_PERIOD <= period <= MAX_PERIOD:
            raise ValueError(
                f"{where}: a period must be within [{MIN_PERIOD:.3g}, {MAX_PERIOD:g}] days, "
                f"got {period}"
            )
    if len({period_name(p) for p in periods}) != len(periods):
        raise ValueError(f"{where}: periods must be distinct, got {repr(periods)[:80]}")
