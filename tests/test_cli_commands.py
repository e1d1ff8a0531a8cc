"""End-to-end tests of ``ffnn train / predict / evaluate / info / export-onnx``.

Every command runs in-process through ``main(argv)`` on small CSV files generated in
``tmp_path`` (three classes with text labels, two classes labelled 0/1, a regression); the
results are compared with the saved model used directly from Python.
"""

from __future__ import annotations

import argparse
import csv
import re
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest

import ffnn
from ffnn import activations, csvdata, layers, optimizers
from ffnn.cli import build_parser, folded_model, main
from ffnn.datasets import make_blobs

SPECIES = ["setosa", "versicolor", "virginica"]
FAST = ["--epochs", "15", "--hidden", "16", "--quiet"]


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with open(path, "w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def read_csv(path_or_text: Path | str) -> tuple[list[str], list[list[str]]]:
    text = path_or_text.read_text() if isinstance(path_or_text, Path) else path_or_text
    header, *rows = list(csv.reader(text.splitlines()))
    return header, rows


@pytest.fixture
def species_csv(tmp_path: Path) -> Path:
    """90 rows, three well separated blobs labelled with text, features far from N(0, 1)."""
    X, y = make_blobs(n_samples=90, centers=3, cluster_std=0.6, random_state=1)
    X = X * [10.0, 0.1] + [500.0, -3.0]  # standardisation is what makes this easy
    rows = [[f"{a:.4f}", f"{b:.6f}", SPECIES[k]] for (a, b), k in zip(X, y, strict=True)]
    return write_csv(tmp_path / "species.csv", ["length", "width", "species"], rows)


@pytest.fixture
def binary_csv(tmp_path: Path) -> Path:
    """60 rows, two blobs labelled 0 and 1, and an id column that is not a feature."""
    X, y = make_blobs(n_samples=60, centers=2, cluster_std=0.8, random_state=2)
    rows = [[f"{a:.5f}", f"{b:.5f}", int(k)] for (a, b), k in zip(X, y, strict=True)]
    return write_csv(tmp_path / "binary.csv", ["x1", "x2", "label"], rows)


@pytest.fixture
def regression_csv(tmp_path: Path) -> Path:
    """80 rows of price = 1000 + 300 a - 200 b + noise."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(80, 2))
    price = 1000 + 300 * X[:, 0] - 200 * X[:, 1] + rng.normal(scale=5, size=80)
    rows = [[f"{a:.5f}", f"{b:.5f}", f"{p:.3f}"] for (a, b), p in zip(X, price, strict=True)]
    return write_csv(tmp_path / "houses.csv", ["a", "b", "price"], rows)


def train(data: Path, target: str, out: Path, *extra: str) -> None:
    assert main(["train", str(data), "--target", target, "--out", str(out), *FAST, *extra]) == 0


def model_inputs(model: ffnn.Sequential, data: Path) -> np.ndarray:
    """The network's inputs, computed here: the stored TablePreprocessor's transform (a file of
    an earlier ffnn train: the stored mean and scale)."""
    table = csvdata.read_csv(data)
    if "preprocessing" in model.metadata:
        prep = ffnn.TablePreprocessor.from_config(model.metadata["preprocessing"])
        return prep.transform(table)
    scaling = model.metadata["feature_scaling"]
    X = table.matrix(model.metadata["features"])
    return (X - np.array(scaling["mean"])) / np.array(scaling["scale"])


def to_earlier_format(path: Path) -> ffnn.Sequential:
    """Rewrite the model file ``path`` (trained here on numeric columns with no missing cell) as
    the previous ``ffnn train`` wrote it: ``feature_scaling`` instead of ``preprocessing``.

    The same network: for such columns the TablePreprocessor's output is ``(x - mean) / std``,
    exactly the earlier standardisation."""
    model = ffnn.load(path)
    specs = model.metadata.pop("preprocessing")["columns"]
    assert all(s["kind"] == "numeric" and not s["indicator"] for s in specs)
    model.metadata["feature_scaling"] = {
        "mean": [s["mean"] for s in specs],
        "scale": [s["std"] for s in specs],
    }
    ffnn.save(model, path)
    return model


def one_error_line(capsys: pytest.CaptureFixture[str], command: str) -> str:
    captured = capsys.readouterr()
    (line,) = captured.err.strip().splitlines()
    assert line.startswith(f"ffnn {command}: error: "), line
    assert "Traceback" not in captured.err
    return line


# -- train ----------------------------------------------------------------------------------
def test_train_classification_stores_labels_features_and_standardisation(
    species_csv, tmp_path, capsys
):
    out = tmp_path / "species.ffnn"
    train(species_csv, "species", out)
    lines = capsys.readouterr().out.splitlines()
    names = [line.split(":")[0] for line in lines]
    assert names == ["loss", "accuracy", "val_loss", "val_accuracy", "Saved " + str(out)]
    assert float(lines[1].split(": ")[1]) > 0.9

    model = ffnn.load(out)
    assert model.metadata["task"] == "classification"
    assert model.metadata["classes"] == SPECIES
    assert model.metadata["features"] == ["length", "width"]
    assert model.metadata["target"] == "species"
    assert "feature_scaling" not in model.metadata
    X = csvdata.read_csv(species_csv).matrix(["length", "width"])
    specs = model.metadata["preprocessing"]["columns"]
    assert [(s["name"], s["kind"]) for s in specs] == [("length", "numeric"), ("width", "numeric")]
    assert np.allclose([s["mean"] for s in specs], X.mean(axis=0), rtol=1e-12)
    assert np.allclose([s["std"] for s in specs], X.std(axis=0), rtol=1e-12)
    assert isinstance(model.loss, ffnn.CrossEntropy) and model.n_outputs == 3


def test_train_reports_the_inferred_task_and_shows_a_progress_bar(species_csv, tmp_path, capsys):
    argv = ["train", str(species_csv), "--target", "species", "--epochs", "2"]
    assert main([*argv, "--out", str(tmp_path / "m.ffnn")]) == 0
    captured = capsys.readouterr()
    assert "Task: classification (column 'species' holds text): 3 classes: " in captured.out
    assert "setosa, versicolor, virginica" in captured.out
    assert "Network: 2 -> 64 -> 64 -> 3 (relu), loss cross_entropy" in captured.out
    assert "Training on 72 rows, validating on 18" in captured.out
    assert "Epoch 1/2" in captured.err and "Epoch 2/2" in captured.err  # tqdm, on stderr


def test_train_builds_the_network_the_options_ask_for(binary_csv, tmp_path):
    out = tmp_path / "m.ffnn"
    options = ["--hidden", "8,4", "--activation", "tanh", "--dropout", "0.25", "--l2", "0.01"]
    train(binary_csv, "label", out, *options, "--optimizer", "sgd", "--learning-rate", "0.05")
    model = ffnn.load(out)
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ["Dense", "Tanh", "Dropout", "Dense", "Tanh", "Dropout", "Dense"]
    dense = [layer for layer in model.layers if isinstance(layer, ffnn.Dense)]
    assert [(d.n_in, d.n_out) for d in dense] == [(2, 8), (8, 4), (4, 1)]
    assert all(d.regularizer is not None and d.regularizer.l2 == 0.01 for d in dense)
    assert model.layers[2].rate == 0.25
    assert isinstance(model.loss, ffnn.BinaryCrossEntropy)


def test_train_is_reproducible_with_a_seed(binary_csv, tmp_path):
    for name in ("a.ffnn", "b.ffnn", "c.ffnn"):
        seed = "1" if name == "c.ffnn" else "7"
        train(binary_csv, "label", tmp_path / name, "--seed", seed, "--dropout", "0.1")
    a, b, c = (ffnn.load(tmp_path / n).get_weights() for n in ("a.ffnn", "b.ffnn", "c.ffnn"))
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    assert not all(np.array_equal(x, y) for x, y in zip(a, c, strict=True))


def test_train_without_validation_early_stops_on_the_training_loss(binary_csv, tmp_path, capsys):
    out = tmp_path / "m.ffnn"
    argv = ["train", str(binary_csv), "--target", "label", "--out", str(out), "--epochs", "5"]
    assert main([*argv, "--validation-split", "0", "--early-stopping", "1", "--hidden", "4"]) == 0
    stdout = capsys.readouterr().out
    assert "Training on 60 rows, validating on 0" in stdout
    assert re.search(
        r"Early stopping: .*; best loss \S+ at epoch \d+, whose weights are kept", stdout
    )
    assert "val_" not in stdout


def test_task_option_overrides_the_inference(binary_csv, tmp_path, capsys):
    train(binary_csv, "label", tmp_path / "r.ffnn", "--task", "regression")
    model = ffnn.load(tmp_path / "r.ffnn")
    assert model.metadata["task"] == "regression"
    assert isinstance(model.loss, ffnn.MeanSquaredError)
    assert "mse:" in capsys.readouterr().out


def test_train_plot_writes_the_training_curves(species_csv, regression_csv, tmp_path, capsys):
    pytest.importorskip("matplotlib")
    for data, target in ((species_csv, "species"), (regression_csv, "price")):
        picture = tmp_path / f"{target}.png"
        train(data, target, tmp_path / "m.ffnn", "--plot", str(picture))
        assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f"Saved {picture}" in capsys.readouterr().out


def test_train_plot_without_matplotlib_fails_before_training(
    species_csv, tmp_path, monkeypatch, capsys
):
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    out = tmp_path / "m.ffnn"
    argv = ["train", str(species_csv), "--target", "species", "--out", str(out)]
    assert main([*argv, "--plot", str(tmp_path / "c.png")]) == 2
    assert "pip install 'ffnn[plot]'" in one_error_line(capsys, "train")
    assert not out.exists()


# -- predict --------------------------------------------------------------------------------
def test_predict_writes_the_original_labels_and_probabilities(species_csv, tmp_path, capsys):
    model_path, predictions = tmp_path / "m.ffnn", tmp_path / "predictions.csv"
    train(species_csv, "species", model_path)
    capsys.readouterr()
    argv = ["predict", str(model_path), str(species_csv), "--out", str(predictions), "--proba"]
    assert main(argv) == 0
    assert capsys.readouterr().out.strip() == f"Saved 90 predictions to {predictions}"

    header, rows = read_csv(predictions)
    assert header == ["species"] + [f"proba_{name}" for name in SPECIES]
    model = ffnn.load(model_path)
    X = model_inputs(model, species_csv)
    assert [row[0] for row in rows] == [SPECIES[k] for k in model.predict(X)]
    probabilities = np.array([row[1:] for row in rows], dtype=np.float32)
    np.testing.assert_array_equal(probabilities, model.predict_proba(X))  # read back exactly
    true = [row[2] for row in read_csv(species_csv)[1]]
    assert np.mean([row[0] == t for row, t in zip(rows, true, strict=True)]) > 0.9


def test_predict_to_standard_output_binary_integer_labels(binary_csv, tmp_path, capsys):
    model_path = tmp_path / "m.ffnn"
    train(binary_csv, "label", model_path)
    capsys.readouterr()
    assert main(["predict", str(model_path), str(binary_csv), "--proba"]) == 0
    header, rows = read_csv(capsys.readouterr().out)
    assert header == ["label", "proba_0", "proba_1"]
    model = ffnn.load(model_path)
    assert model.metadata["classes"] == [0, 1]
    X = model_inputs(model, binary_csv)
    assert [row[0] for row in rows] == [str(k) for k in model.predict(X)]
    p1 = np.array([row[2] for row in rows], dtype=np.float32)
    np.testing.assert_array_equal(p1, model.predict_proba(X)[:, 0])
    np.testing.assert_allclose([float(row[1]) for row in rows], 1 - p1, atol=1e-7)


def test_predict_regression_gives_values_in_the_targets_units(regression_csv, tmp_path, capsys):
    model_path = tmp_path / "m.ffnn"
    train(regression_csv, "price", model_path, "--epochs", "60", "--learning-rate", "0.01")
    capsys.readouterr()
    assert main(["predict", str(model_path), str(regression_csv)]) == 0
    header, rows = read_csv(capsys.readouterr().out)
    assert header == ["price"]
    model = ffnn.load(model_path)
    scaling = model.metadata["target_scaling"]
    predicted = model.predict(model_inputs(model, regression_csv)).astype(np.float64)
    expected = (predicted * scaling["scale"] + scaling["mean"]).astype(np.float32)
    np.testing.assert_allclose([float(row[0]) for row in rows], expected, rtol=1e-6)
    truth = csvdata.read_csv(regression_csv).numbers("price")
    assert np.mean(np.abs(expected - truth)) < 100  # the prices spread over about ±400


def test_predict_needs_only_the_feature_columns_in_any_order(species_csv, tmp_path, capsys):
    model_path = tmp_path / "m.ffnn"
    train(species_csv, "species", model_path)
    header, rows = read_csv(species_csv)
    reordered = write_csv(tmp_path / "new.csv", ["width", "length"], [[r[1], r[0]] for r in rows])
    capsys.readouterr()
    assert main(["predict", str(model_path), str(species_csv)]) == 0
    full = capsys.readouterr().out
    assert main(["predict", str(model_path), str(reordered)]) == 0
    assert capsys.readouterr().out == full


# -- evaluate and info ----------------------------------------------------------------------
def test_evaluate_classification_prints_loss_and_accuracy(species_csv, tmp_path, capsys):
    model_path = tmp_path / "m.ffnn"
    train(species_csv, "species", model_path)
    capsys.readouterr()
    assert main(["evaluate", str(model_path), str(species_csv), "--target", "species"]) == 0
    scores = dict(line.split(": ") for line in capsys.readouterr().out.splitlines())
    assert list(scores) == ["loss", "accuracy"]
    model = ffnn.load(model_path)
    X = model_inputs(model, species_csv)
    labels = np.array([SPECIES.index(row[2]) for row in read_csv(species_csv)[1]])
    # the data's cross-entropy, without the L2 term that model.evaluate adds
    logits = model.forward(X.astype(model.dtype))
    data_loss = model.loss.forward(logits, model.loss.prepare_targets(labels, 3, model.dtype))
    assert float(scores["loss"]) == pytest.approx(float(data_loss), rel=1e-5)
    assert model.evaluate(X, labels) > float(data_loss)  # the default --l2 0.003 is on
    accuracy = ffnn.metrics.accuracy(labels, model.predict(X))
    assert float(scores["accuracy"]) == pytest.approx(accuracy, abs=1e-6)
    # --target defaults to the column the model was trained on
    assert main(["evaluate", str(model_path), str(species_csv)]) == 0
    assert capsys.readouterr().out == "".join(f"{k}: {v}\n" for k, v in scores.items())


def test_evaluate_regression_prints_mse_mae_r2(regression_csv, tmp_path, capsys):
    model_path = tmp_path / "m.ffnn"
    train(regression_csv, "price", model_path)
    capsys.readouterr()
    assert main(["evaluate", str(model_path), str(regression_csv), "--target", "price"]) == 0
    lines = capsys.readouterr().out.splitlines()
    scores = {name: float(value) for name, value in (line.split(": ") for line in lines)}
    assert list(scores) == ["mse", "mae", "r2"]
    model = ffnn.load(model_path)
    scaling = model.metadata["target_scaling"]
    predicted = model.predict(model_inputs(model, regression_csv)).astype(np.float64)
    predicted = predicted * scaling["scale"] + scaling["mean"]
    truth = csvdata.read_csv(regression_csv).numbers("price")
    assert scores["mse"] == pytest.approx(ffnn.metrics.mean_squared_error(truth, predicted), 1e-4)
    assert scores["mae"] == pytest.approx(ffnn.metrics.mean_absolute_error(truth, predicted), 1e-4)
    assert scores["r2"] == pytest.approx(ffnn.metrics.r2_score(truth, predicted), 1e-4)


def test_info_describes_the_model_file(species_csv, tmp_path, capsys):
    model_path = tmp_path / "m.ffnn"
    train(species_csv, "species", model_path)
    capsys.readouterr()
    assert main(["info", str(model_path)]) == 0
    out = capsys.readouterr().out
    assert f"ffnn model format version 1, written by ffnn {ffnn.__version__}" in out
    assert "Task: classification\nTarget: species\n" in out
    assert "Classes (3): setosa, versicolor, virginica" in out
    assert "Features (2 columns, 2 inputs to the network):" in out
    assert "length  numeric  standardised" in out
    assert "Epochs trained: 15" in out
    assert "Total params: 99 (float32)" in out  # (2 + 1) * 16 + (16 + 1) * 3: the summary
    assert "Loss: CrossEntropy()" in out


def test_a_model_saved_from_python_without_metadata_works_too(binary_csv, tmp_path, capsys):
    header, rows = read_csv(binary_csv)
    X = np.array([[float(r[0]), float(r[1])] for r in rows])
    y = np.array([int(r[2]) for r in rows])
    model = ffnn.Sequential([ffnn.Dense(2, 8), ffnn.ReLU(), ffnn.Dense(8, 1)], random_state=0)
    model.fit(X, y, loss="binary_cross_entropy", epochs=3)
    ffnn.save(model, tmp_path / "plain.ffnn")
    features_only = write_csv(tmp_path / "x.csv", ["x1", "x2"], [r[:2] for r in rows])
    capsys.readouterr()

    assert main(["predict", str(tmp_path / "plain.ffnn"), str(features_only)]) == 0
    header, predicted = read_csv(capsys.readouterr().out)
    assert header == ["prediction"]
    assert [r[0] for r in predicted] == [str(k) for k in model.predict(X)]
    plain = str(tmp_path / "plain.ffnn")
    assert main(["evaluate", plain, str(binary_csv), "--target", "label"]) == 0
    assert "accuracy: " in capsys.readouterr().out
    assert main(["info", str(tmp_path / "plain.ffnn")]) == 0
    assert "Features (2): (names not stored)" in capsys.readouterr().out


# -- export-onnx ----------------------------------------------------------------------------
@pytest.fixture
def fake_onnx_export(monkeypatch):
    """An ``ffnn.onnx`` that records what it is asked to export."""
    exported: list[ffnn.Sequential] = []

    def export_onnx(model: ffnn.Sequential, path: Path) -> None:
        exported.append(model)
        Path(path).write_bytes(b"onnx")

    module = types.ModuleType("ffnn.onnx")
    module.export_onnx = export_onnx  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "ffnn.onnx", module)
    return exported


@pytest.mark.parametrize("hidden", ["", "8"])
def test_export_onnx_folds_the_standardisation_into_the_network(
    regression_csv, tmp_path, fake_onnx_export, hidden, capsys
):
    model_path = tmp_path / "m.ffnn"
    train(regression_csv, "price", model_path, "--hidden", hidden)
    to_earlier_format(model_path)  # a new file's preprocessing is exported by ffnn.onnx
    assert main(["export-onnx", str(model_path), str(tmp_path / "m.onnx")]) == 0
    assert "Inputs: a, b (raw values" in capsys.readouterr().out
    (exported,) = fake_onnx_export
    model = ffnn.load(model_path)
    raw = csvdata.read_csv(regression_csv).matrix(["a", "b"])
    scaling = model.metadata["target_scaling"]
    expected = model.predict(model_inputs(model, regression_csv)) * scaling["scale"]
    expected += scaling["mean"]
    np.testing.assert_allclose(exported.predict(raw), expected, rtol=1e-5)


def test_export_onnx_without_the_extra_names_it(species_csv, tmp_path, monkeypatch, capsys):
    model_path = tmp_path / "m.ffnn"
    train(species_csv, "species", model_path)
    monkeypatch.setitem(sys.modules, "ffnn.onnx", None)  # import fails
    assert main(["export-onnx", str(model_path), str(tmp_path / "m.onnx")]) == 2
    assert "pip install 'ffnn[onnx]'" in one_error_line(capsys, "export-onnx")
    assert not (tmp_path / "m.onnx").exists()


def test_export_onnx_runs_in_onnxruntime_on_raw_features(species_csv, tmp_path, capsys):
    pytest.importorskip("ffnn.onnx")
    pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    model_path, onnx_path = tmp_path / "m.ffnn", tmp_path / "m.onnx"
    train(species_csv, "species", model_path)
    to_earlier_format(model_path)  # a new file's preprocessing is exported by ffnn.onnx
    assert main(["export-onnx", str(model_path), str(onnx_path)]) == 0
    assert "Classes by output index: 0 setosa, 1 versicolor, 2 virginica" in capsys.readouterr().out
    session = ort.InferenceSession(str(onnx_path))
    raw = csvdata.read_csv(species_csv).matrix(["length", "width"]).astype(np.float32)
    names = [output.name for output in session.get_outputs()]
    outputs = dict(zip(names, session.run(None, {"input": raw}), strict=True))
    model = ffnn.load(model_path)
    expected = model.predict_proba(model_inputs(model, species_csv))
    np.testing.assert_allclose(outputs["probabilities"], expected, atol=1e-5)


def test_folded_model_of_a_plain_model_is_an_equal_copy(binary_csv):
    model = ffnn.Sequential([ffnn.Dense(2, 3), ffnn.Dense(3, 1)], random_state=0)
    model.loss = ffnn.BinaryCrossEntropy()
    prep = csvdata.Preprocessor.from_model(model, "plain")
    folded = folded_model(model, prep)
    assert folded is not model
    assert all(
        np.array_equal(a, b) for a, b in zip(folded.get_weights(), model.get_weights(), strict=True)
    )


# -- the subprocess -------------------------------------------------------------------------
def test_python_dash_m_ffnn_train_then_predict(species_csv, tmp_path):
    argv = [sys.executable, "-m", "ffnn", "train", species_csv.name, "--target", "species"]
    result = subprocess.run(
        [*argv, "--epochs", "3", "--out", "s.ffnn"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "Saved s.ffnn" in result.stdout and "Epoch 3/3" in result.stderr
    assert ffnn.load(tmp_path / "s.ffnn").metadata["classes"] == SPECIES


# -- bad input: exit 2 and one line ---------------------------------------------------------
def bad_csvs(tmp_path: Path) -> dict[str, Path]:
    files = {
        "empty": "",
        "header_only": "a,b,y\n",
        "text_feature": "a,b,y\n1,2,x\n3,oops,y\n",
        "ragged": "a,b,y\n1,2,x\n3,4\n",
        "one_class": "a,b,y\n1,2,x\n3,4,x\n",
        "all_targets_missing": "a,b,y\n1,2,\n3,4,NA\n5,6,?\n",
        "repeated": "a,a,y\n1,2,x\n3,4,y\n",
    }
    for name, text in files.items():
        (tmp_path / f"{name}.csv").write_text(text)
    (tmp_path / "binary.bin").write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe\x00")
    return {name: tmp_path / f"{name}.csv" for name in files} | {"binary": tmp_path / "binary.bin"}


@pytest.mark.parametrize(
    ("case", "extra", "message"),
    [
        ("missing", [], "missing.csv: no such file"),
        ("empty", [], "is empty"),
        ("header_only", [], "has a header but no data rows"),
        ("binary", [], "not a UTF-8 text file"),
        ("ragged", [], "line 3 has 2 cells, the header has 3"),
        ("one_class", [], "holds one class only (x)"),
        ("all_targets_missing", [], "column 'y' has no value on any row"),
        ("repeated", [], "names columns more than once: a"),
        ("text_feature", ["--features", "a,zz"], "has no column 'zz' (its columns: a, b, y)"),
        ("text_feature", ["--target", "nope"], "has no column 'nope'"),
        ("text_feature", ["--features", "a,y"], "the target 'y' cannot also be a feature"),
        ("one_class", ["--task", "regression"], "a regression needs a numeric target"),
    ],
)
def test_train_bad_input_exits_2_with_one_line(case, extra, message, tmp_path, capsys):
    data = bad_csvs(tmp_path).get(case, tmp_path / "missing.csv")
    # a second --target replaces the first, as argparse does for every option
    argv = ["train", str(data), "--target", "y", *extra, "--out", str(tmp_path / "m.ffnn")]
    assert main(argv) == 2
    assert message in one_error_line(capsys, "train")
    assert not (tmp_path / "m.ffnn").exists()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--out", "no/such/folder/m.ffnn"], "--out no/such/folder/m.ffnn: the folder no/such"),
        (["--out", "."], "--out . is a folder; give a file name"),
        (["--hidden", "8,x"], "--hidden: expected positive integers separated by commas"),
        (["--features", "length,length"], "--features: a column is named twice"),
        (["--validation-split", "1"], "--validation-split: expected a number in [0, 1)"),
        (["--dropout", "-0.1"], "--dropout: expected a number in [0, 1)"),
        (["--l2", "nan"], "--l2: expected a finite number >= 0"),
        (["--activation", "swish2"], "--activation: invalid choice: 'swish2'"),
        (["--epochs", "0"], "--epochs: expected a positive integer"),
        (["--task", "clustering"], "--task: invalid choice: 'clustering'"),
    ],
)
def test_train_bad_options_exit_2_before_reading(
    extra, message, species_csv, tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)
    argv = ["train", str(species_csv), "--target", "species", "--epochs", "1", "--quiet"]
    assert main([*argv, *extra]) == 2
    captured = capsys.readouterr()
    (line,) = captured.err.strip().splitlines()
    assert line.startswith("ffnn train: error: ") and message in line
    assert captured.out == "" and not (tmp_path / "model.ffnn").exists()


def test_train_never_replaces_the_default_model_file_silently(
    binary_csv, tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)
    argv = ["train", str(binary_csv), "--target", "label", *FAST]
    assert main(argv) == 0
    first = (tmp_path / "model.ffnn").read_bytes()
    assert main([*argv, "--seed", "1"]) == 2
    assert "model.ffnn exists: pass --out model.ffnn to replace it" in one_error_line(
        capsys, "train"
    )
    assert (tmp_path / "model.ffnn").read_bytes() == first
    assert main([*argv, "--seed", "1", "--out", "model.ffnn"]) == 0  # named: replaced
    assert (tmp_path / "model.ffnn").read_bytes() != first


def test_a_validation_split_that_leaves_no_training_rows_exits_2(tmp_path, capsys):
    data = write_csv(tmp_path / "two.csv", ["a", "y"], [[1, "x"], [2, "z"]])
    assert main(["train", str(data), "--target", "y", "--validation-split", "0.9"]) == 2
    assert "leaves no training samples out of 2" in one_error_line(capsys, "train")


def test_training_that_diverges_exits_1_and_saves_nothing(regression_csv, tmp_path, capsys):
    out = tmp_path / "m.ffnn"
    argv = ["train", str(regression_csv), "--target", "price", "--out", str(out), "--quiet"]
    assert main([*argv, "--optimizer", "sgd", "--learning-rate", "1e6", "--epochs", "3"]) == 1
    line = one_error_line(capsys, "train")
    assert "training diverged in epoch 1" in line and line.endswith("Nothing saved.")
    assert not out.exists()


@pytest.fixture
def species_model(species_csv, tmp_path) -> Path:
    train(species_csv, "species", tmp_path / "m.ffnn")
    return tmp_path / "m.ffnn"


@pytest.mark.parametrize("command", ["predict", "evaluate", "info", "export-onnx"])
def test_a_file_that_is_not_a_model_exits_2(command, species_csv, tmp_path, capsys):
    extra = {"predict": [str(species_csv)], "evaluate": [str(species_csv)], "info": []}
    argv = [command, str(species_csv), *extra.get(command, [str(tmp_path / "m.onnx")])]
    assert main(argv) == 2
    assert "not an ffnn model file" in one_error_line(capsys, command)
    assert main([command, str(tmp_path / "none.ffnn"), *argv[2:]]) == 2
    assert "none.ffnn: no such model file" in one_error_line(capsys, command)


def test_predict_names_the_missing_feature_columns(species_model, tmp_path, capsys):
    data = write_csv(tmp_path / "d.csv", ["length", "height"], [[1, 2]])
    assert main(["predict", str(species_model), str(data)]) == 2
    line = one_error_line(capsys, "predict")
    assert "d.csv lacks the input column(s) width the model was trained with" in line
    assert "(length, width); the file has length, height" in line


def test_predict_with_a_wrong_number_of_columns_for_a_plain_model(tmp_path, capsys):
    model = ffnn.Sequential([ffnn.Dense(2, 1)], random_state=0)
    model.loss = ffnn.MeanSquaredError()
    ffnn.save(model, tmp_path / "plain.ffnn")
    data = write_csv(tmp_path / "d.csv", ["p", "q", "r"], [[1, 2, 3]])
    assert main(["predict", str(tmp_path / "plain.ffnn"), str(data)]) == 2
    assert "the model expects 2 feature columns, " in one_error_line(capsys, "predict")


@pytest.mark.parametrize(
    ("command", "rows", "extra", "message"),
    [
        ("predict", [[1, 2, "setosa"]], ["--proba"], None),
        ("evaluate", [[1, 2, "rose"]], [], "holds the label 'rose' on line 2, which is not a"),
        ("evaluate", [[1, 2, "setosa"]], ["--target", "kind"], "has no column 'kind'"),
        ("evaluate", [[1, 2, ""]], [], "column 'species' has no value on any row"),
    ],
)
def test_predict_and_evaluate_bad_data_exit_2(
    command, rows, extra, message, species_model, tmp_path, capsys
):
    data = write_csv(tmp_path / "d.csv", ["length", "width", "species"], rows)
    status = main([command, str(species_model), str(data), *extra])
    if message is None:
        assert status == 0
        return
    assert status == 2
    assert message in one_error_line(capsys, command)


def test_predict_proba_of_a_regression_model_exits_2(regression_csv, tmp_path, capsys):
    train(regression_csv, "price", tmp_path / "r.ffnn")
    assert main(["predict", str(tmp_path / "r.ffnn"), str(regression_csv), "--proba"]) == 2
    assert "--proba needs a classification model" in one_error_line(capsys, "predict")


# -- choices read from the registries -------------------------------------------------------
def train_choices(option: str) -> list[str]:
    """The choices of ``ffnn train OPTION`` in a freshly built parser."""
    parser = build_parser()
    (commands,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    (action,) = (a for a in commands.choices["train"]._actions if option in a.option_strings)
    return list(action.choices)


@pytest.fixture
def scratch_registries(monkeypatch):
    """What the test registers in the activation, layer and optimizer registries is dropped
    after it (each registry's tables are replaced by copies for the test's duration). The
    scikit-learn adapter registers its optimizers when first imported: it is imported before the
    copies are made, so that what it registers is not dropped with them."""
    import ffnn.sklearn  # noqa: F401

    for registry in (activations.ACTIVATIONS, layers.LAYERS, optimizers.OPTIMIZERS):
        for table in ("_by_name", "_by_class_name"):
            monkeypatch.setattr(registry, table, dict(getattr(registry, table)))


class Cube(ffnn.Layer):
    """``y = x³``, ``y' = 3x²``; counts the batches it sees. A module-level class, as a user's
    own must be for its model to be saved (one defined in a function is refused)."""

    batches = 0

    def forward(self, x, training=False):
        Cube.batches += 1
        self.x = x
        return x**3

    def backward(self, grad):
        return grad * 3 * self.x**2


def test_an_activation_registered_anywhere_is_offered_by_train(
    scratch_registries, binary_csv, tmp_path
):
    assert "cube" not in train_choices("--activation")
    activations.register_activation("cube")(Cube)
    assert "cube" in train_choices("--activation")
    Cube.batches = 0
    train(binary_csv, "label", tmp_path / "cube.ffnn", "--activation", "cube", "--hidden", "3")
    assert Cube.batches >= 15 * 2  # 15 epochs of 48 training rows in batches of 32


def test_train_offers_every_built_in_activation_and_optimizer():
    assert set(train_choices("--activation")) == set(activations.ACTIVATIONS.names())
    assert set(train_choices("--optimizer")) == {"sgd", "adam", "adamw", "rmsprop", "adagrad"}


def test_train_offers_a_new_core_optimizer_but_not_the_sklearn_adapters(scratch_registries):
    pytest.importorskip("ffnn.sklearn")  # registers sklearnsgd and sklearnadam
    assert {"sklearnsgd", "sklearnadam"} <= set(optimizers.OPTIMIZERS.names())
    assert not {"sklearnsgd", "sklearnadam"} & set(train_choices("--optimizer"))

    @optimizers.OPTIMIZERS.register("lion")
    class Lion(optimizers.SGD):
        __module__ = "ffnn.optimizers"  # as if defined there: a new built-in

    assert "lion" in train_choices("--optimizer")
