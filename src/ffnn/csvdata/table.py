"""CSV files in, cells as text out, numbers parsed on demand; predictions back to CSV.

Files have a header row, are comma-separated, UTF-8 (a byte-order mark is allowed); blank lines
are skipped and cells are stripped of surrounding spaces. Only NumPy and the standard ``csv``
module are used: pandas is not needed. Every problem with a file or a column raises
:class:`DataError`, a ``ValueError`` whose message names the file, the column and the line.
"""

from __future__ import annotations

import csv
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["DataError", "Table", "read_csv", "write_csv", "format_numbers"]


class DataError(ValueError):
    """A file, a column or a model's metadata that a command cannot use; the message says why."""


def quote_names(names: Sequence[str], limit: int = 12) -> str:
    """``a, b, c`` (the first ``limit`` names, then how many more)."""
    shown = ", ".join(repr(n) if not n or "," in n else n for n in names[:limit])
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

    @property
    def n_rows(self) -> int:
        return len(self.lines)

    def column(self, name: str) -> list[str]:
        """The cells of column ``name``; :class:`DataError` listing the columns if it is absent."""
        if name not in self.columns:
            raise DataError(
                f"{self.path} has no column {name!r} (its columns: {quote_names(self.columns)})"
            )
        return self.cells[self.columns.index(name)]

    def numbers(self, name: str) -> np.ndarray:
        """Column ``name`` as float64 ``(n_rows,)``; every cell must be a finite number."""
        cells = self.column(name)
        try:
            values = np.array(cells, dtype=np.float64)
        except ValueError:  # find the culprit (or parse what only Python's float accepts)
            values = np.array([self._number(name, line, cell) for line, cell in self._rows(cells)])
        finite = np.isfinite(values)
        if not finite.all():
            row = int(np.argmin(finite))
            raise DataError(
                f"{self.path}: column {name!r} holds {cells[row]} on line {self.lines[row]}; "
                "fill in or drop the missing values first"
            )
        return values

    def matrix(self, names: Sequence[str]) -> np.ndarray:
        """Columns ``names`` as a float64 matrix ``(n_rows, len(names))``."""
        return np.column_stack([self.numbers(name) for name in names]).reshape(self.n_rows, -1)

    def _rows(self, cells: list[str]) -> zip[tuple[int, str]]:
        return zip(self.lines, cells, strict=True)

    def _number(self, name: str, line: int, cell: str) -> float:
        try:
            return float(cell)
        except ValueError:
            what = "an empty cell" if not cell else repr(cell)
            raise DataError(
                f"{self.path}: column {name!r} is not numeric: {what} on line {line}"
            ) from None


def read_csv(path: str | os.PathLike[str]) -> Table:
    """Read a CSV file with a header row into a :class:`Table`.

    Raises :class:`DataError` for a missing, unreadable or empty file, a header without data
    rows, repeated column names, and rows whose number of cells differs from the header's.
    """
    name = os.fspath(path)
    try:
        with open(name, newline="", encoding="utf-8-sig") as stream:
            reader = csv.reader(stream)
            rows = [(reader.line_num, row) for row in reader if any(c.strip() for c in row)]
    except FileNotFoundError:
        raise DataError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise DataError(f"{name} is a folder, not a CSV file") from None
    except UnicodeDecodeError:
        raise DataError(f"{name} is not a UTF-8 text file (is it a CSV file?)") from None
    except (OSError, csv.Error) as error:
        raise DataError(f"cannot read {name}: {error}") from None
    if not rows:
        raise DataError(f"{name} is empty: expected a header row, then data rows")
    columns = [cell.strip() for cell in rows[0][1]]
    repeated = sorted({c for c in columns if columns.count(c) > 1})
    if repeated:
        raise DataError(f"{name}: the header names columns more than once: {quote_names(repeated)}")
    if len(rows) == 1:
        raise DataError(f"{name} has a header but no data rows")
    for line, row in rows[1:]:
        if len(row) != len(columns):
            raise DataError(
                f"{name}: line {line} has {len(row)} cells, the header has {len(columns)}"
            )
    cells = [
        [cell.strip() for cell in column] for column in zip(*(r for _, r in rows[1:]), strict=True)
    ]
    return Table(name, columns, cells, [line for line, _ in rows[1:]])


def write_csv(
    path: str | os.PathLike[str] | None, header: Sequence[str], columns: Sequence[Sequence[str]]
) -> None:
    """Write ``columns`` (each a sequence of cells, all of one length) under ``header``, to
    ``path`` or, when it is ``None``, to standard output."""
    rows = zip(*columns, strict=True)
    if path is None:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        return
    with open(path, "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def format_numbers(values: np.ndarray) -> list[str]:
    """Each number in its shortest form that reads back exactly in its own dtype
    (``0.1`` for a float32 0.1, not ``0.10000000149011612``)."""
    return [str(value) for value in np.asarray(values).ravel()]
