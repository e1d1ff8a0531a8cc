"""End-to-end tests of the ``ffnn`` command line, run in-process through ``main(argv)``."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest

import ffnn
from ffnn import cli, csvdata
from ffnn.cli import main

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PICTURES = ["dataset.png", "decision_boundary.png", "loss_curve.png"]
PICTURES_IN_ORDER = ["dataset.png", "loss_curve.png", "decision_boundary.png"]  # as saved
FILES = sorted([*PICTURES, "blobs.csv"])  # the pictures and the data, for the closing lines
LOSS_LINE = re.compile(r"^Iteration (\d+), Loss: (\d+\.\d{6})$", re.MULTILINE)


@pytest.fixture
def agg(monkeypatch):
    """matplotlib present and drawing off-screen."""
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture
def no_matplotlib(monkeypatch):
    """Every ``import matplotlib...`` fails, as on an install without the plot extra."""
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)


def test_demo_with_defaults_prints_the_tutorials_run_and_saves_three_pictures(
    agg, tmp_path, capsys
):
    assert main(["demo", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    lines = LOSS_LINE.findall(out)
    assert [int(i) for i, _ in lines] == list(range(0, 10000, 100))
    # The same losses as the tutorial's train() called directly, with the tutorial's settings.
    X, y = ffnn.datasets.tutorial_blobs()
    expected: list[float] = []
    ffnn.tutorial.train(X, y, plot=False, verbose=False, losses=expected)
    assert [loss for _, loss in lines] == [f"{loss:.6f}" for loss in expected]
    assert lines[0][1].startswith("0.69")  # log 2: the untrained network says 1/2 everywhere
    assert "Accuracy: 100.00%" in out.splitlines()
    assert sorted(p.name for p in tmp_path.iterdir()) == FILES
    for name in PICTURES:
        assert (tmp_path / name).read_bytes()[:8] == PNG_SIGNATURE
        assert f"Saved {tmp_path / name}" in out


def test_demo_pictures_are_640_by_480(agg, tmp_path):
    import matplotlib.image

    assert main(["demo", "--out", str(tmp_path / "a" / "b"), "--iterations", "200"]) == 0
    for name in PICTURES:
        assert matplotlib.image.imread(tmp_path / "a" / "b" / name).shape == (480, 640, 4)


def test_demo_passes_its_settings_to_training(agg, tmp_path, capsys):
    args = ["--hidden-size", "3", "--learning-rate", "0.05", "--iterations", "300", "--seed", "7"]
    assert main(["demo", "--no-plots", *args]) == 0
    out = capsys.readouterr().out
    X, y = ffnn.datasets.tutorial_blobs()
    expected: list[float] = []
    params = ffnn.tutorial.train(
        X, y, 3, 0.05, 300, seed=7, plot=False, verbose=False, losses=expected
    )
    assert [loss for _, loss in LOSS_LINE.findall(out)] == [f"{v:.6f}" for v in expected]
    accuracy = np.mean(ffnn.tutorial.predict(X, params) == y) * 100
    assert f"Accuracy: {accuracy:.2f}%" in out


def test_demo_default_out_is_a_new_folder_each_run(agg, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["demo", "--iterations", "100"]) == 0
    assert main(["demo", "--iterations", "100"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ffnn_demo", "ffnn_demo_2"]
    for folder in ("ffnn_demo", "ffnn_demo_2"):
        assert sorted(p.name for p in (tmp_path / folder).iterdir()) == FILES
    out = capsys.readouterr().out
    assert "Saved ffnn_demo_2/loss_curve.png" in out.replace("\\", "/")


def test_demo_no_plots_trains_and_writes_nothing(agg, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["demo", "--iterations", "200", "--no-plots"]) == 0
    out = capsys.readouterr().out
    assert len(LOSS_LINE.findall(out)) == 2
    assert "Accuracy:" in out and "Saved" not in out
    assert list(tmp_path.iterdir()) == []


def test_demo_without_matplotlib_trains_then_names_the_extra(
    no_matplotlib, tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)
    assert main(["demo", "--iterations", "200"]) == 0
    out = capsys.readouterr().out
    assert len(LOSS_LINE.findall(out)) == 2
    assert "Accuracy:" in out
    assert out.strip().splitlines()[-1].endswith("pip install 'ffnn[plot]'")
    assert list(tmp_path.iterdir()) == []  # no empty picture folder either


def test_demo_animate_adds_a_gif_of_the_training_and_prints_the_same_run(agg, tmp_path, capsys):
    PIL_image = pytest.importorskip("PIL.Image")
    assert main(["demo", "--no-plots", "--iterations", "30"]) == 0
    plain = capsys.readouterr().out
    assert main(["demo", "--animate", "--iterations", "30", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*FILES, "training.gif"])
    # the tutorial's lines unchanged, one "Saved" line per picture, the GIF, the data, then
    # the closing lines
    saved = [f"Saved {tmp_path / name}" for name in [*PICTURES_IN_ORDER, "training.gif"]]
    saved.append(f"Saved {tmp_path / 'blobs.csv'}")
    expected = plain.splitlines() + saved
    assert out.splitlines()[: len(expected)] == expected
    assert out.splitlines()[len(expected) + 1].startswith("Next: ")
    with PIL_image.open(tmp_path / "training.gif") as gif:
        assert (gif.format, gif.size) == ("GIF", (640, 480))
        # after steps 1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 18, 22, 27 (each 1.2 times the one
        # before) and the last, 30
        assert gif.n_frames == 14


ROOT = Path(__file__).resolve().parents[1]


def closing_commands(out: str) -> list[list[str]]:
    """The commands the demo's closing lines name, as a shell splits them."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Next: "))
    return [shlex.split(line) for line in lines[start + 1 :] if line.startswith("  ")]


def test_demo_ends_with_commands_that_run_as_printed(agg, tmp_path, monkeypatch, capsys):
    """From a clone (the repository's root) with ``ffnn`` not on the PATH, as ``make demo``
    runs it before any activation: the closing lines name this environment's ``ffnn`` and
    ``python`` by path, say how to activate it, name an example that is there, and train and
    predict on the data the demo saved, which run as printed."""
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert main(["demo", "--iterations", "100", "--out", str(tmp_path / "demo")]) == 0
    out = capsys.readouterr().out
    scripts = Path(sys.executable).parent
    if scripts.is_relative_to(ROOT):  # a .venv inside the clone is named from it: .venv/bin
        scripts = scripts.relative_to(ROOT)
    assert f"(or first: . {scripts}/activate, and then type them without {scripts}/)" in out
    commands = closing_commands(out)
    assert [words[0] for words in commands] == [
        str(scripts / name) for name in ("ffnn", "ffnn", "python", "ffnn", "ffnn", "ffnn")
    ]
    assert Path(commands[0][0]).is_file() and Path(commands[2][0]).is_file()
    assert Path(commands[2][1]).is_file() and commands[2][1].startswith("examples")
    assert commands[3][1:] == ["demo", "--animate"]
    cli.build_parser().parse_args(commands[3][1:])  # a command as it exists
    assert commands[4][1:] == ["playground"]
    cli.build_parser().parse_args(commands[4][1:])  # the playground, as it exists
    assert main(commands[0][1:] + ["--quiet"]) == 0  # train: its defaults
    capsys.readouterr()
    assert main(commands[1][1:]) == 0  # predict, on the model train wrote
    predictions = capsys.readouterr().out.splitlines()
    assert predictions[0] == "label,proba_0,proba_1" and len(predictions) == 301
    assert main(commands[5][1:]) == 0  # --help


def test_demo_closing_lines_are_bare_where_ffnn_on_the_path_is_this_one(
    agg, tmp_path, monkeypatch, capsys
):
    """Activated (this environment's scripts first on the PATH), and away from a clone: bare
    commands, no activation line, no example that is not there."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent))
    assert main(["demo", "--iterations", "100"]) == 0
    out = capsys.readouterr().out
    assert "activate" not in out
    data = Path("ffnn_demo", "blobs.csv")
    model = Path("ffnn_demo", "model.ffnn")
    assert closing_commands(out) == [
        ["ffnn", "train", str(data), "--target", "label", "--out", str(model)],
        ["ffnn", "predict", str(model), str(data), "--proba"],
        ["ffnn", "demo", "--animate"],
        ["ffnn", "playground"],
        ["ffnn", "--help"],
    ]


def test_demo_animate_with_no_plots_exits_2(capsys):
    assert main(["demo", "--animate", "--no-plots"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("ffnn demo: error: --animate saves a picture, --no-plots none")


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--hidden-size", "0"], "--hidden-size"),
        (["--hidden-size", "four"], "--hidden-size"),
        (["--iterations", "-5"], "--iterations"),
        (["--learning-rate", "0"], "--learning-rate"),
        (["--learning-rate", "nan"], "--learning-rate"),
        (["--seed", "-1"], "--seed"),
        (["--unknown"], "unrecognized arguments: --unknown"),  # argparse reports it as "ffnn"
    ],
)
def test_demo_bad_arguments_exit_2_with_one_line_on_stderr(args, option, capsys):
    assert main(["demo", *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    (line,) = captured.err.strip().splitlines()
    assert re.match(r"ffnn( demo)?: error: ", line) and option in line


@pytest.mark.parametrize("where", ["a_file", "a_file/below"])
def test_demo_unwritable_out_exits_2_before_training(agg, tmp_path, where, capsys):
    (tmp_path / "a_file").write_text("not a folder")
    assert main(["demo", "--out", str(tmp_path / where)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # nothing trained
    (line,) = captured.err.strip().splitlines()
    assert line.startswith("ffnn demo: error: cannot write the pictures") and "a_file" in line


def test_unknown_command_exits_2(capsys):
    assert main(["fly"]) == 2
    assert "invalid choice: 'fly'" in capsys.readouterr().err


def test_no_command_prints_help(capsys):
    assert main([]) == 0
    assert "demo" in capsys.readouterr().out


def test_version_in_process(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"ffnn {ffnn.__version__}"


def test_python_dash_m_ffnn_version():
    result = subprocess.run(
        [sys.executable, "-m", "ffnn", "--version"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"ffnn {ffnn.__version__}"


COMMANDS = ["demo", "train", "predict", "evaluate", "info", "export-onnx"]


def test_help_lists_every_command(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in COMMANDS:
        assert re.search(rf"^\s+{command}\b", out, re.MULTILINE), command


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_text(command, capsys):
    assert main([command, "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: ffnn {command} ")
    description = out.split("\n\n")[1]
    assert len(description.split()) >= 15  # a paragraph that says what the command does


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["train", "data.csv"], "the following arguments are required: --target"),
        (["predict", "model.ffnn"], "the following arguments are required: DATA.csv"),
        (["evaluate"], "the following arguments are required: MODEL, DATA.csv"),
        (["info"], "the following arguments are required: MODEL"),
        (["export-onnx", "model.ffnn"], "the following arguments are required: OUT.onnx"),
    ],
)
def test_missing_arguments_exit_2_with_one_line(argv, message, capsys):
    assert main(argv) == 2
    captured = capsys.readouterr()
    (line,) = captured.err.strip().splitlines()
    assert line.startswith(f"ffnn {argv[0]}: error: ") and message in line


# -- how a command joins the program ---------------------------------------------------------
def add_fake_command(monkeypatch, run):
    """A command group as ffnn.cli's modules are: a module with ``add_parser(commands)``."""
    group = types.ModuleType("fake_command")

    def add_parser(commands):
        fake = commands.add_parser("fake", help="a command added by a test")
        fake.set_defaults(run=run)

    group.add_parser = add_parser
    monkeypatch.setattr(cli, "COMMAND_GROUPS", (*cli.COMMAND_GROUPS, group))


def test_a_command_group_joins_the_program_with_one_line(monkeypatch, capsys):
    add_fake_command(monkeypatch, lambda args: 7 if args.command == "fake" else 0)
    assert main(["fake"]) == 7
    assert main(["--help"]) == 0
    assert re.search(r"^\s+fake\s+a command added by a test$", capsys.readouterr().out, re.M)


@pytest.mark.parametrize(
    ("error", "status", "message"),
    [
        (cli.UsageError("the input  is\nwrong"), 2, "ffnn fake: error: the input is wrong"),
        (csvdata.DataError("data.csv has no column 'y'"), 2, "ffnn fake: error: data.csv has no"),
        (KeyboardInterrupt(), 130, "ffnn fake: interrupted"),
    ],
)
def test_main_reports_what_a_command_raises_as_one_line_and_a_status(
    error, status, message, monkeypatch, capsys
):
    def run(args):
        raise error

    add_fake_command(monkeypatch, run)
    assert main(["fake"]) == status
    captured = capsys.readouterr()
    (line,) = captured.err.strip().splitlines()
    assert line.startswith(message), line


def test_a_reader_that_goes_away_ends_the_command_with_141(monkeypatch, capsys):
    def run(args):
        raise BrokenPipeError  # as print() raises when `ffnn predict ... | head` has read enough

    add_fake_command(monkeypatch, run)
    assert main(["fake"]) == 141
    assert capsys.readouterr().err == ""
