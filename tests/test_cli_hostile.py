"""Hostile input to the ``ffnn`` command: whatever the CSV file, the model file or the arguments,
one line on stderr and exit status 2 (1 for a diverged run), no traceback, memory bounded while
a line or a cell is refused, and nothing written (an old output file left as it was).

Every case runs in-process through ``ffnn.cli.main``. The fuzz tests at the end are seeded and
small in CI; ``FFNN_FUZZ_CASES`` enlarges them (``FFNN_FUZZ_CASES=2000 pytest
tests/test_cli_hostile.py -k fuzz``).
"""

from __future__ import annotations

import csv
import io
import os
import random
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

import ffnn
from ffnn import cli
from ffnn.cli import _common, main
from ffnn.csvdata import table

FAST = ["--epochs", "2", "--hidden", "4", "--quiet"]
FUZZ_CASES = int(os.environ.get("FFNN_FUZZ_CASES", "40"))


def good_rows(n: int = 24, seed: int = 0) -> str:
    """``a,b,y`` rows of a binary classification (labels 0 and 1)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    lines = [f"{a:.4f},{b:.4f},{int(a + b > 0)}" for a, b in X]
    return "a,b,y\n" + "\n".join(lines) + "\n"


def regression_rows(n: int = 24, seed: int = 1) -> str:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    return "a,b,y\n" + "".join(f"{a:.4f},{b:.4f},{3 * a - b:.4f}\n" for a, b in X)


def one_error_line(capsys: pytest.CaptureFixture[str], command: str) -> str:
    """The single line on stderr, which must be ffnn's error line and no traceback."""
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith(f"ffnn {command}: error: "), lines[0]
    return lines[0]


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A classifier and a regression trained by the command on well-behaved data."""
    folder = tmp_path_factory.mktemp("models")
    paths = {}
    for task, text in [("classification", good_rows()), ("regression", regression_rows())]:
        data = folder / f"{task}.csv"
        data.write_text(text)
        paths[task] = folder / f"{task}.ffnn"
        argv = ["train", str(data), "--target", "y", "--task", task, "--out", str(paths[task])]
        assert main([*argv, *FAST]) == 0
    return paths


# -- hostile CSV files ------------------------------------------------------------------------
HEADER = "a,b,y\n1,2,0\n"
#: cells in an input column that are not a usable number: taken as missing (train fits the
#: column on what is left; predict and evaluate note the column and the count), not refused.
#: The value: the file, and the column whose cell predict notes (None: a missing cell, no note)
ODD_CELLS: dict[str, tuple[bytes, str | None]] = {
    "cell_1e300": (b"a,b,y\n1,2,0\n1e300,3,1\n2,1,0\n", "a"),
    "cell_1e39": (b"a,b,y\n1,2,0\n3,1e39,1\n2,1,0\n", "b"),
    "cell_minus_1e39": (b"a,b,y\n1,2,0\n-1e39,3,1\n2,1,0\n", "a"),
    "cell_400_digits": (HEADER.encode() + b"1" + b"0" * 400 + b",1,1\n", "a"),
    "cell_nan": (b"a,b,y\n1,2,0\n3,nan,1\n2,1,0\n", None),
    "cell_inf": (b"a,b,y\n1,2,0\ninf,3,1\n2,1,0\n", "a"),
    "cell_text": (b"a,b,y\n1,2,0\n3,oops,1\n2,1,0\n", "b"),
    "nul_byte": (b"a,b,y\n1,2,0\n3,\x004,1\n", "b"),
}
HOSTILE_CSV: dict[str, tuple[bytes, str]] = {
    "unclosed_quote": (
        b'a,b,y\n1,2,0\n"3,4,1\n5,6,0\n7,8,1\n',
        "a quoted field on line 3 is never closed",
    ),
    "text_after_quote": (b'a,b,y\n1,2,0\n"3"x,4,1\n', "line 3 is not valid CSV"),
    "binary": (bytes(range(256)) * 4, "is not a UTF-8 text file"),
    "non_utf8_cell": (b"a,b,y\n1,2,0\n3,4,\xff\xfe\n", "is not a UTF-8 text file"),
    "latin1": ("a,b,y\n1,2,0\n3,4,café\n".encode("latin-1"), "is not a UTF-8 text file"),
    "empty": (b"", "is empty"),
    "blank_lines_only": (b"\n\n  \n", "is empty"),
    "bom_only": (b"\xef\xbb\xbf", "is empty"),
    "header_only": (b"a,b,y\n", "has a header but no data rows"),
    "too_few_cells": (b"a,b,y\n1,2,0\n3,4\n", "line 3 has 2 cells, the header has 3"),
    "too_many_cells": (b"a,b,y\n1,2,0\n3,4,1,5\n", "line 3 has 4 cells, the header has 3"),
    "no_target": (b"a,b,z\n1,2,0\n3,4,1\n", "has no column 'y'"),
    "repeated_columns": (b"a,a,y\n1,2,0\n3,4,1\n", "names columns more than once: a"),
    "all_targets_missing": (b"a,b,y\n1,2,\n3,4,NA\n", "column 'y' has no value on any row"),
    "only_id_columns": (
        b"a,b,y\n" + b"".join(b"%d,%d,%d\n" % (i, i + 5, i % 2) for i in range(30)),
        "no input column is usable (each is empty, constant or ID-like: a, b)",
    ),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_CSV))
def test_train_on_a_hostile_csv_exits_2_with_one_line_and_keeps_the_old_model(
    case, tmp_path, capsys
):
    content, message = HOSTILE_CSV[case]
    data = tmp_path / "data.csv"
    data.write_bytes(content)
    out = tmp_path / "m.ffnn"
    out.write_bytes(b"the old model")
    assert main(["train", str(data), "--target", "y", "--out", str(out), *FAST]) == 2
    assert message in one_error_line(capsys, "train")
    assert out.read_bytes() == b"the old model"


@pytest.mark.parametrize("case", sorted(ODD_CELLS))
def test_train_takes_odd_cells_for_missing(case, tmp_path, capsys):
    data = tmp_path / "data.csv"
    data.write_bytes(ODD_CELLS[case][0])
    out = tmp_path / "m.ffnn"
    assert main(["train", str(data), "--target", "y", "--out", str(out), *FAST]) == 0
    assert capsys.readouterr().err == ""
    assert ffnn.load(out).metadata["features"] == ["a", "b"]


@pytest.mark.parametrize("task", ["classification", "regression"])
@pytest.mark.parametrize("case", sorted(ODD_CELLS))
def test_predict_and_evaluate_take_odd_cells_for_missing_with_one_note(
    case, task, models, tmp_path, capsys
):
    content, column = ODD_CELLS[case]
    data = tmp_path / "data.csv"
    data.write_bytes(content)
    n_rows = content.count(b"\n") - 1
    assert main(["predict", str(models[task]), str(data)]) == 0
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 1 + n_rows
    note = (
        f"Note: {data}: column {column!r}: 1 cell(s) cannot be read as numeric, its kind at "
        "fit; they are taken as missing"
    )
    assert captured.err.splitlines() == ([note] if column else [])
    assert main(["evaluate", str(models[task]), str(data)]) == 0
    assert capsys.readouterr().err.splitlines() == ([note] if column else [])


@pytest.mark.parametrize("task", ["classification", "regression"])
@pytest.mark.parametrize("case", ["unclosed_quote", "binary", "too_few_cells"])
def test_predict_and_evaluate_refuse_a_hostile_csv_and_write_nothing(
    case, task, models, tmp_path, capsys
):
    content, message = HOSTILE_CSV[case]
    data = tmp_path / "data.csv"
    data.write_bytes(content)
    out = tmp_path / "predictions.csv"
    out.write_text("old predictions\n")
    assert main(["predict", str(models[task]), str(data), "--out", str(out)]) == 2
    assert message in one_error_line(capsys, "predict")
    assert out.read_text() == "old predictions\n"
    assert main(["evaluate", str(models[task]), str(data)]) == 2
    assert message in one_error_line(capsys, "evaluate")


def test_an_unclosed_quote_never_merges_rows(models, tmp_path, capsys):
    """The quote used to swallow the rest of the file: three rows predicted as one."""
    data = tmp_path / "data.csv"
    data.write_text('a,b\n1,2\n"3,4\n5,6\n7,8\n')
    assert main(["predict", str(models["regression"]), str(data)]) == 2
    assert "a quoted field on line 3 is never closed" in one_error_line(capsys, "predict")
    assert capsys.readouterr().out == ""


def test_a_quoted_field_with_a_newline_is_one_cell_and_lines_count_from_it(tmp_path):
    data = tmp_path / "data.csv"
    data.write_text('a,b,y\n1,2,"two\nlines"\n3,x,z\n')
    parsed = table.read_csv(data)
    assert parsed.column("y") == ["two\nlines", "z"] and parsed.lines == [2, 4]
    with pytest.raises(ValueError, match="column 'b' is not numeric: 'x' on line 4"):
        parsed.numbers("b")


def test_many_bad_cells_are_listed_ten_at_once_in_line_order(tmp_path):
    data = tmp_path / "data.csv"
    data.write_text("a,b\n" + "".join(f"{i},{'nan' if i % 2 else 'x'}\n" for i in range(30)))
    with pytest.raises(ValueError) as error:
        table.read_csv(data).matrix(["a", "b"])
    message = str(error.value)
    assert message.count("column 'b'") == 10 and "; and 20 more;" in message
    assert "'x' on line 2; column 'b' holds nan on line 3;" in message
    assert "fill in or drop the missing values" in message and "numbers only" in message


def test_a_byte_order_mark_is_read_as_nothing(tmp_path, capsys):
    data = tmp_path / "data.csv"
    data.write_bytes(b"\xef\xbb\xbf" + good_rows().encode())
    assert table.read_csv(data).columns == ["a", "b", "y"]
    out = tmp_path / "m.ffnn"
    assert main(["train", str(data), "--target", "y", "--out", str(out), *FAST]) == 0
    assert ffnn.load(out).metadata["features"] == ["a", "b"]


def test_a_column_of_huge_spread_trains_and_predicts_finite_values(tmp_path, capsys):
    """3.4e38 is a float32 number; a column holding it beside small ones has a standard
    deviation of ~7e37, which the TablePreprocessor stores and applies (its outputs are clipped
    to finite values): the file it saves loads and predicts."""
    rows = good_rows().replace("\n", "\n3.4e38,0,1\n", 1)
    data = tmp_path / "data.csv"
    data.write_text(rows)
    out = tmp_path / "m.ffnn"
    assert main(["train", str(data), "--target", "y", "--out", str(out), *FAST]) == 0
    capsys.readouterr()
    assert main(["predict", str(out), str(data), "--proba"]) == 0
    rows_out = list(csv.reader(io.StringIO(capsys.readouterr().out)))[1:]
    assert len(rows_out) == 25
    assert np.isfinite(np.array([row[1:] for row in rows_out], dtype=np.float64)).all()


def test_a_column_of_almost_no_spread_trains_and_its_file_loads(tmp_path, capsys):
    """A spread below 1/1.8e19 is treated as a constant column (centred, scale 1), so the saved
    statistics stay within what ``load`` accepts and ``predict`` answers."""
    lines = good_rows().splitlines()
    rows = [lines[0]] + [
        ",".join([f"{1 + i * 1e-22!r}", *line.split(",")[1:]]) for i, line in enumerate(lines[1:])
    ]
    data = tmp_path / "data.csv"
    data.write_text("\n".join(rows) + "\n")
    out = tmp_path / "m.ffnn"
    assert main(["train", str(data), "--target", "y", "--out", str(out), *FAST]) == 0
    capsys.readouterr()
    assert main(["predict", str(out), str(data)]) == 0
    predictions = capsys.readouterr().out.splitlines()[1:]
    assert len(predictions) == len(rows) - 1 and set(predictions) <= {"0", "1"}


@pytest.mark.parametrize("command", ["predict", "evaluate"])
@pytest.mark.parametrize("task", ["classification", "regression"])
def test_inputs_that_overflow_the_network_are_refused_not_printed_as_nan(
    command, task, models, tmp_path, capsys
):
    """3e38 is a float32, but multiplied by the first layer's weights (set to 10 here) it
    overflows."""
    model = ffnn.load(models[task])
    model.layers[0].weight.data[...] = 10.0
    ffnn.save(model, tmp_path / "m.ffnn")
    data = tmp_path / "data.csv"
    data.write_text("a,b,y\n1,2,0\n3e38,3e38,1\n")
    out = tmp_path / "p.csv"
    extra = ["--out", str(out)] if command == "predict" else []
    assert main([command, str(tmp_path / "m.ffnn"), str(data), *extra]) == 2
    line = one_error_line(capsys, command)
    assert "the model's outputs overflow float32 for 1 of 2 rows (first: line 3)" in line
    assert not out.exists()


def test_evaluate_errors_too_large_to_add_up_are_refused(models, tmp_path, capsys):
    """Targets of 3e38 predicted as about 0: each squared error is finite in float64, and
    the mse, mae and r2 are finite too; so this one is scored, never printed as nan."""
    data = tmp_path / "data.csv"
    data.write_text("a,b,y\n1,2,3e38\n0,1,-3e38\n")
    status = main(["evaluate", str(models["regression"]), str(data)])
    captured = capsys.readouterr()
    assert "nan" not in captured.out and "inf" not in captured.out
    assert status == 0 or len(captured.err.strip().splitlines()) == 1


# -- memory while refusing a huge cell or line ------------------------------------------------
def peak_while(run) -> tuple[object, int]:
    tracemalloc.start()
    try:
        result = run()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return result, peak


@pytest.mark.parametrize(
    ("case", "body", "message"),
    [
        (
            "cell",
            b"3," + b"9" * (200 << 10) + b",1\n" + b"5,6,0\n" * (1 << 20),
            "has a field longer than 65,536 characters (the limit of a field)",
        ),
        (
            "line",
            b"1," * (4 << 20) + b"1\n",
            "longer than 262,144 characters (the limit of a line)",
        ),
        ("no_newline", b"\x00" * (8 << 20), "longer than 262,144 characters"),
        ("open_quote", b'"3,4,1\n' + b"5,6,0\n" * (1 << 20), "is a quote opened there never"),
    ],
)
def test_a_huge_cell_or_line_is_refused_after_reading_at_most_the_limit(
    case, body, message, tmp_path, monkeypatch, capsys
):
    """Limits lowered to 64 KiB (a field) and 256 KiB (a row); files of 6 to 16 MiB. The
    command's peak of traced memory stays under 4 MiB (reading the file whole would take
    more than 8 MiB)."""
    monkeypatch.setattr(table, "MAX_FIELD_CHARS", 1 << 16)
    monkeypatch.setattr(table, "MAX_LINE_CHARS", 1 << 18)
    data = tmp_path / "huge.csv"
    data.write_bytes(b"a,b,y\n1,2,0\n" + body + b"5,6,1\n")
    argv = ["train", str(data), "--target", "y", "--out", str(tmp_path / "m.ffnn"), *FAST]
    status, peak = peak_while(lambda: main(argv))
    assert status == 2
    line = one_error_line(capsys, "train")
    assert "the row starting on line 3" in line and message in line
    assert peak < 4 << 20, f"peak {peak / 2**20:.1f} MiB"


def test_the_csv_modules_global_field_limit_is_restored(tmp_path):
    before = csv.field_size_limit()
    data = tmp_path / "data.csv"
    data.write_text("a\n" + "1" * 200_000 + "\n")
    assert table.read_csv(data).column("a") == ["1" * 200_000]  # beyond csv's 131,072
    data.write_text('a\n"' + "1" * 100 + "\n")
    with pytest.raises(ValueError, match="never closed"):
        table.read_csv(data, max_field=500)
    assert csv.field_size_limit() == before


# -- hostile arguments ----------------------------------------------------------------------
HOSTILE_TRAIN_OPTIONS = [
    (["--hidden", "-1"], "--hidden: expected positive integers"),
    (["--hidden", "0"], "--hidden: expected positive integers"),
    (["--hidden", "4,,4"], "--hidden: expected positive integers"),
    (["--hidden", "1e3"], "--hidden: expected positive integers"),
    (["--hidden", str(10**12)], "make --hidden smaller"),
    (["--hidden", "100000000,100000000"], "make --hidden smaller"),
    (["--epochs", "0"], "--epochs: expected a positive integer"),
    (["--epochs", "-5"], "--epochs: expected a positive integer"),
    (["--epochs", "nan"], "--epochs: expected a positive integer"),
    (["--batch-size", "0"], "--batch-size: expected a positive integer"),
    (["--learning-rate", "0"], "--learning-rate: expected a positive finite number"),
    (["--learning-rate", "-1"], "--learning-rate: expected a positive finite number"),
    (["--learning-rate", "inf"], "--learning-rate: expected a positive finite number"),
    (["--learning-rate", "1e400"], "--learning-rate: expected a positive finite number"),
    (["--learning-rate", "nan"], "--learning-rate: expected a positive finite number"),
    (["--l2", "inf"], "--l2: expected a finite number >= 0"),
    (["--dropout", "1"], "--dropout: expected a number in [0, 1)"),
    (["--validation-split", "nan"], "--validation-split: expected a number in [0, 1)"),
    (["--seed", "-1"], "--seed: expected an integer >= 0"),
    (["--features", "a,"], "--features: expected column names"),
    (["--target", ""], "has no column ''"),
    (["--out", "{tmp}"], "is a folder; give a file name"),
    (["--out", "{tmp}/no/such/m.ffnn"], "the folder {tmp}/no/such does not exist"),
    (["--out", "{tmp}/old.ffnn/m.ffnn"], "does not exist"),
    (["--plot", "{tmp}"], None),  # refused as a folder, or for want of matplotlib
]


@pytest.mark.parametrize(("options", "message"), HOSTILE_TRAIN_OPTIONS)
def test_train_with_hostile_options_exits_2_with_one_line_and_writes_nothing(
    options, message, tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)
    data = tmp_path / "data.csv"
    data.write_text(good_rows())
    old = tmp_path / "old.ffnn"
    old.write_bytes(b"the old model")
    options = [option.format(tmp=tmp_path) for option in options]
    argv = ["train", str(data), "--target", "y", "--out", str(old), *FAST, *options]
    assert main(argv) == 2
    line = one_error_line(capsys, "train")
    assert message is None or message.format(tmp=tmp_path) in line
    assert old.read_bytes() == b"the old model"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.csv", "old.ffnn"]


def test_a_network_too_large_for_memory_is_refused_before_it_is_built(
    tmp_path, monkeypatch, capsys
):
    """``--hidden 100000,100000`` is 10 billion parameters: refused from the sizes alone (here
    against a limit of 8 GiB, whatever the machine has), with almost nothing allocated."""
    monkeypatch.setattr(_common, "memory_limit", lambda: 8 << 30)
    data = tmp_path / "data.csv"
    data.write_text(good_rows())
    argv = ["train", str(data), "--target", "y", "--out", str(tmp_path / "m.ffnn"), "--quiet"]
    status, peak = peak_while(lambda: main([*argv, "--hidden", "100000,100000"]))
    assert status == 2 and peak < 16 << 20
    line = one_error_line(capsys, "train")
    assert "a network of 10,000,500,001 parameters (2 -> 100000 -> 100000 -> 1)" in line
    assert "run on 32 rows needs at least 223.6 GiB of memory, more than the 8.0 GiB" in line
    assert not (tmp_path / "m.ffnn").exists()
    assert main([*argv, "--hidden", "64,64", "--epochs", "1"]) == 0  # a usual size passes


@pytest.mark.parametrize("size", [str(10**12), str(10**30)])
def test_demo_with_a_hidden_layer_too_large_for_memory_exits_2(size, tmp_path, capsys):
    out = tmp_path / "pictures"
    status, peak = peak_while(lambda: main(["demo", "--hidden-size", size, "--out", str(out)]))
    assert status == 2 and peak < 16 << 20
    assert "make --hidden-size smaller" in one_error_line(capsys, "demo")
    assert not out.exists()


def test_memory_limit_is_the_lower_of_the_machine_and_ulimit(monkeypatch):
    resource = pytest.importorskip("resource")
    machine = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    monkeypatch.setattr(resource, "getrlimit", lambda _: (resource.RLIM_INFINITY,) * 2)
    assert _common.memory_limit() == machine
    monkeypatch.setattr(resource, "getrlimit", lambda _: (1 << 30, resource.RLIM_INFINITY))
    assert _common.memory_limit() == min(machine, 1 << 30)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes anywhere")
def test_an_unwritable_folder_is_refused_before_training(tmp_path, capsys):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    data = tmp_path / "data.csv"
    data.write_text(good_rows())
    argv = ["train", str(data), "--target", "y", "--out", str(locked / "m.ffnn"), *FAST]
    assert main(argv) == 2
    assert "is not writable" in one_error_line(capsys, "train")


@pytest.mark.parametrize(
    ("command", "out"), [("predict", "{tmp}"), ("export-onnx", "{tmp}"), ("predict", "{tmp}/x/p")]
)
def test_output_paths_of_other_commands_are_checked_before_work(
    command, out, models, tmp_path, capsys
):
    data = tmp_path / "data.csv"
    data.write_text(good_rows())
    out = out.format(tmp=tmp_path)
    argv = {
        "predict": ["predict", str(models["classification"]), str(data), "--out", out],
        "export-onnx": ["export-onnx", str(models["classification"]), out],
    }[command]
    assert main(argv) == 2
    one_error_line(capsys, command)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.csv"]


def test_export_onnx_refuses_a_model_whose_folded_weights_are_infinite(models, tmp_path, capsys):
    """A standard deviation of 1e-300 stored in the file makes W / s overflow float32; the
    export refuses (at load or at export) and writes no ONNX file."""
    pytest.importorskip("onnx")
    model = ffnn.load(models["regression"])
    specs = model.metadata.pop("preprocessing")["columns"]  # as the previous ffnn train wrote
    model.metadata["feature_scaling"] = {"mean": [s["mean"] for s in specs], "scale": [1, 1]}
    model.metadata["feature_scaling"]["scale"] = [1e-300, 1.0]
    ffnn.save(model, tmp_path / "tiny.ffnn")
    out = tmp_path / "m.onnx"
    assert main(["export-onnx", str(tmp_path / "tiny.ffnn"), str(out)]) == 2
    one_error_line(capsys, "export-onnx")
    assert not out.exists()


def test_export_onnx_names_the_layer_whose_weights_are_not_finite(tmp_path):
    pytest.importorskip("onnx")
    from ffnn.onnx import export_onnx

    model = ffnn.Sequential(
        [ffnn.Dense(2, 3), ffnn.ReLU(), ffnn.Dense(3, 1)], random_state=0, dtype="float64"
    )
    model.loss = ffnn.MeanSquaredError()
    model.layers[2].weight.data[1, 0] = 1e300  # finite in float64, infinite in float32
    with pytest.raises(ValueError, match=r"layers\[2\] \(Dense\), its weight holds 1 of 3 values"):
        export_onnx(model, tmp_path / "m.onnx")
    assert not (tmp_path / "m.onnx").exists()
    export_onnx(model, tmp_path / "m64.onnx", dtype="float64")  # finite in float64: written
    assert (tmp_path / "m64.onnx").stat().st_size > 0


# -- seeded fuzz --------------------------------------------------------------------------
PIECES = [
    '"', ",", "\n", "\r", "\r\n", "\x00", "\ufeff", "é", "e", "9", "-", ".", " ",
    "nan", "inf", "1e39", "1e300", "3e38", '""', "\\",
]  # fmt: skip


def mutate(text: str, rng: random.Random) -> bytes:
    """``text`` with a few random edits: pieces inserted, spans deleted or repeated, bytes that
    are not UTF-8, a truncation."""
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(text) + 1)
        choice = rng.random()
        if choice < 0.5:
            text = text[:at] + rng.choice(PIECES) + text[at:]
        elif choice < 0.7:
            text = text[:at] + text[at + rng.randint(1, 8) :]
        elif choice < 0.85:
            text = text[:at] + text[at : at + rng.randint(1, 30)] * 2 + text[at:]
        else:
            text = text[:at]
    data = text.encode()
    if rng.random() < 0.1:
        at = rng.randrange(len(data) + 1)
        data = data[:at] + bytes([rng.randrange(128, 256)]) + data[at:]
    return data


def check_outcome(status: int, command: str, capsys: pytest.CaptureFixture[str]) -> str:
    """Done, or one error line with status 2 (or 1: training diverged): never a traceback."""
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    notes = [line for line in captured.err.splitlines() if line.startswith("Note: ")]
    assert all("cell(s) cannot be read as" in note for note in notes)  # one line per column
    if status != 0:
        assert status in (1, 2), status
        lines = [line for line in captured.err.strip().splitlines() if line not in notes]
        assert len(lines) == 1 and lines[0].startswith(f"ffnn {command}: error: "), captured.err
    return captured.out


def test_fuzz_csv_files_give_a_result_or_one_line(models, tmp_path, capsys):
    rng = random.Random(14)
    seeds = {"classification": good_rows(12), "regression": regression_rows(12)}
    out = tmp_path / "m.ffnn"
    for case in range(FUZZ_CASES):
        task = "classification" if case % 2 else "regression"
        data = tmp_path / f"fuzz{case}.csv"
        data.write_bytes(mutate(seeds[task], rng))
        argv = ["train", str(data), "--target", "y", "--out", str(out), *FAST, "--task", task]
        status = main([*argv, "--validation-split", "0"])
        check_outcome(status, "train", capsys)
        if status == 0:
            assert all(np.isfinite(p.data).all() for p in ffnn.load(out).parameters())
        status = main(["predict", str(models[task]), str(data)])
        printed = check_outcome(status, "predict", capsys)
        if status == 0 and task == "regression":
            values = [row[0] for row in csv.reader(io.StringIO(printed))][1:]
            assert np.isfinite(np.array(values, dtype=np.float64)).all()
        status = main(["evaluate", str(models[task]), str(data)])
        printed = check_outcome(status, "evaluate", capsys)
        assert "nan" not in printed and "inf" not in printed


FUZZ_OPTIONS = {
    "--hidden": ["", "0", "-3", "2", "3,2", "x", "1,,2", " ", str(10**15), "2," * 3 + "2"],
    "--epochs": ["0", "-1", "1", "2", "nan", "1e9", ""],
    "--learning-rate": ["0", "-0.1", "1e-3", "0.5", "1e6", "inf", "nan", "1e400", "x"],
    "--batch-size": ["0", "1", "5", "100000", "-2"],
    "--l2": ["0", "0.1", "1e308", "inf", "-1", "nan"],
    "--dropout": ["0", "0.5", "0.99", "1", "-0.5", "nan"],
    "--validation-split": ["0", "0.5", "0.95", "1", "nan"],
    "--early-stopping": ["0", "1", "-1", "x"],
    "--seed": ["0", "7", "-1", str(2**70), "x"],
    "--optimizer": ["sgd", "adam", "rmsprop", "lbfgs"],
    "--activation": ["relu", "tanh", "sigmoid", "nope"],
    "--task": ["auto", "classification", "regression", "other"],
    "--features": ["a", "a,b", "b,a", "a,a", "y", "zz", ","],
}


def test_fuzz_train_arguments_give_a_model_or_one_line(tmp_path, capsys):
    rng = random.Random(41)
    data = tmp_path / "data.csv"
    data.write_text(good_rows(16))
    out = tmp_path / "m.ffnn"
    for _ in range(FUZZ_CASES):
        options = ["--epochs", "1", "--hidden", "3"]
        for name in rng.sample(sorted(FUZZ_OPTIONS), rng.randint(1, 4)):
            options += [name, rng.choice(FUZZ_OPTIONS[name])]
        out.unlink(missing_ok=True)
        status = main(["train", str(data), "--target", "y", "--out", str(out), "--quiet", *options])
        check_outcome(status, "train", capsys)
        assert out.exists() == (status == 0), options
        if status == 0:
            assert all(np.isfinite(p.data).all() for p in ffnn.load(out).parameters())


def test_every_bad_input_exception_type_is_one_line_and_a_bug_keeps_its_traceback(
    monkeypatch, capsys
):
    """What main maps to exit 2; another type (here RuntimeError) is a bug and propagates."""
    group = type(
        "Group",
        (),
        {
            "add_parser": staticmethod(
                lambda commands: commands.add_parser("fake").set_defaults(run=raiser)
            )
        },
    )
    errors: list[BaseException] = []

    def raiser(args):
        raise errors[-1]

    monkeypatch.setattr(cli, "COMMAND_GROUPS", (*cli.COMMAND_GROUPS, group))
    for error in [
        MemoryError(),
        OSError(28, "No space left on device", "m.ffnn"),
        ValueError("bad\nvalue"),
        TypeError("a list, not a dict"),
        FloatingPointError("overflow"),
        UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"),
        csv.Error("bad"),
    ]:
        errors.append(error)
        assert main(["fake"]) == 2
        line = one_error_line(capsys, "fake")
        assert "\n" not in line
    assert "out of memory" in cli.describe(MemoryError())
    assert cli.describe(OSError(28, "No space left on device", "m.ffnn")).startswith("m.ffnn: No")
    errors.append(RuntimeError("a bug"))
    with pytest.raises(RuntimeError, match="a bug"):
        main(["fake"])


@pytest.mark.parametrize(
    ("cell", "hint"),
    [
        ("nan", "fill in or drop the missing values"),
        ("-Infinity", "fill in or drop the missing values"),
        ("1e3004", "numbers must be within ±3.403e+38"),  # inf once parsed: too large, not missing
        ("-4e38", "numbers must be within ±3.403e+38"),
        ("1,5", "must hold numbers only"),
    ],
)
def test_the_hint_says_whether_a_number_is_missing_or_too_large(cell, hint, tmp_path):
    data = tmp_path / "data.csv"
    data.write_text(f'a\n1\n"{cell}"\n')
    with pytest.raises(ValueError) as error:
        table.read_csv(data).numbers("a")
    assert str(error.value).endswith(hint) or hint in str(error.value)
    assert len(error.value.args[0].split("; ")) == 2  # the cell, then one hint


def test_a_hundred_thousand_columns_are_read_in_linear_time(tmp_path, capsys):
    """Finding each column by a list search made a 1 MB header a quadratic hang (10^10 string
    comparisons); with a dict, reading and refusing it takes a fraction of a second."""
    n = 100_000
    data = tmp_path / "wide.csv"
    data.write_text(",".join(f"c{j}" for j in range(n)) + ",y\n" + "1," * n + "oops\n")
    start = time.perf_counter()
    parsed = table.read_csv(data)
    assert parsed.matrix(parsed.columns[:n]).shape == (1, n)
    data.write_text(",".join(f"c{j % (n // 2)}" for j in range(n)) + ",y\n" + "1," * n + "0\n")
    assert main(["train", str(data), "--target", "y", "--out", str(tmp_path / "m.ffnn")]) == 2
    assert "names columns more than once: c0, c1," in one_error_line(capsys, "train")
    assert time.perf_counter() - start < 20


def test_names_from_a_file_reach_the_terminal_quoted_and_cut(tmp_path, capsys):
    """A column named with a terminal escape code, or a megabyte long, is shown as a quoted,
    escaped, cut string in the one error line."""
    data = tmp_path / "data.csv"
    data.write_text("\x1b[2J,b" + "x" * 100_000 + ",y\n1,2,0\n")
    assert main(["train", str(data), "--target", "z", "--out", str(tmp_path / "m.ffnn")]) == 2
    line = one_error_line(capsys, "train")
    assert "\x1b" not in line and "'\\x1b[2J'" in line and "(100,001 chars)" in line
    assert len(line) < 400


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("features_reordered", "the preprocessing's columns are not the features"),
        ("features_absent", "the preprocessing's columns are not the features"),
        ("with_feature_scaling", "it holds both preprocessing and feature_scaling"),
        ("preprocessing_a_list", "expected a config of format"),
        ("unfitted_preprocessing", "the preprocessing's columns are not the features"),
    ],
)
def test_metadata_whose_preprocessing_disagrees_with_the_rest_is_one_line(
    case, message, models, tmp_path, capsys
):
    model = ffnn.load(models["classification"])
    metadata = model.metadata
    if case == "features_reordered":
        metadata["features"] = metadata["features"][::-1]
    elif case == "features_absent":
        metadata["features"] = None
    elif case == "with_feature_scaling":
        metadata["feature_scaling"] = {"mean": [0.0, 0.0], "scale": [1.0, 1.0]}
    elif case == "preprocessing_a_list":
        metadata["preprocessing"] = [metadata["preprocessing"]]
    else:
        config = metadata["preprocessing"]
        metadata["preprocessing"] = {"format": config["format"], "params": config["params"]}
    path = tmp_path / "damaged.ffnn"
    ffnn.save(model, path)
    data = tmp_path / "rows.csv"
    data.write_text("a,b,y\n1,2,0\n")
    for command in ("predict", "evaluate"):
        assert main([command, str(path), str(data)]) == 2
        line = one_error_line(capsys, command)
        assert f"{path}: the model's metadata is malformed" in line and message in line
