"""CSV files in, cells as text out, numbers parsed on demand; predictions back to CSV.

Files have a header row and are UTF-8 (a byte-order mark is allowed), with LF or CRLF line
ends; blank lines are skipped and cells are stripped of surrounding spaces. The delimiter
(``,`` ``;`` tab ``|``) and a decimal comma are detected from the first 64 KiB
(:mod:`ffnn.csvdata.dialect` says how) unless given. Every problem with a file or a column
raises :class:`DataError`, a ``ValueError`` whose message names the file, the column and the
line; a file's problems are listed together (up to :data:`MAX_REPORTED` at once): rows that the
csv module refuses and rows of the wrong length, then, column by column, cells that are not
numbers.

The parsing is the standard library's :mod:`csv` module: no dependency, it streams line by line,
and it is maintained with Python itself (quoting, embedded newlines and its corner cases are
decades old and well tested), where a parser of our own would be one more place for bugs. Memory
is bounded around it: physical lines are read with a bounded ``readline``, a row (a logical line,
which quoted newlines may spread over several physical ones) may hold at most
:data:`MAX_LINE_CHARS` characters and a field at most :data:`MAX_FIELD_CHARS` (the csv module's
``field_size_limit``, which is global to the process: set for the read and restored after it).
So a 1 GiB cell or line is refused after reading at most the limit, and a quote that is never
closed is an error naming its line instead of a field that swallows the rest of the file.

Numbers are float64, finite, and at most :data:`MAX_MAGNITUDE` (the largest float32) in size: the
networks ``ffnn train`` builds compute in float32, so a larger number cannot reach them, and the
squares that standardisation sums (at most 1.2e77 each) stay far from float64's 1.8e308, where
1e300 would overflow to inf.
"""

from __future__ import annotations

import csv
import io
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import BinaryIO, TextIO

import numpy as np

from ffnn.csvdata.dialect import (
    SAMPLE_CHARS,
    Dialect,
    check_dialect,
    detect,
    is_comma_number,
    to_dot,
)
from ffnn.io import replace_atomically

__all__ = [
    "DataError",
    "Table",
    "read_csv",
    "read_csv_bytes",
    "write_csv",
    "format_numbers",
    "MAX_FIELD_CHARS",
    "MAX_LINE_CHARS",
    "MAX_MAGNITUDE",
]

#: the longest field (cell) a CSV file may hold, in characters: 1 MiB
MAX_FIELD_CHARS = 1 << 20
#: the longest row (a line, or the lines a quoted field spreads over), in characters: 8 MiB
MAX_LINE_CHARS = 8 << 20
#: the largest magnitude of a number in a cell: float32's largest, 3.4028235e38
MAX_MAGNITUDE = float(np.finfo(np.float32).max)
#: how many problems with cells or rows one error lists
MAX_REPORTED = 10


class DataError(ValueError):
    """A file, a column or a model's metadata that a command cannot use; the message says why."""


def shorten(text: str, limit: int = 40) -> str:
    """``text`` quoted, cut to ``limit`` characters (a cell may be a megabyte long)."""
    return repr(text) if len(text) <= limit else repr(text[:limit]) + f"... ({len(text):,} chars)"


def quote_names(names: Sequence[str], limit: int = 12) -> str:
    """``a, b, c`` (the first ``limit`` names, then how many more); a name that is empty, long,
    holds a comma or a character that is not printable (a terminal's escape codes) is quoted."""
    plain = (n for n in names[:limit])
    shown = ", ".join(
        n if n and "," not in n and len(n) <= 40 and n.isprintable() else shorten(n) for n in plain
    )
    return shown + (f", ... ({len(names) - limit} more)" if len(names) > limit else "")


@dataclass(frozen=True)
class Table:
    """The cells of a CSV file as text: ``cells[j][i]`` is row ``i`` of ``columns[j]``.

    ``lines[i]`` is the line of the file that row ``i`` came from (for messages).
    """

    path: str
    columns: list[str]
    cells: list[list[str]]
    lines: list[int]
    dialect: Dialect = Dialect()
    positions: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # a dict, so that finding each of 100,000 columns is not 10 billion comparisons
        object.__setattr__(self, "positions", {name: j for j, name in enumerate(self.columns)})

    @property
    def n_rows(self) -> int:
        return len(self.lines)

    def column(self, name: str) -> list[str]:
        """The cells of column ``name``; :class:`DataError` listing the columns if it is absent."""
        if name not in self.positions:
            columns = quote_names(self.columns)
            raise DataError(f"{self.path} has no column {shorten(name)} (its columns: {columns})")
        return self.cells[self.positions[name]]

    def numbers(self, name: str) -> np.ndarray:
        """Column ``name`` as float64 ``(n_rows,)``: every cell a finite number of magnitude at
        most :data:`MAX_MAGNITUDE`; :class:`DataError` listing the cells that are not."""
        return self.matrix([name])[:, 0]

    def matrix(self, names: Sequence[str]) -> np.ndarray:
        """Columns ``names`` as a float64 matrix ``(n_rows, len(names))``, each cell checked as
        :meth:`numbers` does; one :class:`DataError` lists up to :data:`MAX_REPORTED` bad
        cells, in all the columns."""
        values = np.empty((self.n_rows, len(names)), dtype=np.float64)
        problems: list[tuple[int, int, str]] = []  # (row, column, what): a few per column
        n_problems, kinds = 0, set()
        for j, name in enumerate(names):
            cells = self.column(name)
            try:
                values[:, j] = np.array(cells, dtype=np.float64)
            except ValueError:  # find the culprits (or parse what only Python's float accepts)
                for i, cell in enumerate(cells):
                    try:
                        values[i, j] = float(cell)
                    except ValueError:
                        values[i, j] = 0.0
                        n_problems += 1
                        kinds.add("text")
                        if is_comma_number(cell):
                            kinds.add("comma")
                        what = "an empty cell" if not cell else shorten(cell)
                        if n_problems <= MAX_REPORTED:
                            problems.append((i, j, f"is not numeric: {what}"))
            bad = np.flatnonzero(~(np.abs(values[:, j]) <= MAX_MAGNITUDE))  # nan, inf, too large
            n_problems += bad.size
            for i in bad[:MAX_REPORTED]:
                kinds.add(_kind(cells[i]))
                problems.append((int(i), j, f"holds {_as_number(cells[i])}"))
        if n_problems:
            problems.sort()
            shown = "; ".join(
                f"column {shorten(names[j])} {what} on line {self.lines[i]}"
                for i, j, what in problems[:MAX_REPORTED]
            )
            more = f"; and {n_problems - MAX_REPORTED} more" if n_problems > MAX_REPORTED else ""
            hints = [text for kind, text in _HINTS.items() if kind in kinds]
            if "comma" in kinds:  # part of the "text" hint: one hint per kind of problem
                hints[0] += f" ({_COMMA_HINT})"
            raise DataError(f"{self.path}: {shown}{more}; {'; '.join(hints)}")
        return values


def _kind(cell: str) -> str:
    """``"missing"`` for a cell spelling NaN or infinity, ``"large"`` for a number too large."""
    spelled = cell.strip().lower().lstrip("+-")
    return "missing" if spelled in ("nan", "inf", "infinity") else "large"


def _as_number(cell: str) -> str:
    """A cell that parses as a number, unquoted, cut to 40 characters."""
    return cell if len(cell) <= 40 else f"{cell[:40]}... ({len(cell):,} chars)"


_COMMA_HINT = (
    "a number with a decimal comma is read as one where the delimiter is ';' or tab and "
    "--decimal , is given or detected from the file's start"
)
_HINTS = {
    "text": "a column used as numbers must hold numbers only",
    "missing": "fill in or drop the missing values first",
    "large": (
        f"numbers must be within ±{MAX_MAGNITUDE:.4g}, the largest float32, the dtype the "
        "networks compute in (rescale the column, e.g. to other units)"
    ),
}


def read_csv(
    path: str | os.PathLike[str],
    *,
    max_field: int | None = None,
    max_line: int | None = None,
    delimiter: str | None = None,
    decimal: str | None = None,
) -> Table:
    """Read a CSV file with a header row into a :class:`Table`.

    ``delimiter`` (``,`` ``;`` ``\\t`` ``|``, or ``tab``) and ``decimal`` (``.`` ``,``) override
    what is detected from the file's first :data:`~ffnn.csvdata.dialect.SAMPLE_CHARS`
    characters; another value is a ``ValueError``. With a decimal comma, cells that are numbers
    written with one (``3,14``) read as ``3.14``.

    Raises :class:`DataError` naming the file (and the line) for a missing, unreadable or empty
    file, bytes that are not UTF-8, a header without data rows, repeated column names, rows
    whose number of cells differs from the header's, a quote that is never closed, and a field
    or a row longer than ``max_field`` or ``max_line`` characters (default
    :data:`MAX_FIELD_CHARS`, :data:`MAX_LINE_CHARS`), refused after reading at most that many.
    """
    name = os.fspath(path)
    return _read_table(name, lambda: open(name, "rb"), max_field, max_line, delimiter, decimal)


def read_csv_bytes(
    data: bytes,
    name: str,
    *,
    max_field: int | None = None,
    max_line: int | None = None,
    delimiter: str | None = None,
    decimal: str | None = None,
) -> Table:
    """:func:`read_csv` of a file's content held in memory (an upload), its messages and the
    table's ``path`` naming it ``name``; nothing is written to disk."""
    return _read_table(name, lambda: io.BytesIO(data), max_field, max_line, delimiter, decimal)


def _read_table(
    name: str,
    open_binary: Callable[[], BinaryIO],
    max_field: int | None,
    max_line: int | None,
    delimiter: str | None,
    decimal: str | None,
) -> Table:
    """:func:`read_csv` of the bytes ``open_binary()`` gives (opened twice: once for the
    bounded dialect sample, once to read the rows), ``name`` naming them in messages."""
    delimiter, decimal = check_dialect(delimiter, decimal)
    max_field = MAX_FIELD_CHARS if max_field is None else max_field
    max_line = MAX_LINE_CHARS if max_line is None else max_line
    try:
        with open_binary() as binary:
            raw = binary.read(SAMPLE_CHARS)  # bounded, whatever the file holds
        sample = raw.decode("utf-8", errors="replace").removeprefix("\ufeff")
        dialect = detect(sample, len(raw) < SAMPLE_CHARS, delimiter, decimal)
        with io.TextIOWrapper(open_binary(), encoding="utf-8-sig", newline="") as stream:
            rows, problems, n_refused = _read_rows(
                name, stream, max_field, max_line, dialect.delimiter
            )
    except FileNotFoundError:
        raise DataError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise DataError(f"{name} is a folder, not a CSV file") from None
    except OSError as error:
        raise DataError(f"cannot read {name}: {error.strerror or error}") from None
    if not rows and not problems:
        raise DataError(f"{name} is empty: expected a header row, then data rows")
    columns = [cell.strip() for cell in rows[0][1]] if rows else []
    repeated = sorted(name for name, n in Counter(columns).items() if n > 1)
    if repeated:
        raise DataError(f"{name}: the header names columns more than once: {quote_names(repeated)}")
    ragged = [(line, len(row)) for line, row in rows[1:] if len(row) != len(columns)]
    problems += [
        (line, f"line {line} has {n} cells, the header has {len(columns)}") for line, n in ragged
    ]
    if problems:
        problems.sort()
        shown = "; ".join(text for _, text in problems[:MAX_REPORTED])
        n_more = n_refused + len(ragged) - MAX_REPORTED
        more = f"; and {n_more} more rows" if n_more > 0 else ""
        hint = f" (read with {dialect.describe()}; --delimiter and --decimal override that)"
        raise DataError(f"{name}: {shown}{more}{hint}")
    if len(rows) == 1:
        raise DataError(f"{name} has a header but no data rows")
    strip = (lambda cell: to_dot(cell.strip())) if dialect.decimal == "," else str.strip
    cells = [
        [strip(cell) for cell in column] for column in zip(*(r for _, r in rows[1:]), strict=True)
    ]
    return Table(name, columns, cells, [line for line, _ in rows[1:]], dialect)


def _read_rows(
    name: str, stream: TextIO, max_field: int, max_line: int, delimiter: str
) -> tuple[list[tuple[int, list[str]]], list[tuple[int, str]], int]:
    """The non-blank rows of ``stream`` as ``(line where the row starts, cells)``, and the rows
    that the csv module refused as ``(line, what is wrong)`` (the first :data:`MAX_REPORTED`),
    and how many it refused.

    Physical lines are read with a bounded ``readline`` and handed to :func:`csv.reader`
    (strict: a quote must close before the end of the field, and before the end of the file), so
    neither a long line nor a quoted field that never ends is held whole. A row that is not
    valid CSV is noted and reading goes on with the next line; a row too long, a field too long
    or a quote never closed end the reading (what follows cannot be told apart).
    """
    position = {"line": 0, "row_start": 1, "row_chars": 0}

    def lines() -> Iterator[str]:
        while True:
            try:
                text = stream.readline(max_line + 1)
            except UnicodeDecodeError:
                raise DataError(
                    f"{name} is not a UTF-8 text file (bytes that are not UTF-8 near line "
                    f"{position['line'] + 1}; is it a CSV file?)"
                ) from None
            if not text:
                return
            position["line"] += 1
            position["row_chars"] += len(text)
            if position["row_chars"] > max_line:
                start = position["row_start"]
                spread = position["line"] > start  # a quoted field ran on over several lines
                raise DataError(
                    f"{name}: the row starting on line {start} is longer than {max_line:,} "
                    "characters (the limit of a line)"
                    + ("; is a quote opened there never closed?" if spread else "")
                )
            yield text

    rows: list[tuple[int, list[str]]] = []
    problems: list[tuple[int, str]] = []
    n_refused = 0
    previous = csv.field_size_limit(max_field)  # the csv module's limit is global: restored
    try:
        reader = csv.reader(lines(), delimiter=delimiter, strict=True)
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as error:
                start, spread = position["row_start"], position["line"] > position["row_start"]
                fatal, problem = _csv_problem(start, error, max_field, spread)
                if fatal:
                    before = "".join(f"{text}; " for _, text in problems[:MAX_REPORTED])
                    raise DataError(f"{name}: {before}{problem}") from None
                n_refused += 1
                if n_refused <= MAX_REPORTED:
                    problems.append((start, problem))
                row = []
            if any(cell.strip() for cell in row):
                rows.append((position["row_start"], row))
            position["row_start"] = position["line"] + 1
            position["row_chars"] = 0
    finally:
        csv.field_size_limit(previous)
    return rows, problems, n_refused


def _csv_problem(line: int, error: csv.Error, max_field: int, spread: bool) -> tuple[bool, str]:
    """Whether what :func:`csv.reader` refused in the row starting on ``line`` ends the reading,
    and its message (``spread``: over several lines, as a quoted field with newlines, or one
    never closed)."""
    text = str(error)
    if "end of data" in text:
        return True, f"a quoted field on line {line} is never closed (a missing '\"'?)"
    if "field limit" in text or "field larger" in text:
        return True, (
            f"the row starting on line {line} has a field longer than {max_field:,} "
            "characters (the limit of a field)"
            + ("; is a quote opened there never closed?" if spread else "")
        )
    return False, f"line {line} is not valid CSV ({text})"


def write_csv(
    path: str | os.PathLike[str] | None, header: Sequence[str], columns: Sequence[Sequence[str]]
) -> None:
    """Write ``columns`` (each a sequence of cells, all of one length) under ``header``, to
    ``path`` or, when it is ``None``, to standard output. A file is written to a temporary
    file beside it and renamed over ``path``: a file there is replaced whole or not at all."""
    rows = zip(*columns, strict=True)
    if path is None:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        return

    def write(binary: BinaryIO) -> None:
        stream = io.TextIOWrapper(binary, encoding="utf-8", newline="")
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        stream.flush()
        stream.detach()  # the binary stream is closed by its owner

    replace_atomically(path, write)


def format_numbers(values: np.ndarray) -> list[str]:
    """Each number in its shortest form that reads back exactly in its own dtype
    (``0.1`` for a float32 0.1, not ``0.10000000149011612``)."""
    return [str(value) for value in np.asarray(values).ravel()]
