"""The zip archive of a model file: writing its members, reading them back with bounds.

A model file is a zip of one JSON manifest (``ffnn.json``) and ``.npy`` arrays. Reading trusts
nothing: every member is read with a size limit (the manifest's, or what the declared shape and
dtype need), arrays load with ``allow_pickle=False`` and must match the manifest's shape and
dtype, and any problem is a ``ValueError`` that names the file and the member.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from typing import Any, BinaryIO

import numpy as np

from ffnn._version import __version__
from ffnn.io._atomic import replace_atomically

__all__ = [
    "ARRAY_DTYPES",
    "FORMAT",
    "FORMAT_VERSION",
    "MANIFEST",
    "read_array",
    "read_manifest",
    "read_member",
    "write_archive",
]

FORMAT = "ffnn-model"
FORMAT_VERSION = 1
MANIFEST = "ffnn.json"
_MAX_MANIFEST_BYTES = 16 * 1024 * 1024
_NPY_HEADER_ALLOWANCE = 4096
#: The dtypes of a model's arrays: float32, float64 (weights, optimizer state), int64.
ARRAY_DTYPES = frozenset({"<f4", "<f8", "<i8"})


def write_archive(path: str, text: str, members: list[tuple[str, np.ndarray]]) -> None:
    """Write the manifest ``text`` and the ``(member, array)`` pairs to ``path`` atomically."""

    def write(stream: BinaryIO) -> None:
        with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(MANIFEST, text)
            for member, array in members:
                buffer = io.BytesIO()
                np.save(buffer, np.ascontiguousarray(array), allow_pickle=False)
                archive.writestr(member, buffer.getvalue())

    replace_atomically(path, write)


def read_member(archive: zipfile.ZipFile, member: str, limit: int, path: str) -> bytes:
    """The bytes of ``member``, refused when the zip declares or holds more than ``limit``."""
    try:
        info = archive.getinfo(member)
    except KeyError:
        raise ValueError(f"{path}: damaged ffnn model file: member {member!r} is missing") from None
    if info.file_size > limit:
        raise ValueError(
            f"{path}: member {member!r} declares {info.file_size} bytes, more than the "
            f"{limit} expected; the file is damaged or hostile"
        )
    try:
        with archive.open(info) as stream:
            data = stream.read(limit + 1)
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise ValueError(f"{path}: damaged ffnn model file ({member}: {error})") from None
    if len(data) > limit:
        raise ValueError(f"{path}: member {member!r} is larger than expected")
    return data


def read_manifest(archive: zipfile.ZipFile, path: str) -> dict[str, Any]:
    """The parsed ``ffnn.json``, checked to be an ffnn model of a version this ffnn reads."""
    raw = read_member(archive, MANIFEST, _MAX_MANIFEST_BYTES, path)
    try:
        document = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError) as error:  # bad UTF-8 or JSON, too deep, too long
        raise ValueError(f"{path}: {MANIFEST} is not valid JSON ({error})") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValueError(f"{path}: not an ffnn model file ({MANIFEST} has no format {FORMAT!r})")
    version = document.get("format_version")
    if not isinstance(version, int) or version < 1:
        raise ValueError(f"{path}: invalid format_version {version!r}")
    if version > FORMAT_VERSION:
        raise ValueError(
            f"{path}: written with format version {version} by ffnn "
            f"{document.get('ffnn_version', '?')}; this ffnn {__version__} reads versions "
            f"up to {FORMAT_VERSION}: upgrade ffnn to load it"
        )
    return document


def read_array(
    archive: zipfile.ZipFile,
    entry: Any,
    path: str,
    allowed: Callable[[Any], bool] = ARRAY_DTYPES.__contains__,
) -> np.ndarray:
    """The array an entry ``{"name", "path", "shape", "dtype"}`` describes; ``allowed(dtype)``
    says which dtypes the caller accepts (never objects: ``allow_pickle=False``)."""
    if not isinstance(entry, dict) or not {"name", "path", "shape", "dtype"} <= set(entry):
        raise ValueError(f"{path}: malformed array entry {entry!r}")
    shape, dtype = entry["shape"], entry["dtype"]
    if (
        not isinstance(shape, list)
        or not all(isinstance(n, int) and 0 <= n < 2**31 for n in shape)
        or not allowed(dtype)
    ):
        raise ValueError(f"{path}: array {entry['name']!r} has an invalid shape or dtype")
    expected = int(np.prod(shape, dtype=np.int64)) * np.dtype(dtype).itemsize
    data = read_member(archive, str(entry["path"]), expected + _NPY_HEADER_ALLOWANCE, path)
    try:
        array = np.load(io.BytesIO(data), allow_pickle=False)
    except (ValueError, OSError, EOFError) as error:
        raise ValueError(f"{path}: array {entry['name']!r} is damaged ({error})") from None
    if list(array.shape) != shape or array.dtype.str != dtype:
        raise ValueError(
            f"{path}: array {entry['name']!r} is {array.dtype.str}{list(array.shape)}, the "
            f"manifest says {dtype}{shape}"
        )
    return array
