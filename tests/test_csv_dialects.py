"""Files as they come: delimiters, a decimal comma, quotes, a BOM and CRLF, detected or given.

Each file of the table holds the same rows as a plain comma CSV written by :mod:`csv`; a model
trained on it through ``ffnn.cli.main`` predicts exactly what the one trained on the plain file
predicts, on either file.
"""

from __future__ import annotations

import csv
import io
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from ffnn.cli import main
from ffnn.csvdata import DataError, read_csv, read_csv_bytes
from ffnn.csvdata.dialect import SAMPLE_CHARS, Dialect, detect
from ffnn.datasets import make_blobs

HEADER = ["x1", "x2", "note", "label"]
TRAIN = ["--target", "label", "--features", "x1,x2", "--epochs", "4", "--hidden", "4", "--quiet"]

Row = list[str]


def rows(labels: tuple[str, str] = ("north", "south"), note: str = "n") -> list[Row]:
    """40 rows of two blobs; numbers with four decimals (and negative ones)."""
    X, y = make_blobs(n_samples=40, centers=2, cluster_std=0.9, random_state=3)
    return [
        [f"{a:.4f}", f"{b:.4f}", f"{note}{i}", labels[k]]
        for i, ((a, b), k) in enumerate(zip(X, y, strict=True))
    ]


def written(data: list[Row], **options: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=options.pop("lineterminator", "\n"), **options)
    writer.writerows([HEADER, *data])
    return buffer.getvalue()


def semicolon_decimal_comma(data: list[Row]) -> str:
    lines = [";".join(HEADER)] + [";".join(c.replace(".", ",") for c in row) for row in data]
    return "\n".join(lines) + "\n"


def ambiguous(data: list[Row]) -> str:
    """Pipes, and one comma on every line, the header's included: under ',' every line has two
    cells too, consistently; the pipe splits the header into more."""
    header = "x1|x2|note, free text|label"
    return "\n".join([header] + ["|".join(row) for row in data]) + "\n"


QUOTED = rows(labels=("north, east", 'south;\n"west"|x'), note="a,b;c\td|e ")
CASES: dict[str, tuple[list[Row], Callable[[list[Row]], str]]] = {
    "comma": (rows(), written),
    "semicolon_decimal_comma": (rows(), semicolon_decimal_comma),
    "tab": (rows(), lambda d: written(d, delimiter="\t")),
    "pipe": (rows(), lambda d: written(d, delimiter="|")),
    "quoted_delimiters_and_newlines": (QUOTED, written),
    "quoted_with_semicolons": (QUOTED, lambda d: written(d, delimiter=";")),
    "bom_crlf": (rows(), lambda d: "\ufeff" + written(d, lineterminator="\r\n")),
    "ambiguous_first_lines": (rows(note="a, b "), ambiguous),
}


def train_and_predict(tmp_path: Path, name: str, text: str, *extra: str) -> tuple[str, str]:
    """Predictions (the CSV text) of a model trained on ``text``, on ``text`` and on itself."""
    data = tmp_path / f"{name}.csv"
    data.write_bytes(text.encode("utf-8"))
    model, out = tmp_path / f"{name}.ffnn", tmp_path / f"{name}.out.csv"
    assert main(["train", str(data), *TRAIN, "--out", str(model), *extra]) == 0
    assert main(["predict", str(model), str(data), "--proba", "--out", str(out), *extra]) == 0
    return out.read_text(), str(model)


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_file_as_it_comes_predicts_as_its_plain_comma_twin(case, tmp_path):
    data, render = CASES[case]
    plain, _ = train_and_predict(tmp_path, "plain", written(data))
    got, model = train_and_predict(tmp_path, case, render(data))
    assert got == plain
    # and the model trained on the odd file predicts the plain file alike
    out = tmp_path / "cross.csv"
    assert main(["predict", model, str(tmp_path / "plain.csv"), "--proba", "--out", str(out)]) == 0
    assert out.read_text() == plain


@pytest.mark.parametrize(
    ("case", "dialect"),
    [
        ("comma", Dialect(",", ".")),
        ("semicolon_decimal_comma", Dialect(";", ",")),
        ("tab", Dialect("\t", ".")),
        ("pipe", Dialect("|", ".")),
        ("quoted_delimiters_and_newlines", Dialect(",", ".")),
        ("quoted_with_semicolons", Dialect(";", ".")),
        ("bom_crlf", Dialect(",", ".")),
        ("ambiguous_first_lines", Dialect("|", ".")),
    ],
)
def test_the_dialect_is_detected_and_the_cells_read(case, dialect, tmp_path):
    data, render = CASES[case]
    path = tmp_path / "data.csv"
    path.write_bytes(render(data).encode("utf-8"))
    table = read_csv(path)
    assert table.dialect == dialect
    assert table.n_rows == len(data)
    assert table.column("x1") == [row[0] for row in data]  # "3,1416" read as "3.1416"
    assert table.column("label") == [row[3].strip() for row in data]


def test_a_one_column_file_is_read_and_predicted(tmp_path):
    data = rows()
    written_plain = tmp_path / "plain.csv"
    written_plain.write_text(written(data))
    model = tmp_path / "m.ffnn"
    args = ["--target", "label", "--features", "x1", "--epochs", "3", "--hidden", "3", "--quiet"]
    assert main(["train", str(written_plain), *args, "--out", str(model)]) == 0
    one = tmp_path / "one.csv"
    one.write_text("x1\n" + "".join(f"{row[0]}\n" for row in data))
    assert read_csv(one).dialect == Dialect(",", ".")
    outputs = []
    for path in (written_plain, one):
        out = tmp_path / f"out_{path.stem}.csv"
        assert main(["predict", str(model), str(path), "--out", str(out)]) == 0
        outputs.append(out.read_text())
    assert outputs[0] == outputs[1]
    assert len(outputs[0].splitlines()) == len(data) + 1


# -- overrides ------------------------------------------------------------------------------
def test_overrides_win_over_detection(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("a;b\n1,5;2\n3,5;4\n")
    assert read_csv(path).column("a") == ["1.5", "3.5"]
    as_dots = read_csv(path, decimal=".")  # a decimal comma refused: the cells stay text
    assert as_dots.dialect == Dialect(";", ".") and as_dots.column("a") == ["1,5", "3,5"]
    with pytest.raises(DataError, match="line 2 has 2 cells, the header has 1"):
        read_csv(path, delimiter=",")
    tabbed = tmp_path / "tabbed.csv"
    tabbed.write_text("a\tb,c\n1\t2,5\n")  # one column 'a\tb,c' were the comma kept
    assert read_csv(tabbed, delimiter="tab").columns == ["a", "b,c"]
    assert read_csv(tabbed, delimiter="\t", decimal=",").column("b,c") == ["2.5"]


def test_cli_overrides_reach_the_reader(tmp_path, capsys):
    data = rows()
    path = tmp_path / "data.csv"
    path.write_text(semicolon_decimal_comma(data))
    model = tmp_path / "m.ffnn"
    # told the delimiter is ',', the file is one column: the target is not there
    status = main(["train", str(path), *TRAIN, "--out", str(model), "--delimiter", ","])
    assert status == 2 and not model.exists()
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "--delimiter and --decimal override" in err
    assert main(["train", str(path), *TRAIN, "--out", str(model), "--delimiter", ";"]) == 0
    capsys.readouterr()
    status = main(["evaluate", str(model), str(path), "--delimiter", ";", "--decimal", "."])
    assert status == 0  # "1,5" is not a number with a decimal point: taken as missing, noted
    assert "cell(s) cannot be read as numeric" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["train", "predict", "evaluate"])
@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        ("--delimiter", ":", "the delimiter must be one of ',' ';' tab '|'"),
        ("--delimiter", ",,", "got ',,'"),
        ("--delimiter", "", "got ''"),
        ("--decimal", ";", "the decimal separator must be '.' or ',', got ';'"),
        ("--decimal", "dot", "got 'dot'"),
    ],
)
def test_wrong_override_values_are_one_clear_line(command, option, value, expected, capsys):
    before = ["data.csv", "--target", "y"] if command == "train" else ["m.ffnn", "data.csv"]
    status = main([command, *before, option, value])
    err = capsys.readouterr().err
    assert status == 2
    assert expected in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_wrong_values_in_python_are_value_errors(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(ValueError, match="delimiter must be one of"):
        read_csv(path, delimiter=" ")
    with pytest.raises(ValueError, match="decimal separator must be"):
        read_csv(path, decimal="")


# -- every problem, with its line -----------------------------------------------------------
def test_all_problems_of_a_file_are_listed_with_their_lines(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text('a,b,y\n1,2,0\n1,"x"y,0\n3,4\n5,6,1\n7,"z"q,1\n8,9,0,1\n')
    with pytest.raises(DataError) as caught:
        read_csv(path)
    message = str(caught.value)
    expected = [
        "line 3 is not valid CSV",
        "line 4 has 2 cells, the header has 3",
        "line 6 is not valid CSV",
        "line 7 has 4 cells, the header has 3",
    ]
    positions = [message.index(text) for text in expected]
    assert positions == sorted(positions)  # in the order of the file
    assert "read with delimiter ','" in message


def test_the_problem_list_is_bounded_and_counts_the_rest(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("a,b\n" + '1,"x"y\n' * 30 + "1\n" * 5)
    with pytest.raises(DataError) as caught:
        read_csv(path)
    message = str(caught.value)
    assert message.count("is not valid CSV") == 10
    assert "and 25 more rows" in message


def test_cells_that_are_not_numbers_name_column_and_line(tmp_path):
    path = tmp_path / "cells.csv"
    path.write_text("a;b;y\n1,5;x;0\n2,5;3,5;zz\n")
    table = read_csv(path)
    with pytest.raises(DataError) as caught:
        table.matrix(["a", "b", "y"])
    message = str(caught.value)
    assert "column 'b' is not numeric: 'x' on line 2" in message
    assert "column 'y' is not numeric: 'zz' on line 3" in message
    assert "column 'a'" not in message


def test_a_decimal_comma_past_the_sample_is_named_in_the_error(tmp_path):
    """The first 64 KiB hold whole numbers only: no decimal comma detected, so the "3,5" far
    below is not a number, and the message says how to read it as one."""
    path = tmp_path / "late.csv"
    path.write_text("a;y\n" + "1;0\n" * (SAMPLE_CHARS // 4) + "3,5;1\n")
    table = read_csv(path)
    assert table.dialect == Dialect(";", ".")
    with pytest.raises(DataError, match="is not numeric: '3,5'.*--decimal , is given"):
        table.numbers("a")
    assert read_csv(path, decimal=",").numbers("a")[-1] == 3.5


# -- bounded detection ----------------------------------------------------------------------
def test_detection_reads_a_bounded_sample_of_a_hostile_file(tmp_path):
    """A 16 MiB file of one line with every delimiter in it: detection parses 64 KiB, and the
    reading refuses the line after its limit, with memory far below the file's size."""
    path = tmp_path / "hostile.csv"
    with open(path, "wb") as stream:
        stream.write(b'a;b,c\t"d|')
        stream.write(b';,\t|"' * (16 << 18))
    tracemalloc.start()
    try:
        with pytest.raises(DataError, match="longer than 1,000,000 characters"):
            read_csv(path, max_line=1_000_000)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 << 20, peak  # the 1 MB line the limit lets in, a 64 KiB sample: 2.1 MiB


def test_detect_looks_at_no_more_than_its_sample():
    line = "a;b;c\n" + "1;2;3\n" * (SAMPLE_CHARS // 6)
    assert detect(line[:SAMPLE_CHARS], False, None, None) == Dialect(";", ".")
    # a last line cut short by the sample does not count against a delimiter
    assert detect("a;b\n1;2\n3", False, None, None) == Dialect(";", ".")
    assert detect("x\n1\n2\n", True, None, None) == Dialect(",", ".")
    # a decimal comma only after ';' or a tab, and only when no cell uses a dot
    assert detect("a;b\n1,5;2\n", True, None, None).decimal == ","
    assert detect("a;b\n1,5;2.5\n", True, None, None).decimal == "."
    assert detect('a,b\n"1,5",2\n', True, None, None).decimal == "."


def test_content_in_memory_reads_as_the_same_file_does(tmp_path):
    """read_csv_bytes (an upload) gives what read_csv gives for the same bytes in a file, BOM,
    CRLF, ';' and decimal commas included, and its messages name the name it was given."""
    content = '\ufeffsite;size;note\r\nnorth;1,5;"a; b"\r\nsouth;2,25;c\r\n'.encode()
    path = tmp_path / "on-disk.csv"
    path.write_bytes(content)
    on_disk, in_memory = read_csv(path), read_csv_bytes(content, "upload.csv")
    assert in_memory.path == "upload.csv"
    assert in_memory.columns == on_disk.columns == ["site", "size", "note"]
    assert [in_memory.column(c) for c in in_memory.columns] == [
        on_disk.column(c) for c in on_disk.columns
    ]
    assert in_memory.column("size") == ["1.5", "2.25"]
    assert in_memory.dialect == on_disk.dialect and in_memory.lines == on_disk.lines
    with pytest.raises(DataError, match=r"^upload\.csv: line 3 has 2 cells, the header has 3"):
        read_csv_bytes(b"a,b,c\n1,2,3\n4,5\n", "upload.csv")
    with pytest.raises(DataError, match=r"^upload\.csv is not a UTF-8 text file"):
        read_csv_bytes(b"a,b\n\xff\xfe,1\n", "upload.csv")
