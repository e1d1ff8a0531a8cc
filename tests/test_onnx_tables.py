"""ffnn.onnx's answering form: a TablePreprocessor + network exported as one graph that takes the
raw columns, run by onnxruntime against the Python reference (``transform`` -> ``forward`` ->
sigmoid/softmax -> classes; a regression unscaled), on rows with missing cells, unseen
categories, unreadable cells and time zones.
"""

from __future__ import annotations

import datetime
import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import ffnn
from ffnn.cli import main
from ffnn.onnx import export_onnx, to_onnx

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

CITIES = ["paris", "lyon", "nice", "lille"]
CODES = [f"c{k}" for k in range(30)]


def training_table(n: int = 240, seed: int = 0) -> dict[str, list[Any]]:
    """Raw columns of every kind: numbers with missing cells, few and many categories (rare
    values too), booleans as text and as 0/1, dates and datetimes with zones, an ID and a
    constant."""
    rng = np.random.default_rng(seed)
    pick = rng.integers
    return {
        "age": [None if i % 9 == 0 else float(rng.normal(40, 12)) for i in range(n)],
        "city": [None if i % 13 == 0 else CITIES[int(pick(4))] for i in range(n)],
        "code": [CODES[min(int(rng.exponential(5)), 29)] for _ in range(n)],
        "member": [["yes", "No"][int(pick(2))] if i % 11 else "" for i in range(n)],
        "bit": [str(int(pick(2))) for _ in range(n)],
        "day": [
            f"{pick(2019, 2026)}-{pick(1, 13):02d}-{[1, 15, 28][int(pick(3))]:02d}"
            if i % 7
            else "NA"
            for i in range(n)
        ],
        "stamp": [
            f"2023-0{pick(1, 4)}-1{pick(0, 3)}T{pick(0, 4):02d}:{pick(0, 2) * 30:02d}"
            + ["", "Z", "+05:30", "-0800"][int(pick(4))]
            for _ in range(n)
        ],
        "id": [f"row{i}" for i in range(n)],
        "constant": ["x"] * n,
    }


#: rows the fit never saw: missing cells in every spelling, unseen and rare categories, cells
#: unreadable as their kind, impossible dates, zones that change the UTC day, month and year
NEW_ROWS: dict[str, list[Any]] = {
    "age": [np.nan, 1e39, 30.0, -5.25, 41.0, np.inf, 70.0, 12.0],
    "city": ["NA", "rome", "paris", "Null", "lyon", "", "nice", "lille"],
    "code": ["zzz", "c0", "c29", "n/a", "c3", "c1", "#N/A", "c12"],
    "member": ["yes", "maybe", "", "NO", "Yes", "none", "no", "YES"],
    "bit": ["1", "0", "?", "1.0", "0.0", "2", "1", "0"],
    "day": [
        "2024-02-30",
        "2024-02-29",
        "n/a",
        "2023-12-31 23:59",
        "1600-03-01",
        "2100-02-29",
        "9999-12-31T23:59:59.999",
        "2024-13-01",
    ],
    "stamp": [
        "2023-12-31T20:00-08:00",
        "2023-03-01T01:00Z",
        "2023-03-01T01:00:00.5+0530",
        "2023-03-01T24:00",
        "2023-01-01T00:30+01:00",
        "2023-03-01T12:00:60",
        "not a date",
        "2023-02-28 23:30-00:45",
    ],
    "id": ["?"] * 8,
    "constant": ["y"] * 8,
}


def fit(max_categories: int = 10) -> tuple[ffnn.TablePreprocessor, dict[str, list[Any]]]:
    table = training_table()
    prep = ffnn.TablePreprocessor(max_categories=max_categories, min_frequency=3).fit(table)
    kinds = {spec["name"]: spec["kind"] for spec in prep.columns_}
    assert kinds == {
        "age": "numeric",
        "city": "category",
        "code": "category",
        "member": "boolean",
        "bit": "boolean",
        "day": "date",
        "stamp": "date",
        "id": "id",
        "constant": "constant",
    }
    assert prep.columns_[2]["frequencies"] is not None  # more values than max_categories
    return prep, table


def network(n_in: int, n_out: int, loss: ffnn.losses.Loss, seed: int = 0) -> ffnn.Sequential:
    model = ffnn.Sequential(
        [ffnn.Dense(n_in, 16), ffnn.Tanh(), ffnn.Dense(16, n_out)], random_state=seed
    )
    model.loss = loss
    for layer in model.layers[::2]:  # larger weights: probabilities away from 1/K
        layer.weight.data *= 3
    return model


def feeds(session: Any, rows: dict[str, list[Any]]) -> dict[str, np.ndarray]:
    """Each graph input from the column of its name: float64 or strings, shape (N, 1)."""
    out = {}
    for item in session.get_inputs():
        values = rows[item.name]
        dtype = np.float64 if item.type == "tensor(double)" else object
        if dtype is object:
            values = ["" if v is None else str(v) for v in values]
        out[item.name] = np.array(values, dtype=dtype).reshape(-1, 1)
    return out


def run(proto: Any, rows: dict[str, list[Any]]) -> dict[str, np.ndarray]:
    session = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
    names = [output.name for output in session.get_outputs()]
    return dict(zip(names, session.run(None, feeds(session, rows)), strict=True))


def transformed(prep: ffnn.TablePreprocessor, rows: dict[str, list[Any]]) -> np.ndarray:
    with warnings.catch_warnings():  # the unreadable cells, taken as missing
        warnings.simplefilter("ignore", ffnn.preprocessing.PreprocessingWarning)
        return prep.transform(rows)


def reference(model: ffnn.Sequential, X: np.ndarray, classes: list[Any]) -> tuple[Any, Any]:
    """Labels and one probability per class, as ffnn predict computes them."""
    logits = model.forward(X.astype(model.dtype))
    if len(classes) == 2:
        positive = 1 / (1 + np.exp(-logits.astype(np.float64)))
        proba = np.concatenate([1 - positive, positive], axis=1)
    else:
        shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
        proba = shifted / shifted.sum(axis=1, keepdims=True)
    return np.asarray(classes, dtype=object)[proba.argmax(axis=1)], proba


# -- the preprocessing in the graph ------------------------------------------------------------
def identity_network(width: int) -> ffnn.Sequential:
    """A float64 network whose prediction is its input: the graph's features made visible."""
    model = ffnn.Sequential([ffnn.Dense(width, width)], dtype="float64")
    model.layers[0].weight.data[...] = np.eye(width)
    model.layers[0].bias.data[...] = 0
    model.loss = ffnn.MeanSquaredError()
    return model


@pytest.mark.parametrize("prep_dtype", ["float64", "float32"])
def test_the_graph_preprocesses_each_kind_as_transform_does(prep_dtype: str) -> None:
    prep, table = fit()
    prep.dtype = prep_dtype  # transform rounds its output to float32: so does the graph
    width = len(prep.get_feature_names_out())
    proto = to_onnx(
        identity_network(width),
        preprocessor=prep,
        dtype="float64",
        target_scaling={"mean": 0.0, "scale": 1.0},
    )
    for rows in (NEW_ROWS, {k: v[:50] for k, v in table.items()}):
        expected = transformed(prep, rows)
        np.testing.assert_allclose(run(proto, rows)["prediction"], expected, rtol=1e-12, atol=1e-12)


def test_only_the_columns_used_are_inputs_typed_by_kind() -> None:
    prep, _ = fit()
    session = ort.InferenceSession(
        to_onnx(
            network(len(prep.get_feature_names_out()), 1, ffnn.BinaryCrossEntropy()),
            preprocessor=prep,
            classes=["no", "yes"],
        ).SerializeToString()
    )
    inputs = {item.name: (item.type, item.shape) for item in session.get_inputs()}
    assert inputs == {
        "age": ("tensor(double)", ["batch", 1]),
        **{
            name: ("tensor(string)", ["batch", 1])
            for name in ["city", "code", "member", "bit", "day", "stamp"]
        },
    }  # id and constant are left out, so they are no inputs


def _random_dates(n: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        day = datetime.date(1, 1, 1) + datetime.timedelta(days=int(rng.integers(0, 3_652_058)))
        text = day.isoformat()
        if rng.random() < 0.7:
            text += (
                f"{' T'[int(rng.integers(2))]}{rng.integers(0, 24):02d}:{rng.integers(0, 60):02d}"
            )
            if rng.random() < 0.5:
                text += f":{rng.integers(0, 60):02d}" + (".25" if rng.random() < 0.3 else "")
            zone = int(rng.integers(5))
            if zone == 1:
                text += "Z"
            elif zone > 1:
                sign, hours, minutes = (
                    "+-"[int(rng.integers(2))],
                    rng.integers(0, 24),
                    rng.integers(0, 60),
                )
                text += f"{sign}{hours:02d}{':' if zone == 2 else ''}{minutes:02d}"
        out.append(text)
    return out


def test_dates_of_every_era_and_zone_give_pythons_days_year_month_and_weekday() -> None:
    """Seeded: 400 dates from year 1 to 9999 (leap days, zones that cross midnight) read by
    the graph as kinds.py reads them with datetime.fromisoformat."""
    table = {"when": _random_dates(200, seed=1) * 2 + ["NA"]}  # twice: not ID-like
    prep = ffnn.TablePreprocessor().fit(table)
    assert prep.columns_[0]["kind"] == "date"
    assert list(prep.columns_[0]["parts"]) == ["days", "year", "month", "weekday"]
    assert prep.columns_[0]["periods"]  # sin/cos of the span's halvings
    width = len(prep.get_feature_names_out())
    proto = to_onnx(
        identity_network(width), preprocessor=prep, dtype="float64", target_scaling=(0, 1)
    )
    rows = {"when": _random_dates(400, seed=2) + ["2024-02-29", "2023-02-29", "0000-01-01"]}
    np.testing.assert_allclose(
        run(proto, rows)["prediction"], transformed(prep, rows), rtol=1e-12, atol=1e-12
    )


def _hourly(n: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    start = datetime.datetime(2013, 1, 1)
    stamps = [start + datetime.timedelta(hours=int(h)) for h in rng.integers(0, 365 * 24, n)]
    return [f"{stamp:%Y-%m-%d %H:%M:%S}" for stamp in stamps]


def test_periodic_features_of_timestamps_match_python_to_1e_12() -> None:
    """Seeded: hourly timestamps of one year get sin/cos of the year, week, day and the span's
    halvings; the graph's Sin and Cos of them equal ``transform``'s, missing cells 0."""
    table = {"when": _hourly(2000, seed=3) + ["NA"]}  # about 5 a day: the day kept
    prep = ffnn.TablePreprocessor().fit(table)
    periods = prep.columns_[0]["periods"]
    assert periods[:3] == [365.25, 7.0, 1.0] and len(periods) == 9
    width = len(prep.get_feature_names_out())
    proto = to_onnx(
        identity_network(width), preprocessor=prep, dtype="float64", target_scaling=(0, 1)
    )
    rows = {"when": _hourly(300, seed=4) + ["NA", "2013-07-01T12:00:00+05:30", "not a date"]}
    expected = transformed(prep, rows)
    assert np.all(expected[-1, 4:-1] == 0) and expected[-1, -1] == 1  # missing: 0, flagged
    np.testing.assert_allclose(run(proto, rows)["prediction"], expected, rtol=1e-12, atol=1e-12)


MONTH_NAMES = (
    "January February March April May June July August September October November December"
)
WRITTEN = {  # each date format of ffnn.preprocessing.dates: how a datetime.date is written in it
    "ymd/": lambda d: f"{d.year:04d}/{d.month}/{d.day:02d}",
    "dmy/": lambda d: f"{d.day}/{d.month:02d}/{d.year:04d}",
    "mdy/": lambda d: f"{d.month:02d}/{d.day}/{d.year:04d}",
    "mon d yyyy": lambda d: f"{MONTH_NAMES.split()[d.month - 1][:3]} {d.day} {d.year:04d}",
    "d mon yyyy": lambda d: f"{d.day} {MONTH_NAMES.split()[d.month - 1]}, {d.year:04d}",
}
#: cells that are no date in some or all formats: impossible days, other formats, odd spellings
ODD_DATES = [
    "NA", "", "2023/2/29", "2024/2/29", "2024/13/1", "0000/1/1", "29/02/2023", "31/04/2024",
    "12/31/2024", "13/13/2000", "Feb 29 2023", "feb 29 2024", "SEPT 3, 2001", "3 sept 2001",
    "JaNuArY 5 2001", "Janu 5 2001", "5 Mai 2001", "May 5 01", "2024-03-01", "Mar  1 2024",
    "Mar 1 2024x", "1 Mar 2024,", "Mar 1,2024", "1/1/1970", "Jan 1 1970",
]  # fmt: skip


def _dates_in(form: str, n: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    start = datetime.date(1, 1, 1)
    days = [start + datetime.timedelta(days=int(k)) for k in rng.integers(0, 3_652_059, n)]
    return [WRITTEN[form](day) for day in days]


@pytest.mark.parametrize("form", list(WRITTEN))
def test_each_date_format_is_read_by_the_graph_as_python_reads_it(form: str) -> None:
    """Seeded: dates of years 1 to 9999 in one format (and the 13th, so that day first and month
    first settle), then new dates and odd cells: the graph's features equal ``transform``'s."""
    table = {"when": _dates_in(form, 300, seed=5) + ["13/1/2000" if "/" in form else "NA", "NA"]}
    if form == "ymd/":
        table["when"][-2] = "2000/1/13"
    prep = ffnn.TablePreprocessor().fit(table)
    assert prep.columns_[0]["kind"] == "date" and prep.columns_[0]["format"] == form
    assert prep.columns_[0]["indicator"] and prep.columns_[0]["periods"]
    width = len(prep.get_feature_names_out())
    proto = to_onnx(
        identity_network(width), preprocessor=prep, dtype="float64", target_scaling=(0, 1)
    )
    rows = {"when": _dates_in(form, 300, seed=6) + ODD_DATES}
    expected = transformed(prep, rows)
    assert expected[:, -1].sum() >= 10  # the odd cells are missing in Python too
    got = run(proto, rows)["prediction"]
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
    one = {"when": rows["when"][:1]}
    np.testing.assert_allclose(run(proto, one)["prediction"], transformed(prep, one), atol=1e-12)


# -- the answers -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "classes",
    [["no", "yes"], ["low", "mid", "high"], [3, 7, 11, 20], [0.5, 1.5, 2.5]],
    ids=["binary", "text", "integers", "floats"],
)
def test_labels_and_one_probability_per_class_match_the_python_reference(
    classes: list[Any],
) -> None:
    prep, table = fit()
    binary = len(classes) == 2
    loss = ffnn.BinaryCrossEntropy() if binary else ffnn.CrossEntropy()
    model = network(len(prep.get_feature_names_out()), 1 if binary else len(classes), loss)
    outputs = run(to_onnx(model, preprocessor=prep, classes=classes), NEW_ROWS)
    labels, proba = reference(model, transformed(prep, NEW_ROWS), classes)
    assert outputs["probabilities"].shape == (8, len(classes))  # two columns for binary
    np.testing.assert_allclose(outputs["probabilities"], proba, atol=1e-5)
    assert outputs["label"].shape == (8,)
    assert outputs["label"].tolist() == labels.tolist()
    kind = {str: "O", int: "i", float: "f"}[type(classes[0])]
    assert outputs["label"].dtype.kind == kind
    assert len(set(labels.tolist())) > 1  # the rows do not all get one class


def test_a_regression_gives_the_prediction_in_the_targets_units() -> None:
    prep, _ = fit()
    model = network(len(prep.get_feature_names_out()), 1, ffnn.MeanSquaredError())
    scaling = {"mean": 250.0, "scale": 40.0}
    outputs = run(to_onnx(model, preprocessor=prep, target_scaling=scaling), NEW_ROWS)
    expected = model.forward(transformed(prep, NEW_ROWS).astype(np.float32)) * 40.0 + 250.0
    assert list(outputs) == ["prediction"]
    np.testing.assert_allclose(outputs["prediction"], expected, rtol=1e-5)


def test_a_plain_binary_network_with_classes_gives_labels_and_two_columns() -> None:
    model = network(3, 1, ffnn.BinaryCrossEntropy())
    X = np.random.default_rng(0).normal(size=(20, 3)).astype(np.float32)
    session = ort.InferenceSession(to_onnx(model, classes=[0, 1]).SerializeToString())
    label, proba = session.run(["label", "probabilities"], {"input": X})
    expected_labels, expected = reference(model, X, [0, 1])
    np.testing.assert_allclose(proba, expected, atol=1e-5)
    assert label.tolist() == expected_labels.tolist() == model.predict(X).tolist()


def test_arguments_that_do_not_fit_are_refused() -> None:
    prep, _ = fit()
    width = len(prep.get_feature_names_out())
    binary = network(width, 1, ffnn.BinaryCrossEntropy())
    with pytest.raises(ValueError, match="3 classes do not fit a network of 1 output"):
        to_onnx(binary, preprocessor=prep, classes=["a", "b", "c"])
    with pytest.raises(ValueError, match="outputs must be 'auto'"):
        to_onnx(binary, preprocessor=prep, classes=["a", "b"], outputs=["logits"])
    with pytest.raises(
        ValueError, match=f"the preprocessor gives {width} features, the network takes 3"
    ):
        to_onnx(network(3, 1, ffnn.BinaryCrossEntropy()), preprocessor=prep, classes=[0, 1])
    with pytest.raises(ValueError, match="not fitted"):
        to_onnx(binary, preprocessor=ffnn.TablePreprocessor(), classes=[0, 1])
    with pytest.raises(ValueError, match="opset 17 cannot parse dates"):
        to_onnx(binary, preprocessor=prep, classes=[0, 1], opset=17)
    with pytest.raises(ValueError, match="classes are for a classifier"):
        to_onnx(network(width, 1, ffnn.MeanSquaredError()), preprocessor=prep, classes=[0, 1])
    with pytest.raises(ValueError, match="all text or all numbers"):
        to_onnx(binary, preprocessor=prep, classes=["a", 1])
    renamed = ffnn.TablePreprocessor().fit({"label": ["a", "b"] * 20, "x": [1.0, 2.0] * 20})
    with pytest.raises(ValueError, match="a column named 'label' cannot be a graph input"):
        to_onnx(network(4, 1, ffnn.BinaryCrossEntropy()), preprocessor=renamed, classes=[0, 1])


def test_without_dates_the_default_opset_serves() -> None:
    table = {k: v for k, v in training_table().items() if k not in ("day", "stamp")}
    prep = ffnn.TablePreprocessor(max_categories=10, min_frequency=3).fit(table)
    model = network(len(prep.get_feature_names_out()), 1, ffnn.BinaryCrossEntropy())
    proto = to_onnx(model, preprocessor=prep, classes=["n", "y"])
    assert [o.version for o in proto.opset_import if o.domain == ""] == [17]
    labels, proba = reference(model, transformed(prep, NEW_ROWS), ["n", "y"])
    np.testing.assert_allclose(run(proto, NEW_ROWS)["probabilities"], proba, atol=1e-5)


# -- the command line ------------------------------------------------------------------------
def _saved(tmp_path: Path, model: ffnn.Sequential, metadata: dict[str, Any]) -> Path:
    model.metadata = json.loads(json.dumps(metadata))  # JSON values, as a file holds them
    path = tmp_path / "model.ffnn"
    ffnn.save(model, path)
    return path


def test_export_onnx_reads_the_contract_metadata_and_answers_as_predict(
    tmp_path: Path, capsys: Any
) -> None:
    prep, _ = fit()
    classes = ["Adelie", "Chinstrap", "Gentoo"]
    model = network(len(prep.get_feature_names_out()), 3, ffnn.CrossEntropy())
    names = [str(n) for n in prep.feature_names_in_]
    path = _saved(
        tmp_path,
        model,
        {
            "task": "classification",
            "target": "species",
            "classes": classes,
            "preprocessing": prep.to_config(),
            "features": names,
        },
    )
    out = tmp_path / "model.onnx"
    assert main(["export-onnx", str(path), str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Inputs: age (float64), city (string)" in printed
    assert "Classes by output index: 0 Adelie, 1 Chinstrap, 2 Gentoo" in printed
    outputs = run(onnx.load(str(out)), NEW_ROWS)
    labels, proba = reference(ffnn.load(path), transformed(prep, NEW_ROWS), classes)
    np.testing.assert_allclose(outputs["probabilities"], proba, atol=1e-5)
    assert outputs["label"].tolist() == labels.tolist()


def test_export_onnx_of_a_regression_unscales(tmp_path: Path) -> None:
    prep, _ = fit()
    model = network(len(prep.get_feature_names_out()), 1, ffnn.MeanSquaredError())
    path = _saved(
        tmp_path,
        model,
        {
            "task": "regression",
            "target": "price",
            "target_scaling": {"mean": -3.0, "scale": 0.5},
            "preprocessing": prep.to_config(),
            "features": list(prep.feature_names_in_),
        },
    )
    assert main(["export-onnx", str(path), str(tmp_path / "m.onnx")]) == 0
    outputs = run(onnx.load(str(tmp_path / "m.onnx")), NEW_ROWS)
    expected = model.forward(transformed(prep, NEW_ROWS).astype(np.float32)) * 0.5 - 3.0
    np.testing.assert_allclose(outputs["prediction"], expected, rtol=1e-5, atol=1e-6)


def test_export_onnx_of_an_old_model_file_gives_labels_and_two_columns(tmp_path: Path) -> None:
    """A model of the previous ffnn train: numeric columns standardised (feature_scaling)."""
    model = network(2, 1, ffnn.BinaryCrossEntropy())
    mean, scale = np.array([10.0, -2.0]), np.array([4.0, 0.5])
    path = _saved(
        tmp_path,
        model,
        {
            "task": "classification",
            "target": "y",
            "classes": ["ham", "spam"],
            "features": ["u", "v"],
            "feature_scaling": {"mean": mean.tolist(), "scale": scale.tolist()},
        },
    )
    assert main(["export-onnx", str(path), str(tmp_path / "m.onnx")]) == 0
    raw = np.random.default_rng(3).normal(mean, 3 * scale, size=(30, 2))
    session = ort.InferenceSession(str(tmp_path / "m.onnx"))
    label, proba = session.run(["label", "probabilities"], {"input": raw.astype(np.float32)})
    labels, expected = reference(model, (raw - mean) / scale, ["ham", "spam"])
    np.testing.assert_allclose(proba, expected, atol=1e-5)
    assert label.tolist() == labels.tolist()


def test_export_onnx_of_a_plain_model_gives_integer_labels(tmp_path: Path) -> None:
    model = network(2, 1, ffnn.BinaryCrossEntropy())
    path = tmp_path / "plain.ffnn"
    ffnn.save(model, path)
    assert main(["export-onnx", str(path), str(tmp_path / "m.onnx")]) == 0
    X = np.random.default_rng(4).normal(size=(25, 2)).astype(np.float32)
    session = ort.InferenceSession(str(tmp_path / "m.onnx"))
    label, proba = session.run(["label", "probabilities"], {"input": X})
    assert proba.shape == (25, 2) and label.dtype == np.int64
    assert label.tolist() == model.predict(X).tolist()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda m: m.pop("classes"), "malformed ('classes')"),
        (lambda m: m.update(task="ranking"), "malformed (unknown task 'ranking')"),
        (lambda m: m["preprocessing"].update(format="other/9"), "malformed (expected a config"),
        (lambda m: m["preprocessing"]["columns"][0].pop("median"), "malformed (column spec 0"),
        (lambda m: m.update(classes=["a", "b"]), "2 classes need 1 output(s)"),
        (lambda m: m["preprocessing"]["columns"][1].update(categories=[1, 2]), "malformed"),
    ],
)
def test_bad_metadata_is_one_line_and_no_file(
    tmp_path: Path, capsys: Any, change: Any, message: str
) -> None:
    prep, _ = fit()
    model = network(len(prep.get_feature_names_out()), 3, ffnn.CrossEntropy())
    metadata = {
        "task": "classification",
        "target": "t",
        "classes": ["a", "b", "c"],
        "preprocessing": json.loads(json.dumps(prep.to_config())),
        "features": list(prep.feature_names_in_),
    }
    change(metadata)
    path = _saved(tmp_path, model, metadata)
    assert main(["export-onnx", str(path), str(tmp_path / "m.onnx")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err and "Traceback" not in err
    assert not (tmp_path / "m.onnx").exists()


def test_export_onnx_python_api_writes_the_same_graph(tmp_path: Path) -> None:
    prep, _ = fit()
    model = network(len(prep.get_feature_names_out()), 1, ffnn.BinaryCrossEntropy())
    export_onnx(model, tmp_path / "m.onnx", preprocessor=prep, classes=["f", "t"])
    written = onnx.load(str(tmp_path / "m.onnx"))
    props = {p.key: p.value for p in written.metadata_props}
    assert json.loads(props["classes"]) == ["f", "t"]
    assert json.loads(props["preprocessing"]) == json.loads(json.dumps(prep.to_config()))
    np.testing.assert_allclose(
        run(written, NEW_ROWS)["probabilities"],
        run(to_onnx(model, preprocessor=prep, classes=["f", "t"]), NEW_ROWS)["probabilities"],
    )


def test_info_describes_a_model_trained_on_a_table(tmp_path: Path, capsys: Any) -> None:
    prep, _ = fit()
    model = network(len(prep.get_feature_names_out()), 1, ffnn.BinaryCrossEntropy())
    path = _saved(
        tmp_path,
        model,
        {
            "task": "classification",
            "target": "churn",
            "classes": ["no", "yes"],
            "preprocessing": prep.to_config(),
            "features": list(prep.feature_names_in_),
        },
    )
    assert main(["info", str(path)]) == 0
    printed = capsys.readouterr().out
    assert "Task: classification\nTarget: churn\nClasses (2): no, yes\n" in printed
    width = len(prep.get_feature_names_out())
    assert f"Features (9 columns, {width} inputs to the network):" in printed
    assert prep.describe() in printed
