"""``ffnn predict`` and ``ffnn evaluate``: a trained model applied to the rows of a CSV file.

Both read the model's preprocessing from its file (:meth:`Preprocessor.from_model`: the stored
:class:`ffnn.TablePreprocessor`, rebuilt with ``from_config``), so the columns are chosen,
encoded and labelled as ``ffnn train`` did. Notes (cells taken as missing, rows skipped) go to
standard error, so that the predictions on standard output stay a clean CSV file.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np

from ffnn import csvdata
from ffnn.cli._common import (
    STANDARDISATION_NOTE,
    UsageError,
    add_dialect_options,
    check_outputs,
    check_writable,
    load_model,
    print_scores,
    read_table,
    scores,
)
from ffnn.csvdata import Preprocessor, format_numbers
from ffnn.csvdata.rawinputs import drop_missing_targets, skipped_note


def _note(text: str) -> None:
    print(text, file=sys.stderr)


def add_parser(commands: Any) -> None:
    """``predict`` and ``evaluate``."""
    _add_predict_parser(commands)
    _add_evaluate_parser(commands)


def _add_predict_parser(commands: Any) -> None:
    predict = commands.add_parser(
        "predict",
        help="predict the target of every row of a CSV file",
        description=(
            "Write one prediction per row of DATA.csv, in order, as CSV: the class label "
            "(classification) or the value (regression), in a column named after the target. "
            "DATA.csv needs the model's input columns (others, such as the target, are "
            "ignored); a missing cell or a category unseen in training is handled, and a cell "
            "of another kind (text in a numeric column) is taken as missing, with a note. "
            + STANDARDISATION_NOTE
        ),
    )
    predict.add_argument("model", type=Path, metavar="MODEL", help="a file written by ffnn train")
    predict.add_argument("data", type=Path, metavar="DATA.csv", help="the rows to predict")
    predict.add_argument(
        "--out", type=Path, metavar="FILE", help="the CSV file to write (default: standard output)"
    )
    predict.add_argument(
        "--proba",
        action="store_true",
        help="also write one probability column per class, proba_<label> (classification)",
    )
    add_dialect_options(predict)
    predict.set_defaults(run=run_predict)


def run_predict(args: argparse.Namespace) -> int:
    model = load_model(args.model)
    prep = Preprocessor.from_model(model, str(args.model))
    if args.proba and prep.task != "classification":
        raise UsageError("--proba needs a classification model; this one does regression")
    if args.out is not None:
        check_writable(args.out, "--out")
    table = read_table(args)
    X = prep.network_inputs(table, model.n_features_in, prep.target, note=_note)
    loss = model.loss
    if loss is None:  # Preprocessor.from_model has refused it
        raise UsageError(f"{args.model}: the model has no loss, so its outputs mean nothing")
    with np.errstate(all="ignore"):  # overflow is reported by check_outputs, in one line
        logits = model.forward(np.asarray(X, dtype=model.dtype))  # (n, n_outputs)
        check_outputs(logits, table.lines)
        predicted = loss.predict(logits)
        predicted = (
            predicted[:, 0] if predicted.ndim == 2 and predicted.shape[1] == 1 else predicted
        )
        name = prep.target or "prediction"
        if prep.task == "regression":
            values = prep.unscale_target(predicted)  # (n,), in the model's dtype
            check_outputs(values.reshape(len(values), -1), table.lines)
            header, columns = [name], [format_numbers(values)]
        else:
            header, columns = [name], [prep.labels(predicted)]
        if args.proba:
            probabilities = loss.link(logits)  # (n, K), or (n, 1): P(class 1)
            if probabilities.shape[1] == 1:
                probabilities = np.hstack([1 - probabilities, probabilities])
            check_outputs(probabilities, table.lines)
            header += [f"proba_{label}" for label in prep.class_names()]
            columns += [format_numbers(column) for column in probabilities.T]
    if args.out is None:
        csvdata.write_csv(None, header, columns)
        return 0
    try:
        csvdata.write_csv(args.out, header, columns)
    except OSError as error:
        raise UsageError(f"cannot write {args.out}: {error.strerror or error}") from None
    print(f"Saved {table.n_rows} predictions to {args.out}")
    return 0


def _add_evaluate_parser(commands: Any) -> None:
    evaluate = commands.add_parser(
        "evaluate",
        help="score a model on a labelled CSV file",
        description=(
            "Print the model's metrics on DATA.csv as 'name: value' lines: loss "
            "(cross-entropy) and accuracy for a classifier; mse, mae and r2 (in the target's "
            "units) for a regression. Rows whose target is missing are skipped, with a note. "
            + STANDARDISATION_NOTE
        ),
    )
    evaluate.add_argument("model", type=Path, metavar="MODEL", help="a file written by ffnn train")
    evaluate.add_argument("data", type=Path, metavar="DATA.csv", help="rows with known targets")
    evaluate.add_argument(
        "--target",
        metavar="COLUMN",
        help="the column of true targets (default: the column the model was trained on)",
    )
    add_dialect_options(evaluate)
    evaluate.set_defaults(run=run_evaluate)


def run_evaluate(args: argparse.Namespace) -> int:
    model = load_model(args.model)
    prep = Preprocessor.from_model(model, str(args.model))
    target = args.target or prep.target
    if target is None:
        raise UsageError("--target is needed: the model file does not name its target column")
    table = read_table(args)
    n_read = table.n_rows
    table, skipped = drop_missing_targets(table, target)
    if skipped:
        _note(skipped_note(target, skipped, n_read))
    X = prep.network_inputs(table, model.n_features_in, target, note=_note)
    print_scores(scores(model, prep, X, prep.targets(table, target), table.lines))
    return 0
