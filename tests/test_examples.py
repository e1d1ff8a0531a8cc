"""The example scripts run, learn what they claim to, and leave valid pictures behind.

Each example's ``main(argv)`` is called in-process with few epochs; the metric it prints must
clear a bar well below what the full run reaches (docs/examples.md has those numbers).
"""

from __future__ import annotations

import importlib.util
import re
import struct
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def load_example(name: str) -> ModuleType:
    """``examples/<name>.py`` as a module (the folder is not a package)."""
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def printed_number(output: str, label: str) -> float:
    match = re.search(rf"^{re.escape(label)}: ([0-9.]+)", output, re.MULTILINE)
    assert match, f"no line starting with {label!r} in:\n{output}"
    return float(match.group(1))


def assert_valid_png(path: Path) -> None:
    """A PNG file: the signature, an IHDR chunk with a real size, and matplotlib can read it."""
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE, f"{path} is not a PNG"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    assert width >= 400 and height >= 200, f"{path} is only {width}x{height}"
    assert matplotlib.image.imread(path).shape[:2] == (height, width)


@pytest.mark.parametrize(
    ("name", "argv", "label", "bar", "pictures"),
    [
        (
            "two_moons",
            ["--epochs", "40"],
            "test accuracy",
            0.9,
            ["decision_boundary.png", "loss_curves.png"],
        ),
        ("digits", ["--epochs", "15"], "test accuracy", 0.9, ["loss_curves.png", "mistakes.png"]),
        ("regression", ["--epochs", "60"], "test R^2", 0.9, ["fit.png"]),
        ("regression", ["--epochs", "60", "--loss", "huber"], "test R^2", 0.9, ["fit.png"]),
        ("mnist_1d", ["--epochs", "20"], "test accuracy", 0.5, ["loss_curves.png"]),
    ],
    ids=["two_moons", "digits", "regression-mse", "regression-huber", "mnist_1d"],
)
def test_example_learns_and_saves_its_pictures(
    name: str,
    argv: list[str],
    label: str,
    bar: float,
    pictures: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    if name == "digits":
        pytest.importorskip("sklearn")
    if name == "mnist_1d":
        pytest.importorskip("mnist1d")
    out = tmp_path / "pictures"
    assert load_example(name).main([*argv, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert printed_number(printed, label) > bar
    assert "training time: " in printed
    assert sorted(p.name for p in out.iterdir()) == sorted(pictures)
    for picture in pictures:
        assert_valid_png(out / picture)
        assert f"saved {out / picture}" in printed


def test_default_output_folder_is_new_each_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    example = load_example("regression")
    assert example.main(["--epochs", "2"]) == 0
    assert example.main(["--epochs", "2"]) == 0
    assert (tmp_path / "regression_output" / "fit.png").is_file()
    assert (tmp_path / "regression_output_2" / "fit.png").is_file()
    assert "saved regression_output_2" in capsys.readouterr().out.replace("\\", "/")


def test_existing_pictures_are_kept_unless_overwrite_is_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    example = load_example("regression")
    picture = tmp_path / "fit.png"
    picture.write_bytes(b"an earlier picture")
    assert example.main(["--epochs", "2", "--out", str(tmp_path)]) == 1
    assert "already holds fit.png; pass --overwrite" in capsys.readouterr().err
    assert picture.read_bytes() == b"an earlier picture"
    assert example.main(["--epochs", "2", "--out", str(tmp_path), "--overwrite"]) == 0
    assert_valid_png(picture)


def test_digits_without_scikit_learn_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for module in ["sklearn", "sklearn.datasets", "sklearn.model_selection"]:
        monkeypatch.setitem(sys.modules, module, None)  # import raises ImportError
    assert load_example("digits").main(["--out", str(tmp_path / "out")]) == 1
    assert "needs scikit-learn" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def write_tiny_mnist(folder: Path, n_train: int = 600, n_test: int = 200) -> None:
    """A tiny learnable data set in MNIST's layout and IDX format: label k is a bright bar
    across rows 2k+4 and 2k+5 of a noisy 28x28 image."""
    rng = np.random.default_rng(0)
    folder.mkdir(parents=True)
    for prefix, n in [("train", n_train), ("t10k", n_test)]:
        labels = rng.integers(0, 10, n).astype(np.uint8)
        images = rng.integers(0, 60, (n, 28, 28)).astype(np.uint8)
        for row_offset in (4, 5):
            images[np.arange(n), 2 * labels + row_offset, 4:24] = 255
        header = struct.pack(">BBBBIII", 0, 0, 0x08, 3, n, 28, 28)
        (folder / f"{prefix}-images-idx3-ubyte").write_bytes(header + images.tobytes())
        header = struct.pack(">BBBBI", 0, 0, 0x08, 1, n)
        (folder / f"{prefix}-labels-idx1-ubyte").write_bytes(header + labels.tobytes())


@pytest.mark.parametrize(("dataset", "folder"), [("mnist", "mnist"), ("fashion", "fashion-mnist")])
def test_mnist_example_reads_the_idx_files_learns_and_saves_its_pictures(
    dataset: str, folder: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tiny_mnist(tmp_path / "data" / folder)
    out = tmp_path / "pictures"
    argv = ["--dataset", dataset, "--data-dir", str(tmp_path / "data"), "--epochs", "3"]
    assert load_example("mnist").main([*argv, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert printed_number(printed, "test accuracy") > 0.9
    assert f"(200 test images, {dataset})" in printed
    assert "training time: " in printed
    for picture in ["loss_curves.png", "mistakes.png"]:
        assert_valid_png(out / picture)


def test_mnist_example_without_the_data_says_how_to_fetch_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--dataset", "fashion", "--data-dir", str(tmp_path), "--out", str(tmp_path / "out")]
    assert load_example("mnist").main(argv) == 1
    err = capsys.readouterr().err
    assert f"{tmp_path / 'fashion-mnist'} is not a folder" in err
    assert "python scripts/fetch_data.py" in err
    assert not (tmp_path / "out").exists()


def test_mnist_1d_without_the_package_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "mnist1d", None)  # import raises ImportError
    assert load_example("mnist_1d").main(["--out", str(tmp_path / "out")]) == 1
    assert "pip install mnist1d" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("name", ["two_moons", "digits", "regression", "mnist_1d", "mnist"])
def test_every_example_says_what_it_shows_and_how_to_run_it(name: str) -> None:
    example = load_example(name)
    assert example.__doc__ and "What it shows" in example.__doc__
    assert f"python examples/{name}.py" in example.__doc__
    with pytest.raises(SystemExit) as stop:
        example.main(["--help"])
    assert stop.value.code == 0
