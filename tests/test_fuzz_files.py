"""Fuzzing the model file: damaged and hostile variants of real saved files (docs/threats.md,
"A model file").

Each case takes a real file (a Sequential with Adam's state and metadata, an MLPClassifier and an
MLPRegressor fitted with adam / sgd, a model trained by ``ffnn train`` with its preprocessing)
and mutates it: byte flips, truncations, member edits (replace, remove, duplicate, rename,
recompress, a directory that lies about sizes) and field edits of the manifest (a node replaced
by another type, a huge or negative number, NaN, a deep nesting, a huge string, a key removed).
Every outcome must be a load whose model predicts finite numbers on a fixed input, or a
``ValueError`` / ``OSError`` naming the file. Anything else fails with the seed and the mutation.

CI runs a fixed seed and a small budget; ``FFNN_FUZZ_ITERATIONS=20000`` runs a longer campaign
(``FFNN_FUZZ_SEED`` picks another seed).
"""

from __future__ import annotations

import json
import os
import re
import struct
import time
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import ffnn
from ffnn.cli import main as cli_main
from ffnn.csvdata import Preprocessor

ITERATIONS = int(os.environ.get("FFNN_FUZZ_ITERATIONS", "600"))
SEED = int(os.environ.get("FFNN_FUZZ_SEED", "14"))
TIME_BUDGET_S = float(
    os.environ.get("FFNN_FUZZ_SECONDS", "12" if "FFNN_FUZZ_ITERATIONS" not in os.environ else "1e9")
)
X_PROBE = np.linspace(-2.0, 2.0, 12).reshape(3, 4)  # a fixed, ordinary input (3, 4)


# -- the real files --------------------------------------------------------------------------
def _sequential_file(folder: Path) -> Path:
    model = ffnn.Sequential(
        [ffnn.Dense(4, 6), ffnn.ReLU(), ffnn.BatchNorm(6), ffnn.Dropout(0.1), ffnn.Dense(6, 3)],
        random_state=0,
    )
    X = np.random.default_rng(0).normal(size=(30, 4))
    model.fit(
        X,
        np.arange(30) % 3,
        loss="cross_entropy",
        optimizer=ffnn.Adam(learning_rate=0.01),
        epochs=2,
        batch_size=10,
        verbose=0,
    )
    model.metadata = {"classes": ["a", "b", "c"], "note": "fuzz"}
    path = folder / "sequential.ffnn"
    ffnn.save(model, path, include_optimizer=True)
    return path


def _estimator_files(folder: Path) -> list[Path]:
    pytest.importorskip("sklearn")
    from ffnn.sklearn.estimators import MLPClassifier, MLPRegressor

    X = np.random.default_rng(1).normal(size=(40, 4))
    paths = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        classifier = MLPClassifier(
            hidden_layer_sizes=(5,), solver="adam", max_iter=3, random_state=0
        )
        classifier.fit(X, np.where(X[:, 0] > 0, "yes", "no"))
        regressor = MLPRegressor(hidden_layer_sizes=(5,), solver="sgd", max_iter=3, random_state=0)
        regressor.fit(X, X[:, 1])
    for name, estimator in (("classifier", classifier), ("regressor", regressor)):
        path = folder / f"{name}.ffnn"
        ffnn.save(estimator, path)
        paths.append(path)
    return paths


def _cli_file(folder: Path) -> Path:
    data = folder / "train.csv"
    rows = ["a,b,c,d,y"] + [
        f"{i % 5},{(i * 7) % 11},{i / 10},{(i * 3) % 4},{1.5 * i + 2}" for i in range(24)
    ]
    data.write_text("\n".join(rows) + "\n")
    out = folder / "cli.ffnn"
    argv = ["train", str(data), "--target", "y", "--out", str(out), "--epochs", "2"]
    assert cli_main([*argv, "--hidden", "5", "--quiet"]) == 0
    return out


def _cli_raw_file(folder: Path) -> Path:
    """A model of ``ffnn train`` on raw columns: a number with missing cells, a text column of
    many values (one-hot, other, missing, frequency), yes/no and dates: every kind of spec."""
    data = folder / "raw.csv"
    rows = ["num,city,flag,day,y"] + [
        f"{'' if i % 7 == 0 else i / 3},"
        f"{'NA' if i % 9 == 0 else 'c' + str(i % 4 if i < 40 else i)},"
        f"{'yes' if i % 3 else 'no'},2024-0{1 + i % 9}-1{i % 3},{'ab'[i % 2]}"
        for i in range(400)  # 4 + 360 cities, 80% for training: more than max_categories (200)
    ]
    data.write_text("\n".join(rows) + "\n")
    out = folder / "cli_raw.ffnn"
    argv = ["train", str(data), "--target", "y", "--out", str(out), "--epochs", "2"]
    assert cli_main([*argv, "--hidden", "5", "--quiet"]) == 0
    return out


def _cli_earlier_file(folder: Path) -> Path:
    """A model as the previous ``ffnn train`` wrote it: ``feature_scaling``, no preprocessing."""
    model = ffnn.load(_cli_file(folder))
    specs = model.metadata.pop("preprocessing")["columns"]
    model.metadata["feature_scaling"] = {
        "mean": [spec["mean"] for spec in specs],
        "scale": [spec["std"] for spec in specs],
    }
    path = folder / "cli_earlier.ffnn"
    ffnn.save(model, path)
    return path


@pytest.fixture(scope="module")
def originals(tmp_path_factory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("fuzz-originals")
    paths = [_sequential_file(folder), *_estimator_files(folder), _cli_file(folder)]
    paths += [_cli_raw_file(folder), _cli_earlier_file(folder)]
    return {path.stem: path.read_bytes() for path in paths}


# -- what a load must give ---------------------------------------------------------------------
def _check_outcome(path: Path) -> str:
    """``"loaded"`` or ``"refused"``; raises AssertionError for anything else."""
    try:
        loaded = ffnn.load(path)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            outputs = _predict(loaded, path)
    except (ValueError, OSError) as error:
        if str(path) not in str(error):
            raise AssertionError(f"the error does not name the file: {error!r}") from error
        return "refused"
    assert np.all(np.isfinite(outputs)), f"the loaded model predicts {outputs!r}"
    return "loaded"


def _predict(loaded: Any, path: Path) -> np.ndarray:
    if isinstance(loaded, ffnn.Sequential):
        model = loaded
        X = X_PROBE
        if model.metadata.get("task") is not None:  # written by ffnn train
            prep = Preprocessor.from_model(model, str(path))
            if prep.inputs is not None:  # raw cells: numbers, text, missing, a date
                probe = ["1.5", "c3", "", "yes", "2024-02-13", "unseen", "-1e30"]
                raw = {name: probe for name in prep.features or []}
                X = prep.inputs.transform(raw)
            elif prep.feature_mean is not None and prep.feature_scale is not None:
                # ordinary data: within two standard deviations of the training mean
                X = prep.feature_mean + X_PROBE * prep.feature_scale
            X = prep.standardise(X)
            outputs = model.predict(X.astype(model.dtype))
            return prep.unscale_target(outputs) if prep.task == "regression" else outputs
        n_in = model.n_features_in
        X = (np.resize(X_PROBE, (3, n_in)) if n_in else X_PROBE).astype(model.dtype)
        if model.loss is None:  # a network saved without its loss: predict asks for one
            return np.asarray(model.forward(X, training=False), dtype=np.float64)
        return np.asarray(model.predict(X), dtype=np.float64)
    X = np.resize(X_PROBE, (3, loaded.n_features_in_))
    if hasattr(loaded, "predict_proba"):
        return np.asarray(loaded.predict_proba(X), dtype=np.float64)
    return np.asarray(loaded.predict(X), dtype=np.float64)


# -- the mutations -----------------------------------------------------------------------------
def _members(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    import io

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(info, archive.read(info)) for info in archive.infolist()]


def _zip(members: list[tuple[str, bytes, int]]) -> bytes:
    import io

    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names
        with zipfile.ZipFile(buffer, "w") as archive:
            for name, body, method in members:
                archive.writestr(zipfile.ZipInfo(name), body, compress_type=method)
    return buffer.getvalue()


def flip_bytes(data: bytes, rng: np.random.Generator) -> tuple[bytes, str]:
    out = bytearray(data)
    offsets = rng.integers(0, len(out), size=int(rng.integers(1, 9)))
    for offset in offsets:
        out[offset] = int(rng.integers(0, 256))
    return bytes(out), f"flip bytes at {sorted(offsets.tolist())}"


def truncate(data: bytes, rng: np.random.Generator) -> tuple[bytes, str]:
    length = int(rng.integers(0, len(data)))
    return data[:length], f"truncate to {length} bytes"


def edit_member(data: bytes, rng: np.random.Generator) -> tuple[bytes, str]:
    members = [(info.filename, body, zipfile.ZIP_DEFLATED) for info, body in _members(data)]
    index = int(rng.integers(0, len(members)))
    name, body, method = members[index]
    choice = int(rng.integers(0, 7))
    if choice == 0:
        garbage = rng.integers(0, 256, size=int(rng.integers(0, 200)), dtype=np.uint8).tobytes()
        members[index] = (name, garbage, method)
        what = f"replace {name} by {len(garbage)} random bytes"
    elif choice == 1:
        del members[index]
        what = f"remove {name}"
    elif choice == 2:
        members.append(members[index])
        what = f"duplicate {name}"
    elif choice == 3:
        other = members[int(rng.integers(0, len(members)))][0]
        members[index] = (other, body, method)
        what = f"rename {name} to {other}"
    elif choice == 4:
        methods = [zipfile.ZIP_STORED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA]
        method = methods[int(rng.integers(0, len(methods)))]
        members[index] = (name, body, method)
        what = f"compress {name} with method {method}"
    elif choice == 5:
        members[index] = (name, body[: len(body) // 2] + body, method)
        what = f"grow {name}"
    else:
        return _lie_about_size(data, rng)
    return _zip(members), what


def _lie_about_size(data: bytes, rng: np.random.Generator) -> tuple[bytes, str]:
    """Change a declared uncompressed size in the central directory or a local header."""
    out = bytearray(data)
    signatures = [(b"PK\x01\x02", 24), (b"PK\x03\x04", 22)]
    signature, field = signatures[int(rng.integers(0, 2))]
    places = [i for i in range(len(out)) if out.startswith(signature, i)]
    at = places[int(rng.integers(0, len(places)))]
    size = int(rng.choice([0, 1, 7, 2**31, 2**32 - 1, int(rng.integers(0, 2**20))]))
    out[at + field : at + field + 4] = struct.pack("<I", size)
    return bytes(out), f"declare size {size} in the header at {at}"


def _hostile_value(rng: np.random.Generator) -> Any:
    values: list[Any] = [
        None,
        True,
        -1,
        0,
        10**30,
        -(10**30),
        1e308,
        -1e308,
        1e-320,
        float("nan"),
        float("inf"),
        2**31,
        "x" * 100_000,
        "",
        [],
        {},
        [[[[[[0]]]]]],
        {"a": 1},
        "Dense",
        0.5,
        [1e308, -1e308],
    ]
    return values[int(rng.integers(0, len(values)))]


def _nodes(node: Any, trail: tuple = ()) -> list[tuple]:
    found = [trail]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _nodes(value, (*trail, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _nodes(value, (*trail, index))
    return found


def edit_field(data: bytes, rng: np.random.Generator) -> tuple[bytes, str]:
    members = [(info.filename, body, zipfile.ZIP_DEFLATED) for info, body in _members(data)]
    index = next(i for i, m in enumerate(members) if m[0] == "ffnn.json")
    document = json.loads(members[index][1])
    trails = [trail for trail in _nodes(document) if trail]
    trail = trails[int(rng.integers(0, len(trails)))]
    parent = document
    for step in trail[:-1]:
        parent = parent[step]
    choice = int(rng.integers(0, 4))
    if choice == 0 and isinstance(parent, dict):
        del parent[trail[-1]]
        what = f"remove {list(trail)}"
    elif choice == 1:
        deep: Any = 0
        for _ in range(int(rng.integers(10, 100_000))):
            deep = [deep]
        parent[trail[-1]] = deep
        what = f"nest {list(trail)} deeply"
    else:
        value = _hostile_value(rng)
        parent[trail[-1]] = value
        what = f"set {list(trail)} to {value!r:.40}"
    try:
        text = json.dumps(document)  # NaN and Infinity as JS literals
    except RecursionError:
        text = json.dumps({"format": "ffnn-model", "format_version": 1, "model": "[" * 10**5})
    members[index] = ("ffnn.json", text.encode(), zipfile.ZIP_DEFLATED)
    return _zip(members), what


MUTATIONS: list[Callable[[bytes, np.random.Generator], tuple[bytes, str]]] = [
    flip_bytes,
    truncate,
    edit_member,
    edit_field,
    edit_field,
]


def run_campaign(originals: dict[str, bytes], folder: Path, seed: int, count: int, budget: float):
    """Mutate and load ``count`` files (at most ``budget`` seconds); the tally of outcomes."""
    rng = np.random.default_rng(seed)
    names = sorted(originals)
    tally = {"loaded": 0, "refused": 0}
    start = time.perf_counter()
    for iteration in range(count):
        if time.perf_counter() - start > budget:
            break
        name = names[int(rng.integers(0, len(names)))]
        mutation = MUTATIONS[int(rng.integers(0, len(MUTATIONS)))]
        case_rng = np.random.default_rng([seed, iteration])
        data, what = mutation(originals[name], case_rng)
        path = folder / f"{name}-{iteration}.ffnn"
        path.write_bytes(data)
        try:
            tally[_check_outcome(path)] += 1
        except Exception as error:
            raise AssertionError(
                f"seed {seed}, iteration {iteration}: {name} / {mutation.__name__}: {what}: "
                f"{type(error).__name__}: {error!s:.300}"
            ) from error
        path.unlink()
    return tally


def test_every_original_loads_and_predicts_finite_numbers(originals, tmp_path) -> None:
    for name, data in originals.items():
        path = tmp_path / f"{name}.ffnn"
        path.write_bytes(data)
        assert _check_outcome(path) == "loaded", name


def test_mutated_files_load_and_predict_finite_numbers_or_are_refused_naming_the_file(
    originals, tmp_path
) -> None:
    tally = run_campaign(originals, tmp_path, SEED, ITERATIONS, TIME_BUDGET_S)
    assert tally["refused"] > 0
    assert sum(tally.values()) >= min(ITERATIONS, 40)  # the budget leaves room for some
    print(f"fuzz: seed {SEED}: {tally}")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("feature_scaling.scale", 0.0),
        ("feature_scaling.scale", 1e-320),
        ("feature_scaling.scale", 1e308),
        ("feature_scaling.mean", 1e308),
        ("feature_scaling.scale", -1.0),
        ("target_scaling.scale", 1e-320),
        ("target_scaling.mean", 1e300),
        ("feature_scaling.scale", "1.5"),
    ],
)
def test_hostile_scaling_statistics_are_refused_by_every_command(
    originals, tmp_path, capsys, field, value
) -> None:
    section, key = field.split(".")
    path = tmp_path / "cli.ffnn"
    path.write_bytes(originals["cli" if section == "target_scaling" else "cli_earlier"])

    def edit(members: dict[str, bytes]) -> None:
        document = json.loads(members["ffnn.json"])
        stats = document["metadata"][section]
        if isinstance(stats[key], list):
            stats[key][0] = value
        else:
            stats[key] = value
        members["ffnn.json"] = json.dumps(document).encode()

    from archive_edits import rewrite

    rewrite(path, edit)
    model = ffnn.load(path)  # the network itself is sound
    with pytest.raises(ValueError, match=f"{re.escape(str(path))}: the model's metadata"):
        Preprocessor.from_model(model, str(path))
    data = tmp_path / "rows.csv"
    data.write_text("a,b,c,d\n1,2,3,4\n")
    capsys.readouterr()
    assert cli_main(["predict", str(path), str(data)]) == 2
    assert cli_main(["export-onnx", str(path), "--out", str(tmp_path / "m.onnx")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 2 and str(path) in err and "Traceback" not in err


def _spec(config: dict, kind: str) -> dict:
    """The first column spec of ``kind`` in a TablePreprocessor config."""
    return next(spec for spec in config["columns"] if spec["kind"] == kind)


#: edits of metadata["preprocessing"] (the TablePreprocessor's config) of a file of ffnn train
HOSTILE_PREPROCESSING: dict[str, Callable[[dict], object]] = {
    "std_nan": lambda c: _spec(c, "numeric").update(std=float("nan")),
    "std_inf": lambda c: _spec(c, "numeric").update(std=float("inf")),
    "std_zero": lambda c: _spec(c, "numeric").update(std=0.0),
    "std_negative": lambda c: _spec(c, "numeric").update(std=-1.0),
    "std_text": lambda c: _spec(c, "numeric").update(std="1"),
    "std_bool": lambda c: _spec(c, "numeric").update(std=True),
    "mean_huge": lambda c: _spec(c, "numeric").update(mean=1e300),
    "median_400_digits": lambda c: _spec(c, "numeric").update(median=10**400),
    "median_missing": lambda c: _spec(c, "numeric").pop("median"),
    "indicator_text": lambda c: _spec(c, "numeric").update(indicator="yes"),
    "an_unknown_key": lambda c: _spec(c, "numeric").update(code="import os"),
    "unknown_kind": lambda c: _spec(c, "numeric").update(kind="embedding"),
    "kind_a_list": lambda c: _spec(c, "numeric").update(kind=["numeric"]),
    "name_a_number": lambda c: _spec(c, "numeric").update(name=3),
    "outputs_one_more": lambda c: _spec(c, "numeric")["outputs"].append("extra"),
    "outputs_renamed": lambda c: _spec(c, "numeric").update(outputs=["x", "y"]),
    "fill_half": lambda c: _spec(c, "boolean").update(fill=0.5),
    "origin_inf": lambda c: _spec(c, "date").update(origin=float("-inf")),
    "date_part_unknown": lambda c: _spec(c, "date")["parts"].update(hour={"median": 0}),
    "date_parts_a_list": lambda c: _spec(c, "date").update(parts=["days"]),
    "date_format_unknown": lambda c: _spec(c, "date").update(format="%Y%m%d"),
    "date_format_a_list": lambda c: _spec(c, "date").update(format=["iso"]),
    "categories_numbers": lambda c: _spec(c, "category").update(categories=[1, 2]),
    "categories_repeated": lambda c: _spec(c, "category")["categories"].append(
        _spec(c, "category")["categories"][0]
    ),
    "categories_huge": lambda c: _spec(c, "category").update(categories=["v"] * 1_000_001),
    "frequency_above_one": lambda c: _spec(c, "category")["frequencies"].update(c1=2.0),
    "frequencies_a_list": lambda c: _spec(c, "category").update(frequencies=[0.5]),
    "missing_a_number": lambda c: _spec(c, "category").update(missing=1),
    "columns_an_object": lambda c: c.update(columns={}),
    "columns_empty": lambda c: c.update(columns=[], n_features_in=0),
    "column_named_twice": lambda c: c["columns"].append(dict(_spec(c, "numeric"))),
    "n_features_in_text": lambda c: c.update(n_features_in="4"),
    "n_features_in_huge": lambda c: c.update(n_features_in=10**12),
    "named_a_number": lambda c: c.update(named=1),
    "params_unknown": lambda c: c["params"].update(pickle=True),
    "params_max_categories_negative": lambda c: c["params"].update(max_categories=-1),
    "params_dtype": lambda c: c["params"].update(dtype="float16"),
    "format_other": lambda c: c.update(format="sklearn/1"),
    "unknown_top_key": lambda c: c.update(transformers=[]),
    "a_column_dropped": lambda c: c["columns"].pop(),
    "a_left_out_column_with_outputs": lambda c: c["columns"][0].update(
        kind="id", outputs=c["columns"][0]["outputs"]
    ),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_PREPROCESSING))
def test_hostile_preprocessing_is_refused_in_one_line_by_every_command(
    originals, tmp_path, capsys, case
) -> None:
    """A file of ffnn train whose stored TablePreprocessor config is damaged or hostile: the
    Python API raises a ValueError naming the file, predict and evaluate print one line and
    exit 2, never a traceback (the config is also checked for its fit with the network)."""
    path = tmp_path / "raw.ffnn"
    path.write_bytes(originals["cli_raw"])

    def edit(members: dict[str, bytes]) -> None:
        document = json.loads(members["ffnn.json"])
        HOSTILE_PREPROCESSING[case](document["metadata"]["preprocessing"])
        members["ffnn.json"] = json.dumps(document).encode()

    from archive_edits import rewrite

    rewrite(path, edit)
    try:
        model = ffnn.load(path)
    except ValueError as error:  # NaN and infinity are refused by the loader itself
        assert str(path) in str(error)
    else:
        with pytest.raises(ValueError, match=f"{re.escape(str(path))}: the model's metadata"):
            Preprocessor.from_model(model, str(path))
    data = tmp_path / "rows.csv"
    data.write_text("num,city,flag,day,y\n1,c1,yes,2024-01-01,a\n")
    capsys.readouterr()
    assert cli_main(["predict", str(path), str(data)]) == 2
    assert cli_main(["evaluate", str(path), str(data)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 2 and all(str(path) in line for line in lines), err
    assert lines[0].startswith("ffnn predict: error: ")


def test_the_config_api_refuses_hostile_configs_with_value_or_type_errors(originals, tmp_path):
    """TablePreprocessor.from_config itself: the same checks, as ValueError or TypeError."""
    path = tmp_path / "raw.ffnn"
    path.write_bytes(originals["cli_raw"])
    config = ffnn.load(path).metadata["preprocessing"]
    assert ffnn.TablePreprocessor.from_config(json.loads(json.dumps(config))).columns_
    refused = 0
    for case, edit in HOSTILE_PREPROCESSING.items():
        if case in ("a_column_dropped", "column_named_twice"):
            continue  # a consistent config by itself: refused for its fit with the network
        damaged = json.loads(json.dumps(config))
        edit(damaged)
        with pytest.raises((ValueError, TypeError)):
            ffnn.TablePreprocessor.from_config(damaged)
        refused += 1
    assert refused == len(HOSTILE_PREPROCESSING) - 2
