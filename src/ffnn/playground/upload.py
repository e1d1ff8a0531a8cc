"""An uploaded CSV file, read by the reader ``ffnn train`` uses, without writing a file.

:func:`ffnn.csvdata.read_csv` reads a path; the bytes are given to it as an anonymous
in-memory file (``os.memfd_create``, Linux) or, where that does not exist, as a file in a
temporary folder removed at once. Its messages name the uploaded file's name.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tempfile
from typing import Any

from ffnn.csvdata import DataError, Table, read_csv
from ffnn.preprocessing.cells import canonical

__all__ = ["MAX_UPLOAD_BYTES", "column_kinds", "read_upload", "safe_name"]

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


def safe_name(name: str) -> str:
    """The file's base name, only letters, digits, ``._-`` (for messages and scripts)."""
    base = re.sub(r"[^A-Za-z0-9._-]", "_", os.path.basename(name.replace("\\", "/")))[:80]
    return base if base.strip("._") else "upload.csv"


def _read(path: str, name: str) -> Table:
    try:
        table = read_csv(path)
    except DataError as error:
        raise DataError(str(error).replace(path, name)) from None
    return dataclasses.replace(table, path=name)


def read_upload(data: bytes, name: str) -> Table:
    """The table of an uploaded file's bytes; :class:`DataError` with the reader's message."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise DataError(f"{name} is larger than {MAX_UPLOAD_BYTES // 1024 // 1024} MiB")
    memfd = getattr(os, "memfd_create", None)
    if memfd is not None:
        fd = memfd("ffnn-upload")
        try:
            os.write(fd, data)
            return _read(f"/proc/self/fd/{fd}", name)
        finally:
            os.close(fd)
    with tempfile.TemporaryDirectory(prefix="ffnn-playground-") as folder:
        path = os.path.join(folder, "upload.csv")
        with open(path, "wb") as stream:
            stream.write(data)
        return _read(path, name)


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
