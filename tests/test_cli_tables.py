"""``ffnn train / predict / evaluate`` on raw tables: text, missing cells, IDs, dates, yes/no.

The input columns go through ``ffnn.TablePreprocessor`` (stored in the model file as
``metadata["preprocessing"]``); predictions are compared with the preprocessor and the model
used directly from Python. Also: rows with a missing target, the default validation split and
early stopping, and files of the previous ``ffnn train``.
"""

from __future__ import annotations

import csv
import io
import re
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

import ffnn
from ffnn import csvdata
from ffnn.cli import main
from ffnn.cli._stopping import validation_rows

EARLY_LINE = re.compile(
    r"^Early stopping: stopped at epoch (\d+) of (\d+) \((\w+) no better for (\d+) epochs\); "
    r"best (\w+) (\S+) at epoch (\d+), whose weights are kept\.$",
    re.MULTILINE,
)


def penguins() -> Path:
    pytest.importorskip("palmerpenguins")
    return Path(str(resources.files("palmerpenguins") / "data" / "penguins.csv"))


def raw_csv(path: Path, n: int = 80) -> Path:
    """A hand-made raw file, ';'-separated with decimal commas: an ID column, a constant column,
    a date, a yes/no column, a text column of 30 values, missing cells, and a target (three
    classes) missing on lines 5 and 12."""
    rng = np.random.default_rng(0)
    lines = ["id;site;day;member;city;size;grade"]
    for i in range(n):
        size = rng.normal(10, 3)
        grade = "low" if size < 9 else "mid" if size < 11.5 else "high"
        if i in (3, 10):  # lines 5 and 12 of the file (the header is line 1)
            grade = "NA" if i == 3 else ""
        size_text = "" if i % 11 == 5 else f"{size:.3f}".replace(".", ",")
        day = f"2024-{1 + i % 6:02d}-{1 + i % 4:02d}"  # 24 dates: not one per row, as IDs
        member = "?" if i % 13 == 7 else ("yes" if i % 3 else "no")
        lines.append(f"{1000 + i};north;{day};{member};town{i % 30};{size_text};{grade}")
    path.write_text("\n".join(lines) + "\n")
    return path


def last_line_of(pattern: re.Pattern[str], text: str) -> re.Match[str]:
    match = pattern.search(text)
    assert match is not None, text
    return match


def test_penguins_trains_with_no_flag_and_prints_the_decision_table(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["train", str(penguins()), "--target", "species"]) == 0
    out = capsys.readouterr().out
    assert "344 rows, 7 input columns, target 'species'" in out
    table = out[out.index("column ") :].splitlines()
    assert table[0].split() == ["column", "kind", "used", "as"]
    kinds = {line.split()[0]: line.split()[1] for line in table[1:8]}
    assert kinds == {
        "island": "category",
        "bill_length_mm": "numeric",
        "bill_depth_mm": "numeric",
        "flipper_length_mm": "numeric",
        "body_mass_g": "numeric",
        "sex": "category",
        "year": "numeric",
    }
    assert "Network: 17 -> 64 -> 64 -> 3 (relu)" in out  # 3+1 island, 4x2 numbers, 2+2 sex, year
    assert "Training on 275 rows, validating on 69" in out
    # the defaults: 200 epochs at most, patience 20 (penguins may use all 200 under the L2)
    early = re.search(r"^Early stopping: (.*)$", out, re.MULTILINE)
    assert early is not None, out
    assert re.fullmatch(
        r"(stopped at epoch \d+ of 200 \(val_loss no better for 20 epochs\)|ran all 200 epochs); "
        r"best val_loss \S+ at epoch \d+, whose weights are kept "
        r"\(val_loss here includes the L2 penalty; the scores below do not\)\.",
        early.group(1),
    ), early.group(1)
    assert float(out.split("val_accuracy: ")[1].split()[0]) >= 0.95
    model = ffnn.load(tmp_path / "model.ffnn")
    assert model.metadata["features"] == [
        "island",
        "bill_length_mm",
        "bill_depth_mm",
        "flipper_length_mm",
        "body_mass_g",
        "sex",
        "year",
    ]
    prep = ffnn.TablePreprocessor.from_config(model.metadata["preprocessing"])
    assert prep.n_features_in_ == 7 and len(prep.get_feature_names_out()) == 17


def test_a_raw_file_trains_with_no_flag_skips_missing_targets_and_predicts_like_python(
    tmp_path, capsys
):
    data = raw_csv(tmp_path / "raw.csv")
    out = tmp_path / "m.ffnn"
    assert main(["train", str(data), "--target", "grade", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Skipped 2 of 80 rows whose target 'grade' is missing (lines 5, 12)" in printed
    table = {line.split()[0]: line.split()[1] for line in printed.splitlines() if "  " in line}
    assert table["id"] == "id" and table["site"] == "constant" and table["day"] == "date"
    assert table["member"] == "boolean" and table["city"] == "category"
    assert table["size"] == "numeric"
    assert (
        "member_missing"
        in ffnn.TablePreprocessor.from_config(
            ffnn.load(out).metadata["preprocessing"]
        ).get_feature_names_out()
    )

    # rows with missing cells, an unseen category, an unseen date and a word in a number
    new = tmp_path / "new.csv"
    new.write_text(
        "id;site;day;member;city;size\n"
        "1;south;2025-06-01;yes;town3;9,5\n"
        "2;;;;;\n"
        "3;north;2024-02-02;no;atlantis;abc\n"
    )
    assert main(["predict", str(out), str(new), "--proba"]) == 0
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        f"Note: {new}: column 'size': 1 cell(s) cannot be read as numeric, its kind at fit; "
        "they are taken as missing"
    ]
    header, *rows = list(csv.reader(io.StringIO(captured.out)))
    model = ffnn.load(out)
    classes = model.metadata["classes"]
    assert header == ["grade", *[f"proba_{c}" for c in classes]]
    prep = ffnn.TablePreprocessor.from_config(model.metadata["preprocessing"])
    with pytest.warns(ffnn.preprocessing.PreprocessingWarning):
        X = prep.transform(csvdata.read_csv(new))
    proba = model.predict_proba(X)
    assert [row[0] for row in rows] == [classes[k] for k in proba.argmax(axis=1)]
    np.testing.assert_allclose(np.array([row[1:] for row in rows], dtype=float), proba, rtol=1e-6)


def test_kept_weights_are_the_best_epochs_as_evaluate_on_the_validation_rows_shows(
    tmp_path, capsys
):
    data = raw_csv(tmp_path / "raw.csv", n=120)
    out = tmp_path / "m.ffnn"
    argv = ["train", str(data), "--target", "grade", "--out", str(out), "--seed", "3"]
    # --l2 0: the monitored val_loss then holds no penalty term, as evaluate's loss does not
    assert main([*argv, "--early-stopping", "3", "--learning-rate", "0.03", "--l2", "0"]) == 0
    printed = capsys.readouterr().out
    early = last_line_of(EARLY_LINE, printed)
    stopped, best_epoch = int(early.group(1)), int(early.group(7))
    assert early.group(3) == early.group(5) == "val_loss" and early.group(4) == "3"
    assert stopped == best_epoch + 3  # the last epochs are not kept
    best = float(early.group(6))

    # the validation rows, as train draws them: stratified from the seed
    table, _ = csvdata.rawinputs.drop_missing_targets(csvdata.read_csv(data), "grade")
    classes = ffnn.load(out).metadata["classes"]
    labels = np.array([classes.index(c) for c in table.column("grade")])
    _, val = validation_rows(table.n_rows, labels, 0.2, 3)
    lines = data.read_text().splitlines()
    rows_file = tmp_path / "val.csv"
    rows_file.write_text("\n".join([lines[0], *(lines[table.lines[i] - 1] for i in val)]) + "\n")
    assert main(["evaluate", str(out), str(rows_file)]) == 0
    loss = float(capsys.readouterr().out.split("loss: ")[1].split()[0])
    assert loss == pytest.approx(best, rel=1e-3)
    assert f"val_loss: {loss:.6g}" in printed


def test_the_classifier_split_is_stratified_and_reproducible():
    labels = np.array([0] * 50 + [1] * 30 + [2] * 7 + [3] * 1)
    train, val = validation_rows(len(labels), labels, 0.2, seed=5)
    assert [int((labels[val] == k).sum()) for k in range(4)] == [10, 6, 1, 0]
    assert np.array_equal(np.sort(np.concatenate([train, val])), np.arange(len(labels)))
    again = validation_rows(len(labels), labels, 0.2, seed=5)
    assert np.array_equal(again[1], val)
    assert not np.array_equal(validation_rows(len(labels), labels, 0.2, seed=6)[1], val)
    # a regression: ceil(0.2 n) rows at random
    assert len(validation_rows(81, None, 0.2, seed=0)[1]) == 17


def test_early_stopping_zero_runs_every_epoch_and_keeps_the_last_weights(tmp_path, capsys):
    data = raw_csv(tmp_path / "raw.csv")
    out = tmp_path / "m.ffnn"
    argv = ["train", str(data), "--target", "grade", "--out", str(out), "--epochs", "7"]
    assert main([*argv, "--early-stopping", "0"]) == 0
    printed = capsys.readouterr().out
    assert "Early stopping" not in printed
    assert ffnn.load(out).epochs_trained == 7


def test_evaluate_skips_rows_without_a_target_with_a_note(tmp_path, capsys):
    data = raw_csv(tmp_path / "raw.csv")
    out = tmp_path / "m.ffnn"
    assert main(["train", str(data), "--target", "grade", "--out", str(out), "--quiet"]) == 0
    capsys.readouterr()
    assert main(["evaluate", str(out), str(data)]) == 0
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        "Skipped 2 of 80 rows whose target 'grade' is missing (lines 5, 12)"
    ]
    assert captured.out.startswith("loss: ")


def test_a_file_of_the_previous_ffnn_train_still_predicts_and_evaluates(tmp_path, capsys):
    """metadata with feature_scaling and no preprocessing: standardised as before."""
    rng = np.random.default_rng(4)
    X = rng.normal(size=(60, 2)) * [3, 0.1] + [50, 1]
    rows = "".join(f"{a:.4f},{b:.5f},{int(a - 50 + 30 * (b - 1) > 0)}\n" for a, b in X)
    data = tmp_path / "d.csv"
    data.write_text("a,b,y\n" + rows)
    model = ffnn.Sequential([ffnn.Dense(2, 4), ffnn.ReLU(), ffnn.Dense(4, 1)], random_state=0)
    mean, scale = X.mean(axis=0), X.std(axis=0)
    model.fit(
        (X - mean) / scale,
        (X[:, 0] - 50 + 30 * (X[:, 1] - 1) > 0).astype(int),
        loss="binary_cross_entropy",
        epochs=3,
        verbose=0,
    )
    model.metadata = {
        "task": "classification",
        "target": "y",
        "features": ["a", "b"],
        "classes": [0, 1],
        "feature_scaling": {"mean": mean.tolist(), "scale": scale.tolist()},
    }
    ffnn.save(model, tmp_path / "old.ffnn")
    assert main(["predict", str(tmp_path / "old.ffnn"), str(data), "--proba"]) == 0
    header, *out_rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert header == ["y", "proba_0", "proba_1"]
    raw = csvdata.read_csv(data).matrix(["a", "b"])
    p1 = model.predict_proba((raw - mean) / scale)[:, 0]  # P(class 1)
    printed = np.array([r[1:] for r in out_rows], dtype=float)
    np.testing.assert_allclose(printed[:, 1], p1, rtol=1e-6)
    np.testing.assert_allclose(printed[:, 0], 1 - p1, atol=1e-7)
    assert main(["evaluate", str(tmp_path / "old.ffnn"), str(data)]) == 0
    assert capsys.readouterr().out.startswith("loss: ")
