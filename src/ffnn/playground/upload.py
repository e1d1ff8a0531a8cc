"""An uploaded CSV file, read by the reader ``ffnn train`` uses, without writing a file.

:func:`ffnn.csvdata.read_csv_bytes` reads the bytes in memory; its messages name the uploaded
file's name.
"""

from __future__ import annotations

import os
import re
from typing import Any

from ffnn.csvdata import DataError, Table, read_csv_bytes
from ffnn.preprocessing.cells import canonical

__all__ = ["MAX_UPLOAD_BYTES", "column_kinds", "read_upload", "safe_name"]

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


def safe_name(name: str) -> str:
    """The file's base name, only letters, digits, ``._-`` (for messages and scripts)."""
    base = re.sub(r"[^A-Za-z0-9._-]", "_", os.path.basename(name.replace("\\", "/")))[:80]
    return base if base.strip("._") else "upload.csv"


def read_upload(data: bytes, name: str) -> Table:
    """The table of an uploaded file's bytes; :class:`DataError` with the reader's message."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise DataError(f"{name} is larger than {MAX_UPLOAD_BYTES // 1024 // 1024} MiB")
    return read_csv_bytes(data, name)


def column_kinds(table: Table) -> list[dict[str, Any]]:
    """``[{"name", "kind"}]``: "number" when every present cell is a number, else "text"
    ("empty" for a column without a value)."""
    columns = []
    for name in table.columns:
        present = [cell for cell in table.column(name) if canonical(cell) is not None]
        kind = "empty" if not present else "number"
        for cell in present:
            try:
                float(cell)
            except ValueError:
                kind = "text"
                break
        columns.append({"name": name, "kind": kind})
    return columns
