"""The zip archive of a model file: writing its members, reading them back with bounds.

A model file is a zip of one JSON manifest (``ffnn.json``) and ``.npy`` arrays. Reading trusts
nothing: every member is decompressed in chunks up to a size limit (the manifest's, or what the
declared shape and dtype need), whatever the zip declares; only stored and deflate members are
read; a ``.npy`` header is parsed here (literals only, never a pickle) and must match the
manifest's shape and dtype before its data is looked at; and any problem, including what the
zip, zlib and struct layers raise (:data:`ARCHIVE_ERRORS`), is a ``ValueError`` that names the
file and the member.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import math
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

import numpy as np

from ffnn._version import __version__
from ffnn.io._atomic import replace_atomically

__all__ = [
    "ARCHIVE_ERRORS",
    "ARRAY_DTYPES",
    "FORMAT",
    "FORMAT_VERSION",
    "MANIFEST",
    "archive_errors",
    "array_entry",
    "check_finite",
    "open_archive",
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
#: No array of a model holds more values than this (2**40: 8 TiB of float64); larger
#: declarations are refused before anything else is looked at.
_MAX_ARRAY_VALUES = 2**40
#: What ffnn writes nests a dozen levels; deeper documents are refused before any reader
#: recurses into them.
_MAX_DEPTH = 64
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


#: The compression methods ffnn writes (deflate) or a zip tool may use (stored); bzip2, lzma
#: and the rest are valid zip but never written by ffnn, so a file using them is refused.
_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate"}
_CHUNK = 1 << 20
#: Everything the zip, zlib and struct layers raise on damaged bytes or a file that changes
#: while it is read; :func:`archive_errors` turns them into a ``ValueError`` naming the file.
#: (``RuntimeError``: an encrypted member; ``NotImplementedError``: an unknown method.)
ARCHIVE_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    struct.error,
    NotImplementedError,
    RuntimeError,
    OverflowError,
    OSError,
    ValueError,
)


@contextlib.contextmanager
def archive_errors(path: str, what: str) -> Iterator[None]:
    """Report the low-level errors of reading ``what`` as ``ValueError(f"{path}: ...")``."""
    try:
        yield
    except ARCHIVE_ERRORS as error:
        if isinstance(error, ValueError) and str(error).startswith(path):
            raise  # already ours
        raise ValueError(
            f"{path}: damaged ffnn model file ({what}: {type(error).__name__}: {error})"
        ) from None


def open_archive(stream: BinaryIO, path: str) -> zipfile.ZipFile:
    """The zip read from ``stream`` (the file ``path``), its directory checked: no member named
    twice."""
    with archive_errors(path, "the zip directory"):
        archive = zipfile.ZipFile(stream)
    names = archive.namelist()
    if len(set(names)) != len(names):
        archive.close()
        twice = sorted({name for name in names if names.count(name) > 1})
        raise ValueError(f"{path}: damaged ffnn model file: the zip names {twice!r:.80} twice")
    return archive


def read_member(archive: zipfile.ZipFile, member: str, limit: int, path: str) -> bytearray:
    """The bytes of ``member``, refused when the zip declares or holds more than ``limit``.

    The declared size is not trusted: the member is decompressed in chunks and refused as
    soon as it passes ``limit``, so memory stays within what the caller expects.
    """
    try:
        info = archive.getinfo(member)
    except KeyError:
        raise ValueError(f"{path}: damaged ffnn model file: member {member!r} is missing") from None
    if info.flag_bits & 0x1:
        raise ValueError(f"{path}: member {member!r} is encrypted; ffnn writes no such file")
    if info.compress_type not in _METHODS:
        raise ValueError(
            f"{path}: member {member!r} uses zip compression method {info.compress_type}; "
            f"ffnn reads only {' and '.join(_METHODS.values())}"
        )
    if info.file_size > limit:
        raise ValueError(
            f"{path}: member {member!r} declares {info.file_size} bytes, more than the "
            f"{limit} expected; the file is damaged or hostile"
        )
    data = bytearray()
    with archive_errors(path, member), archive.open(info) as stream:
        while len(data) <= limit:
            chunk = stream.read(min(_CHUNK, limit + 1 - len(data)))
            if not chunk:
                break
            data += chunk
    if len(data) > limit:
        raise ValueError(f"{path}: member {member!r} is larger than the {limit} bytes expected")
    return data


def _parse_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number")


def _parse_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text:.40} is out of the range of a float")
    return value


def _depth(document: Any) -> int:
    """How deep lists and objects nest in ``document`` (counted without recursion)."""
    deepest, stack = 0, [(document, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            deepest = max(deepest, depth)
            stack.extend(
                (item, depth + 1) for item in (node.values() if isinstance(node, dict) else node)
            )
    return deepest


def read_manifest(archive: zipfile.ZipFile, path: str) -> dict[str, Any]:
    """The parsed ``ffnn.json``, checked to be an ffnn model of a version this ffnn reads;
    ``NaN``, ``Infinity`` and numbers out of float range are refused."""
    raw = read_member(archive, MANIFEST, _MAX_MANIFEST_BYTES, path)
    try:
        document = json.loads(
            raw.decode("utf-8"), parse_constant=_parse_constant, parse_float=_parse_float
        )
    except (ValueError, RecursionError) as error:  # bad UTF-8 or JSON, too deep, too long
        raise ValueError(f"{path}: {MANIFEST} is not valid JSON ({error})") from None
    if _depth(document) > _MAX_DEPTH:
        raise ValueError(f"{path}: {MANIFEST} nests deeper than {_MAX_DEPTH} levels")
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValueError(f"{path}: not an ffnn model file ({MANIFEST} has no format {FORMAT!r})")
    version = document.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ValueError(f"{path}: invalid format_version {version!r}")
    if version > FORMAT_VERSION:
        raise ValueError(
            f"{path}: written with format version {version} by ffnn "
            f"{str(document.get('ffnn_version', '?')):.40}; this ffnn {__version__} reads "
            f"versions up to {FORMAT_VERSION}: upgrade ffnn to load it"
        )
    return document


def array_entry(
    entry: Any, path: str, allowed: Callable[[Any], bool] = ARRAY_DTYPES.__contains__
) -> tuple[str, tuple[int, ...], np.dtype, int]:
    """``(member, shape, dtype, nbytes)`` of a manifest entry ``{"name", "path", "shape",
    "dtype"}``, checked without reading anything; ``allowed(dtype)`` says which dtypes the
    caller accepts (never objects)."""
    if not isinstance(entry, dict) or not {"name", "path", "shape", "dtype"} <= set(entry):
        raise ValueError(f"{path}: malformed array entry {entry!r:.120}")
    name, member, shape, dtype = entry["name"], entry["path"], entry["shape"], entry["dtype"]
    if not isinstance(name, str) or not isinstance(member, str):
        raise ValueError(f"{path}: malformed array entry {entry!r:.120}")
    if (
        not isinstance(shape, list)
        or len(shape) > 32
        or not all(isinstance(n, int) and not isinstance(n, bool) and 0 <= n for n in shape)
        or not isinstance(dtype, str)
        or not allowed(dtype)
    ):
        raise ValueError(
            f"{path}: array {name!r:.60} has an invalid shape or dtype "
            f"({str(shape):.60}, {str(dtype):.20})"
        )
    count = math.prod(shape)
    if count > _MAX_ARRAY_VALUES:
        raise ValueError(f"{path}: array {name!r:.60} declares {count:.3g} values; too many")
    dt = np.dtype(dtype)
    return member, tuple(shape), dt, count * dt.itemsize


def _npy_header(data: bytearray) -> tuple[tuple[int, ...], bool, str, int]:
    """``(shape, fortran_order, descr, data offset)`` of the ``.npy`` bytes ``data``.

    The header is read here rather than by ``numpy.load`` (which allocates the declared shape
    before it reads the data, and whose header parser raises tokenizer errors on damage): the
    magic string, the version, the header's length, then its dict literal, read with
    :func:`ast.literal_eval` (literals only, never code).
    """
    if bytes(data[:6]) != b"\x93NUMPY" or len(data) < 10:
        raise ValueError("not a .npy array")
    major = data[6]
    if major == 1:
        (length,), start = struct.unpack("<H", bytes(data[8:10])), 10
    elif major in (2, 3) and len(data) >= 12:
        (length,), start = struct.unpack("<I", bytes(data[8:12])), 12
    else:
        raise ValueError(f"unknown .npy version {major}")
    if length > _NPY_HEADER_ALLOWANCE or start + length > len(data):
        raise ValueError(f"a .npy header of {length} bytes")
    try:
        text = bytes(data[start : start + length]).decode("utf-8" if major == 3 else "latin1")
        header = ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError) as error:
        raise ValueError(f"unreadable .npy header ({type(error).__name__})") from None
    if not isinstance(header, dict) or set(header) != {"descr", "fortran_order", "shape"}:
        raise ValueError(f"malformed .npy header {header!r:.80}")
    shape, fortran, descr = header["shape"], header["fortran_order"], header["descr"]
    if (
        not isinstance(shape, tuple)
        or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape)
        or not isinstance(fortran, bool)
        or not isinstance(descr, str)
    ):
        raise ValueError(f"malformed .npy header {header!r:.80}")
    return shape, fortran, descr, start + length


def read_array(
    archive: zipfile.ZipFile,
    entry: Any,
    path: str,
    allowed: Callable[[Any], bool] = ARRAY_DTYPES.__contains__,
) -> np.ndarray:
    """The array an entry ``{"name", "path", "shape", "dtype"}`` describes; ``allowed(dtype)``
    says which dtypes the caller accepts (never objects: the ``.npy`` is parsed here, never
    unpickled). The ``.npy`` header must repeat the manifest's shape and dtype and the data
    must have exactly that size; the array is a view of the bytes read, never allocated from
    a declared size."""
    member, shape, dtype, nbytes = array_entry(entry, path, allowed)
    name = entry["name"]
    data = read_member(archive, member, nbytes + _NPY_HEADER_ALLOWANCE, path)
    try:
        stored_shape, fortran, stored_dtype, offset = _npy_header(data)
    except ValueError as error:
        raise ValueError(f"{path}: array {name!r} is damaged ({error})") from None
    if stored_shape != shape or stored_dtype != dtype.str:
        raise ValueError(
            f"{path}: array {name!r} is {stored_dtype:.20}{list(stored_shape)}, the manifest "
            f"says {dtype.str}{list(shape)}"
        )
    if len(data) - offset != nbytes:
        raise ValueError(
            f"{path}: array {name!r} holds {len(data) - offset} bytes of data, its shape "
            f"{list(shape)} needs {nbytes}"
        )
    array = np.frombuffer(data, dtype=dtype, count=math.prod(shape), offset=offset)
    array = array.reshape(shape, order="F" if fortran else "C")
    return array


def check_finite(array: np.ndarray, name: str, path: str) -> np.ndarray:
    """``array`` once its numbers are finite (a model's weights are set through
    ``Sequential.set_weights``, which checks them itself)."""
    if array.dtype.kind == "f" and not np.all(np.isfinite(array)):
        raise ValueError(f"{path}: array {name!r:.60} holds non-finite numbers (NaN or infinity)")
    return array
