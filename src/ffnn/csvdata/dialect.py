"""How a CSV file is written: its delimiter and its decimal separator, detected from a sample.

Files come with ``,`` ``;`` a tab or ``|`` between cells, and where the delimiter is ``;`` or a
tab (spreadsheets in locales that write ``3,14``), often with a decimal comma.

The rule is our own, count-based, rather than :class:`csv.Sniffer`: the Sniffer picks any
character that occurs a regular number of times (a letter, a space, a digit), raises on a file
it cannot decide instead of falling back, and reads its whole sample with regular expressions
that are slow on long lines. Ours parses the first :data:`SAMPLE_CHARS` characters (never more,
whatever the file holds: a 1 GiB line costs one bounded read) with :func:`csv.reader` once per
candidate, so quotes are honoured (a ``,`` inside ``"Paris, FR"`` is not counted), and keeps the
candidate under which the header has the most cells and every sampled row has as many as the
header: a ``;`` file with decimal commas has one cell in its header under ``,`` but three in
its rows, so ``,`` is not consistent and ``;`` wins. When no candidate splits the header, the
file has one column and the delimiter is ``,``.

The decimal comma is detected only where the delimiter is ``;`` or a tab: when sampled cells
look like ``3,14`` and none like ``3.14``. With a decimal comma, a cell that is a number written
with a comma is read as that number (``-3,5e2`` is ``-350``); other cells (text) stay as they are.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["Dialect", "DELIMITERS", "DECIMALS", "SAMPLE_CHARS", "detect", "check_dialect"]

#: the delimiters a file may use, in the order that breaks ties
DELIMITERS = (",", ";", "\t", "|")
#: the decimal separators
DECIMALS = (".", ",")
#: the most characters read from a file to detect its dialect: 64 KiB
SAMPLE_CHARS = 1 << 16
#: names for a delimiter that the shell makes awkward to type
_DELIMITER_NAMES = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}

_COMMA_NUMBER = re.compile(r"[+-]?(\d+,\d*|,\d+)([eE][+-]?\d+)?")
_DOT_NUMBER = re.compile(r"[+-]?(\d+\.\d*|\.\d+)([eE][+-]?\d+)?")


@dataclass(frozen=True)
class Dialect:
    """A file's ``delimiter`` (one of :data:`DELIMITERS`) and ``decimal`` separator."""

    delimiter: str = ","
    decimal: str = "."

    def describe(self) -> str:
        """``delimiter ';', decimal ','`` (a tab written as ``tab``)."""
        shown = "tab" if self.delimiter == "\t" else repr(self.delimiter)
        return f"delimiter {shown}, decimal {self.decimal!r}"


def check_dialect(delimiter: str | None, decimal: str | None) -> tuple[str | None, str | None]:
    """``delimiter`` and ``decimal`` as characters (``tab`` and ``\\t`` name a tab), or
    ``ValueError`` saying which values are allowed and what was received."""
    if delimiter is not None:
        delimiter = _DELIMITER_NAMES.get(delimiter.lower(), delimiter)
        if delimiter not in DELIMITERS:
            raise ValueError(
                f"the delimiter must be one of ',' ';' tab '|' (or: comma, semicolon, tab, pipe), "
                f"got {delimiter!r}"
            )
    if decimal is not None and decimal not in DECIMALS:
        raise ValueError(f"the decimal separator must be '.' or ',', got {decimal!r}")
    return delimiter, decimal


def detect(sample: str, complete: bool, delimiter: str | None, decimal: str | None) -> Dialect:
    """The dialect of a file that starts with ``sample`` (``complete``: the whole file);
    ``delimiter`` or ``decimal``, when given, are kept as they are."""
    lines = sample.splitlines(keepends=True)
    if not complete and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut short
    if delimiter is None:
        delimiter = _detect_delimiter(lines)
    if decimal is None:
        decimal = "."
        if delimiter in (";", "\t"):
            decimal = _detect_decimal(_rows(lines, delimiter)[1:])
    return Dialect(delimiter, decimal)


def _rows(lines: list[str], delimiter: str) -> list[list[str]]:
    """The non-blank rows of ``lines`` split on ``delimiter``; stops at the first row that the
    csv module refuses, or at a quote still open at the end of the sample."""
    rows: list[list[str]] = []
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    try:
        rows.extend(row for row in reader if any(cell.strip() for cell in row))
    except csv.Error:
        pass
    return rows


def _detect_delimiter(lines: list[str]) -> str:
    """The candidate under which the header has the most cells and the most rows agree."""
    best, best_score = ",", (-1.0, 0)
    for candidate in DELIMITERS:
        rows = _rows(lines, candidate)
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        agreeing = sum(len(row) == width for row in rows[1:]) / max(len(rows) - 1, 1)
        score = (agreeing, width)
        if score > best_score:
            best, best_score = candidate, score
    return best


def _detect_decimal(rows: Iterable[list[str]]) -> str:
    """``","`` when some cells are numbers written with a comma and none with a dot."""
    commas = dots = 0
    for row in rows:
        for cell in row:
            text = cell.strip()
            commas += _COMMA_NUMBER.fullmatch(text) is not None
            dots += _DOT_NUMBER.fullmatch(text) is not None
    return "," if commas and not dots else "."


def is_comma_number(cell: str) -> bool:
    """Whether ``cell`` is a number written with a decimal comma (``3,14``, ``-,5e2``)."""
    return _COMMA_NUMBER.fullmatch(cell) is not None


def to_dot(cell: str) -> str:
    """``cell`` with its decimal comma made a dot, if it is a number written with a comma."""
    return cell.replace(",", ".") if is_comma_number(cell) else cell
