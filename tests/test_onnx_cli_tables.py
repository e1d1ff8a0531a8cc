"""From a raw CSV file to ONNX by the command line: ``ffnn train`` -> ``ffnn predict --proba`` ->
``ffnn export-onnx``, and onnxruntime fed the same raw rows answers as ``ffnn predict`` did.

The rows to predict hold what a real file brings: missing cells (empty and ``NA``), a category
the training file never had, a date and a yes/no column. The graph is fed as docs/onnx.md shows:
numeric columns as float64 (NaN where a cell is missing or not a number), the others as the
stripped text.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest

from ffnn.cli import main

ort = pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")


def write_training_file(path: Path, task: str, n: int = 160) -> None:
    """Columns: an ID, a number with missing cells, a colour (4 values), a yes/no column, a
    date, and the target: three text classes, two integer classes, or a number."""
    rng = np.random.default_rng(1)
    with path.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["id", "size", "colour", "indoor", "bought", "target"])
        for i in range(n):
            size = rng.normal(50, 15)
            colour = ["red", "green", "blue", "grey"][i % 4]
            score = size / 15 + (colour == "blue") * 1.5 - (i % 2) * 0.5 + (i % 12) / 12
            if task == "multiclass":
                target = "low" if score < 3.5 else "mid" if score < 4.5 else "high"
            elif task == "binary":
                target = str(int(score > 4))
            else:
                target = f"{10 * score + rng.normal(0, 0.5):.3f}"
            writer.writerow(
                [
                    7000 + i,
                    "" if i % 9 == 0 else "NA" if i % 13 == 0 else f"{size:.2f}",
                    colour,
                    ["yes", "no"][i % 2],
                    f"2024-{1 + i % 12:02d}-{1 + i % 27:02d}",
                    target,
                ]
            )


NEW_ROWS = [
    {"id": "1", "size": "48.5", "colour": "red", "indoor": "yes", "bought": "2024-05-06"},
    {"id": "2", "size": "", "colour": "blue", "indoor": "no", "bought": "2024-11-30"},
    {"id": "3", "size": "71", "colour": "purple", "indoor": "NA", "bought": ""},
    {"id": "4", "size": "NA", "colour": "", "indoor": "yes", "bought": "2025-01-02"},
    {"id": "5", "size": "about 30", "colour": "grey", "indoor": "no", "bought": "2023-12-31"},
    {"id": "6", "size": "22.25", "colour": "green", "indoor": "yes", "bought": "2024-02-29"},
]


def write_new_rows(path: Path) -> list[dict[str, str]]:
    with path.open("w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(NEW_ROWS[0]))
        writer.writeheader()
        writer.writerows(NEW_ROWS)
    return NEW_ROWS


def feed(session: object, rows: list[dict[str, str]]) -> dict[str, np.ndarray]:
    """Each graph input from the CSV column of its name, as docs/onnx.md feeds it."""

    def number(cell: str) -> float:
        try:
            return float(cell)
        except ValueError:
            return math.nan

    inputs = {}
    for item in session.get_inputs():  # type: ignore[attr-defined]
        cells = [row[item.name].strip() for row in rows]
        if item.type == "tensor(double)":
            inputs[item.name] = np.array([number(c) for c in cells]).reshape(-1, 1)
        else:
            inputs[item.name] = np.array(cells, dtype=object).reshape(-1, 1)
    return inputs


def run_cli(*args: str) -> None:
    assert main(list(args)) == 0


@pytest.mark.parametrize("task", ["multiclass", "binary", "regression"])
def test_onnx_answers_like_ffnn_predict_on_raw_rows(task, tmp_path, capsys):
    train_csv, new_csv = tmp_path / "train.csv", tmp_path / "new.csv"
    model, graph, out = tmp_path / "m.ffnn", tmp_path / "m.onnx", tmp_path / "pred.csv"
    write_training_file(train_csv, task)
    rows = write_new_rows(new_csv)
    run_cli("train", str(train_csv), "--target", "target", "--out", str(model), "--quiet")
    predict = ["predict", str(model), str(new_csv), "--out", str(out)]
    run_cli(*predict, *(["--proba"] if task != "regression" else []))
    run_cli("export-onnx", str(model), str(graph))
    capsys.readouterr()
    with out.open(newline="") as file:
        predicted = list(csv.DictReader(file))
    assert len(predicted) == len(rows)

    session = ort.InferenceSession(str(graph), providers=["CPUExecutionProvider"])
    names = {item.name for item in session.get_inputs()}
    assert "id" not in names  # an ID-like column is left out, so it is no input
    assert {"size", "colour", "indoor", "bought"} <= names
    if task == "regression":
        (values,) = session.run(["prediction"], feed(session, rows))
        expected = np.array([float(row["target"]) for row in predicted])
        np.testing.assert_allclose(values[:, 0], expected, rtol=1e-5, atol=1e-5)
        return
    label, probabilities = session.run(["label", "probabilities"], feed(session, rows))
    proba_columns = [name for name in predicted[0] if name.startswith("proba_")]
    assert probabilities.shape == (len(rows), len(proba_columns))
    assert probabilities.shape[1] == (2 if task == "binary" else 3)
    expected = np.array([[float(row[c]) for c in proba_columns] for row in predicted])
    np.testing.assert_allclose(probabilities, expected, atol=1e-5)
    # the labels themselves, in the file's spelling ("0"/"1" come back as int64 0/1)
    assert [str(value) for value in label] == [row["target"] for row in predicted]
