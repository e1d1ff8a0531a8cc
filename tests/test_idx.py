"""Tests for ffnn.idx: IDX files of every type round-trip, damaged ones raise clear errors, and
load_mnist reads a folder in MNIST's layout. The files are written here, by a helper that
follows the format's description byte by byte (struct for the header, big-endian values)."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np
import pytest

from ffnn.datasets import load_idx, load_mnist

TYPE_CODES = {
    0x08: np.uint8,
    0x09: np.int8,
    0x0B: np.int16,
    0x0C: np.int32,
    0x0D: np.float32,
    0x0E: np.float64,
}
BIG_ENDIAN = {0x08: "B", 0x09: "b", 0x0B: "h", 0x0C: "i", 0x0D: "f", 0x0E: "d"}


def idx_bytes(values: np.ndarray, type_code: int) -> bytes:
    """An IDX file's bytes: 0 0, the type code, the number of dimensions, the sizes, the values
    one by one with struct (not NumPy, so the reader is checked against an independent writer)."""
    header = struct.pack(f">BBBB{values.ndim}I", 0, 0, type_code, values.ndim, *values.shape)
    flat = values.ravel().tolist()
    return header + struct.pack(f">{len(flat)}{BIG_ENDIAN[type_code]}", *flat)


def write(path: Path, content: bytes, compress: bool = False) -> Path:
    path.write_bytes(gzip.compress(content) if compress else content)
    return path


def sample(type_code: int, shape: tuple[int, ...]) -> np.ndarray:
    rng = np.random.default_rng(type_code)
    dtype = np.dtype(TYPE_CODES[type_code])
    if dtype.kind == "f":
        return rng.normal(scale=1e3, size=shape).astype(dtype)
    info = np.iinfo(dtype)
    return rng.integers(info.min, info.max, size=shape, endpoint=True, dtype=dtype)


@pytest.mark.parametrize("type_code", sorted(TYPE_CODES))
@pytest.mark.parametrize("shape", [(7,), (3, 4, 5)], ids=["1d", "3d"])
@pytest.mark.parametrize("compress", [False, True], ids=["plain", "gzip"])
def test_load_idx_round_trips_every_type_code(
    type_code: int, shape: tuple[int, ...], compress: bool, tmp_path: Path
) -> None:
    values = sample(type_code, shape)
    path = write(tmp_path / "file.idx", idx_bytes(values, type_code), compress)
    loaded = load_idx(path)
    assert loaded.dtype == np.dtype(TYPE_CODES[type_code]) and loaded.dtype.isnative
    assert loaded.shape == shape
    np.testing.assert_array_equal(loaded, values)
    loaded[(0,) * len(shape)] = 0  # writable, like any array the caller owns


def test_load_idx_tells_gzip_by_its_magic_bytes_not_by_its_name(tmp_path: Path) -> None:
    values = np.arange(6, dtype=np.uint8).reshape(2, 3)
    gz_named_plain = write(tmp_path / "plain.gz", idx_bytes(values, 0x08))
    plain_named_gzip = write(tmp_path / "compressed-ubyte", idx_bytes(values, 0x08), True)
    np.testing.assert_array_equal(load_idx(gz_named_plain), values)
    np.testing.assert_array_equal(load_idx(plain_named_gzip), values)


def test_load_idx_reads_an_empty_dimension_and_a_str_path(tmp_path: Path) -> None:
    path = write(tmp_path / "empty", struct.pack(">BBBBII", 0, 0, 0x0D, 2, 0, 4))
    loaded = load_idx(str(path))
    assert loaded.shape == (0, 4) and loaded.dtype == np.float32


MNIST_LIKE = struct.pack(">BBBBIII", 0, 0, 0x08, 3, 60000, 28, 28)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", r"not an IDX file: expected two zero bytes.* read only 0 byte\(s\)( \(|$)"),
        (b"\x00\x00", r"read only 2 byte\(s\): 00 00"),
        (b"\x01\x02\x08\x01" + b"\x00" * 8, r"expected two zero bytes.*read 01 02 08 01"),
        (b"\x00\x00\x07\x01" + b"\x00" * 8, r"type code \(0x08, 0x09, 0x0B.*read 00 00 07 01"),
        (b"\x00\x00\x08\x00", "expected at least one dimension in the IDX header, read 0"),
        (
            b"\x00\x00\x08\x03\x00\x00\x00\x05",
            r"IDX header cut short: expected 3 dimension sizes \(12 bytes\) after the magic "
            "number, the file has 4",
        ),
        (
            MNIST_LIKE + bytes(1000),
            r"expected 47040000 bytes of pixel data \(60000 x 28 x 28\) after the 16-byte "
            "header, the file has 1000",
        ),
        (
            struct.pack(">BBBBI", 0, 0, 0x0C, 1, 3) + bytes(13),
            r"expected 12 bytes of int32 data \(3\) after the 8-byte header, the file has "
            r"(13|more)",
        ),
        (  # a header that claims 16 GiB: refused from the file's size, nothing allocated
            struct.pack(">BBBBII", 0, 0, 0x0E, 2, 2**31, 2**31) + bytes(16),
            r"expected 36893488147419103232 bytes of float64 data .* the file has 16",
        ),
    ],
    ids=[
        "empty",
        "two-bytes",
        "wrong-magic",
        "unknown-type",
        "no-dimensions",
        "header-cut-short",
        "data-truncated",
        "trailing-bytes",
        "oversized-claim",
    ],
)
@pytest.mark.parametrize("compress", [False, True], ids=["plain", "gzip"])
def test_load_idx_refuses_damaged_files_naming_the_file_what_was_expected_and_read(
    content: bytes, message: str, compress: bool, tmp_path: Path
) -> None:
    path = write(tmp_path / "damaged-ubyte", content, compress)
    with pytest.raises(ValueError, match=message) as error:
        load_idx(path)
    assert str(error.value).startswith(f"{path}: ")
    assert str(error.value).endswith(" (after decompression)") == compress


def test_load_idx_refuses_a_damaged_gzip_stream(tmp_path: Path) -> None:
    values = np.arange(100, dtype=np.uint8)
    compressed = gzip.compress(idx_bytes(values, 0x08))
    truncated = write(tmp_path / "truncated.gz", compressed[: len(compressed) // 2])
    with pytest.raises(ValueError, match=r"truncated\.gz: damaged gzip stream"):
        load_idx(truncated)
    garbage = write(tmp_path / "garbage.gz", b"\x1f\x8b" + bytes(30))
    with pytest.raises(ValueError, match=r"garbage\.gz: damaged gzip stream"):
        load_idx(garbage)


def test_load_idx_missing_file_and_wrong_argument(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_idx(tmp_path / "nothing-here")
    with pytest.raises(TypeError, match="path must be a str or an os.PathLike path, got int 3"):
        load_idx(3)  # type: ignore[arg-type]


def write_mnist_folder(
    folder: Path, n_train: int = 12, n_test: int = 5, compress: bool = False
) -> dict[str, np.ndarray]:
    """A tiny data set in MNIST's layout, with the standard file names."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte": rng.integers(0, 10, n_train, dtype=np.uint8),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte": rng.integers(0, 10, n_test, dtype=np.uint8),
    }
    suffix = ".gz" if compress else ""
    for name, values in arrays.items():
        write(folder / (name + suffix), idx_bytes(values, 0x08), compress)
    return arrays


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "gzip"])
def test_load_mnist_returns_keras_splits_from_the_standard_names(
    compress: bool, tmp_path: Path
) -> None:
    arrays = write_mnist_folder(tmp_path / "mnist", compress=compress)
    (X_train, y_train), (X_test, y_test) = load_mnist(tmp_path / "mnist")
    assert X_train.shape == (12, 28, 28) and X_train.dtype == np.uint8
    assert y_train.shape == (12,) and X_test.shape == (5, 28, 28) and y_test.shape == (5,)
    np.testing.assert_array_equal(X_train, arrays["train-images-idx3-ubyte"])
    np.testing.assert_array_equal(y_test, arrays["t10k-labels-idx1-ubyte"])


def test_load_mnist_accepts_the_dotted_names_and_mixed_compression(tmp_path: Path) -> None:
    arrays = write_mnist_folder(tmp_path)
    (tmp_path / "train-images-idx3-ubyte").rename(tmp_path / "train-images.idx3-ubyte")
    labels = tmp_path / "t10k-labels-idx1-ubyte"
    write(tmp_path / "t10k-labels-idx1-ubyte.gz", labels.read_bytes(), compress=True)
    labels.unlink()
    (X_train, _), (_, y_test) = load_mnist(str(tmp_path))
    np.testing.assert_array_equal(X_train, arrays["train-images-idx3-ubyte"])
    np.testing.assert_array_equal(y_test, arrays["t10k-labels-idx1-ubyte"])


def test_load_mnist_names_the_missing_file_and_how_to_fetch_it(tmp_path: Path) -> None:
    write_mnist_folder(tmp_path)
    (tmp_path / "t10k-images-idx3-ubyte").unlink()
    with pytest.raises(FileNotFoundError) as error:
        load_mnist(tmp_path)
    message = str(error.value)
    assert "has no test images file: expected t10k-images-idx3-ubyte or " in message
    assert "t10k-images-idx3-ubyte.gz" in message
    assert "python scripts/fetch_data.py" in message
    with pytest.raises(FileNotFoundError, match=r"is not a folder.*scripts/fetch_data\.py"):
        load_mnist(tmp_path / "absent")


def test_load_mnist_refuses_images_and_labels_that_disagree(tmp_path: Path) -> None:
    write_mnist_folder(tmp_path)
    write(tmp_path / "train-labels-idx1-ubyte", idx_bytes(np.zeros(11, np.uint8), 0x08))
    with pytest.raises(ValueError, match="train images and labels disagree: 12 images but 11"):
        load_mnist(tmp_path)
    write(tmp_path / "train-labels-idx1-ubyte", idx_bytes(np.zeros((12, 2), np.uint8), 0x08))
    with pytest.raises(ValueError, match=r"expected train images .* read \(12, 28, 28\) and"):
        load_mnist(tmp_path)
