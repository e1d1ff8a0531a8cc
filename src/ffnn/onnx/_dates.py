"""Dates parsed inside the graph in each format of :mod:`ffnn.preprocessing.dates`, as Python
reads them: days since 1970-01-01 (UTC, with the time of day as a fraction), year, month and day
of week (Monday 0) of the moment in UTC.

The formats other than ISO (``2012/1/31``, ``31/01/2012``, ``Jan 31, 2012``, ...) are checked
with the same regular expression as in Python, cut at ``/`` or at spaces (a comma dropped), and
month names read case-blind (``StringNormalizer`` to lower case, then ``LabelEncoder``).

The text is checked with ``RegexFullMatch`` and cut with ``StringSplit`` and ``StringConcat``
(opset 20), its numbers read with ``Cast``; the calendar is integer arithmetic (the proleptic
Gregorian ``days_from_civil`` / ``civil_from_days`` of H. Hinnant's date algorithms). A text that
is no such date (a missing cell, ``2024-02-30``, ``25:00``) is missing, as in Python.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ffnn.onnx._graph import Graph
from ffnn.preprocessing.dates import MONTHS, ORDER, PATTERNS

__all__ = ["DATE_PATTERN", "MIN_DATE_OPSET", "date_parts"]

#: the forms read: a date, or a date and a time with an optional zone (``Z``, ``+05:30``,
#: ``-0800``). Python reads a date with a zone and no time (``2024-03-01+05:00``) as a time of
#: day; the graph takes it as missing.
DATE_PATTERN = r"\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?"
MIN_DATE_OPSET = 20  # StringSplit, StringConcat, RegexFullMatch
_SAFE = "1970-01-01T00:00"  # what a row that is no date is parsed as (then masked)
_SAFE_OF = {  # the same, in the other formats
    "ymd/": "1970/1/1",
    "dmy/": "1/1/1970",
    "mdy/": "1/1/1970",
    "mon d yyyy": "Jan 1 1970",
    "d mon yyyy": "1 Jan 1970",
}


class _Ops:
    """Short spellings of the operators the calendar needs."""

    def __init__(self, g: Graph) -> None:
        self.g = g
        self.tensor = g.onnx.TensorProto

    def c(self, value: object, dtype: object = np.int64) -> str:
        return self.g.constant("c", value, dtype)

    def op(self, name: str, *inputs: str, **attributes: Any) -> str:
        return self.g.node(name, list(inputs), **attributes)

    def add(self, a: str, b: str) -> str:
        return self.op("Add", a, b)

    def sub(self, a: str, b: str) -> str:
        return self.op("Sub", a, b)

    def mul(self, a: str, k: int) -> str:
        return self.op("Mul", a, self.c(k))

    def div(self, a: str, k: int) -> str:  # int64 division truncates: a floor for a >= 0
        return self.op("Div", a, self.c(k))

    def where(self, condition: str, a: str, b: str) -> str:
        return self.op("Where", condition, a, b)

    def compare(self, name: str, a: str, k: object, dtype: object = np.int64) -> str:
        return self.op(name, a, self.c(k, dtype))

    def pieces(self, text: str, delimiter: str, count: int) -> list[str]:
        """The first ``count`` pieces of ``text`` split at ``delimiter`` ("" where absent)."""
        padded = self.op("StringConcat", text, self.c(delimiter * (count - 1), object))
        split = self.g._unique(f"{self.g.scope}/StringSplit")
        counts = self.g._unique(f"{self.g.scope}/StringSplit_counts")
        self.g.nodes.append(
            self.g.onnx.helper.make_node(
                "StringSplit", [padded], [split, counts], name=split, delimiter=delimiter
            )
        )
        return [self.op("Gather", split, self.c(k), axis=1) for k in range(count)]

    def number(self, text: str) -> str:
        """The digits of ``text`` as a float64 ("" is 0)."""
        padded = self.op("StringConcat", self.c("0", object), text)
        return self.op("Cast", padded, to=self.tensor.DOUBLE)

    def integer(self, text: str) -> str:
        return self.op("Cast", self.number(text), to=self.tensor.INT64)


def _days_from_civil(o: _Ops, year: str, month: str, day: str) -> str:
    early = o.op("Cast", o.compare("LessOrEqual", month, 2), to=o.tensor.INT64)
    y = o.sub(year, early)
    era = o.div(y, 400)
    yoe = o.sub(y, o.mul(era, 400))
    shifted = o.where(o.compare("Greater", month, 2), o.add(month, o.c(-3)), o.add(month, o.c(9)))
    doy = o.add(o.div(o.add(o.mul(shifted, 153), o.c(2)), 5), o.add(day, o.c(-1)))
    doe = o.add(o.sub(o.add(o.mul(yoe, 365), o.div(yoe, 4)), o.div(yoe, 100)), doy)
    return o.add(o.add(o.mul(era, 146097), doe), o.c(-719468))


def _civil_from_days(o: _Ops, days: str) -> tuple[str, str]:
    z = o.add(days, o.c(719468))
    era = o.div(z, 146097)
    doe = o.sub(z, o.mul(era, 146097))
    inner = o.sub(o.add(o.sub(doe, o.div(doe, 1460)), o.div(doe, 36524)), o.div(doe, 146096))
    yoe = o.div(inner, 365)
    doy = o.sub(doe, o.sub(o.add(o.mul(yoe, 365), o.div(yoe, 4)), o.div(yoe, 100)))
    mp = o.div(o.add(o.mul(doy, 5), o.c(2)), 153)
    month = o.where(o.compare("Less", mp, 10), o.add(mp, o.c(3)), o.add(mp, o.c(-9)))
    late = o.op("Cast", o.compare("LessOrEqual", month, 2), to=o.tensor.INT64)
    year = o.add(o.add(yoe, o.mul(era, 400)), late)
    return year, month


def _days_in_month(o: _Ops, year: str, month: str) -> str:
    index = o.add(o.op("Clip", month, o.c(1), o.c(12)), o.c(-1))
    lengths = o.op("Gather", o.c([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]), index)

    def divisible(k: int) -> str:
        return o.compare("Equal", o.op("Mod", year, o.c(k)), 0)

    leap = o.op("Or", o.op("And", divisible(4), o.op("Not", divisible(100))), divisible(400))
    february = o.op("And", leap, o.compare("Equal", month, 2))
    return o.add(lengths, o.op("Cast", february, to=o.tensor.INT64))


def _all(o: _Ops, checks: list[str]) -> str:
    valid = checks[0]
    for check in checks[1:]:
        valid = o.op("And", valid, check)
    return valid


def _calendar_checks(o: _Ops, year: str, month: str, day: str) -> list[str]:
    """The (N,) bool checks that make a year, month and day a date of the calendar."""
    return [
        o.compare("GreaterOrEqual", year, 1),
        o.compare("GreaterOrEqual", month, 1),
        o.compare("LessOrEqual", month, 12),
        o.compare("GreaterOrEqual", day, 1),
        o.op("LessOrEqual", day, _days_in_month(o, year, month)),
    ]


def _plain_date_parts(g: Graph, text: str, form: str) -> tuple[str, list[str]]:
    """:func:`date_parts` of a format with a date and no time (not ISO)."""
    if form not in PATTERNS:
        raise ValueError(f"dates of format {form!r} have no ONNX form")
    o = _Ops(g)
    matched = g.node("RegexFullMatch", [text], pattern=PATTERNS[form])
    safe = o.where(matched, text, o.c(_SAFE_OF[form], object))
    if "/" in form:
        pieces = o.pieces(safe, "/", 3)
    else:
        before, after = o.pieces(safe, ",", 2)
        pieces = o.pieces(o.op("StringConcat", before, after), " ", 3)
    year_at, month_at, day_at = ORDER[form]
    year, day = o.integer(pieces[year_at]), o.integer(pieces[day_at])
    if "mon" in form:
        lower = o.op("StringNormalizer", pieces[month_at], case_change_action="LOWER", locale="C")
        month = g.node(
            "LabelEncoder",
            [lower],
            domain="ai.onnx.ml",
            keys_strings=list(MONTHS),
            values_int64s=list(MONTHS.values()),
            default_int64=0,
        )
    else:
        month = o.integer(pieces[month_at])
    valid = _all(o, [matched, *_calendar_checks(o, year, month, day)])
    civil = _days_from_civil(o, year, month, day)
    weekday = o.op("Mod", o.add(civil, o.c(3)), o.c(7))  # 1970-01-01 was a Thursday (3)
    parts = [o.op("Cast", v, to=o.tensor.DOUBLE) for v in (civil, year, month, weekday)]
    return o.op("Not", valid), parts


def date_parts(g: Graph, text: str, form: str = "iso") -> tuple[str, list[str]]:
    """``(missing (N,) bool, [days, year, month, weekday] (N,) float64)`` of the string values
    ``text`` (N,), dates in the format ``form`` (a name of ``DATE_FORMATS``)."""
    if form != "iso":
        return _plain_date_parts(g, text, form)
    o = _Ops(g)
    matched = g.node("RegexFullMatch", [text], pattern=DATE_PATTERN)
    safe = o.where(matched, text, o.c(_SAFE, object))
    (stem,) = o.pieces(safe, "Z", 1)
    stem, ahead = o.pieces(stem, "+", 2)
    year_text, month_text, rest, behind = o.pieces(stem, "-", 4)
    day_time, t_time = o.pieces(rest, "T", 2)
    day_text, space_time = o.pieces(day_time, " ", 2)
    hour, minute, second = o.pieces(o.op("StringConcat", t_time, space_time), ":", 3)
    zone_hours, zone_minutes = o.pieces(o.op("StringConcat", ahead, behind), ":", 2)
    year, month, day = o.integer(year_text), o.integer(month_text), o.integer(day_text)
    h, m = o.integer(hour), o.integer(minute)
    zh, zm = o.integer(zone_hours), o.integer(zone_minutes)
    compact = o.compare("Equal", zone_minutes, "", object)  # +0530: one number
    zh, zm = (
        o.where(compact, o.div(zh, 100), zh),
        o.where(compact, o.sub(zh, o.mul(o.div(zh, 100), 100)), zm),
    )
    checks = [
        matched,
        *_calendar_checks(o, year, month, day),
        o.compare("Less", h, 24),
        o.compare("Less", m, 60),
        o.compare("Less", o.number(second), 60.0, np.float64),
        o.compare("Less", zh, 24),
        o.compare("Less", zm, 60),
    ]
    valid = _all(o, checks)
    offset = o.add(o.mul(zh, 60), zm)  # minutes east of UTC
    offset = o.where(o.compare("Equal", behind, "", object), offset, o.mul(offset, -1))
    civil = _days_from_civil(o, year, month, day)
    whole = o.sub(
        o.add(o.mul(civil, 86400), o.add(o.mul(h, 3600), o.mul(m, 60))), o.mul(offset, 60)
    )
    seconds = o.add(o.op("Cast", whole, to=o.tensor.DOUBLE), o.number(second))
    days = o.op("Div", seconds, o.c(86400.0, np.float64))
    utc_day = o.op("Cast", o.op("Floor", days), to=o.tensor.INT64)
    utc_year, utc_month = _civil_from_days(o, utc_day)
    weekday = o.op("Mod", o.add(utc_day, o.c(3)), o.c(7))  # 1970-01-01 was a Thursday (3)
    parts = [days] + [o.op("Cast", v, to=o.tensor.DOUBLE) for v in (utc_year, utc_month, weekday)]
    return o.op("Not", valid), parts
