"""``ffnn train``: a network trained on a CSV file, reported and saved to one file.

The command reads the file (:mod:`ffnn.csvdata`), skips the rows whose target is missing, turns
the input columns into numbers with :class:`ffnn.TablePreprocessor` (and standardises a
regression's target), builds ``Dense -> activation [-> Dropout]`` per hidden size and a last
``Dense``, trains it with :meth:`Sequential.fit` (a validation split, stratified for a
classifier, and early stopping that keeps the best weights, by default), prints the final
metrics and saves the model with its preprocessing in ``model.metadata``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from ffnn import activations, csvdata, optimizers
from ffnn.callbacks import EarlyStopping
from ffnn.cli._common import (
    DIVERGED,
    STANDARDISATION_NOTE,
    NonFiniteScores,
    UsageError,
    add_dialect_options,
    check_memory,
    check_writable,
    fraction,
    non_negative_float,
    non_negative_int,
    plotting_module,
    positive_float,
    positive_int,
    print_scores,
    read_table,
    scores,
)
from ffnn.cli._stopping import early_stopping_line, validation_rows
from ffnn.csvdata import Preprocessor
from ffnn.csvdata.dialect import Dialect
from ffnn.csvdata.rawinputs import drop_missing_targets, skipped_note
from ffnn.io import save
from ffnn.layers import Dense, Dropout, Layer
from ffnn.losses import BinaryCrossEntropy, CrossEntropy, MeanSquaredError
from ffnn.model import Sequential
from ffnn.regularizers import L2
from ffnn.training import History, TrainingDivergedError

DEFAULT_MODEL = "model.ffnn"

# -- the defaults of the network and its training: one line each ---------------------------
DEFAULT_HIDDEN = [64, 64]
DEFAULT_LEARNING_RATE = 1e-3
DEFAULT_BATCH_SIZE = 32
DEFAULT_EPOCHS = 200  # an upper bound: early stopping ends training sooner
DEFAULT_PATIENCE = 20
DEFAULT_L2 = 3e-3  # the real-data study's choice (docs/real-data.md): small tables overfit less
DEFAULT_VALIDATION_SPLIT = 0.2


def activation_names() -> list[str]:
    """The names ``--activation`` accepts: every name :func:`ffnn.activations.get` accepts.

    Read from the registry when the parser is built, so an activation registered with
    :func:`~ffnn.activations.register_activation` (a new built-in, or one registered before
    :func:`ffnn.cli.main` runs) is offered with no edit here. None is left out: any activation
    may follow a hidden ``Dense`` (``identity`` makes the hidden layers linear, as
    scikit-learn's ``activation="identity"`` does).
    """
    return activations.ACTIVATIONS.names()


def optimizer_names() -> list[str]:
    """The names ``--optimizer`` accepts: the core's optimizers, those whose class is defined in
    :mod:`ffnn.optimizers` (a module today; any module under it if it becomes a package).

    Read from the registry when the parser is built, so a new built-in optimizer is offered with
    no edit here. The registry also holds what outer parts register for their own use, such as
    the scikit-learn adapter's ``sklearnsgd`` and ``sklearnadam`` (scikit-learn's update rules,
    for the estimators' solvers, registered only once :mod:`ffnn.sklearn` is imported): those
    are not offered, so the choices do not depend on what else happens to be imported.
    """
    return [
        name
        for name in optimizers.OPTIMIZERS.names()
        if optimizers.OPTIMIZERS.lookup(name).__module__.split(".")[:2] == ["ffnn", "optimizers"]
    ]


def _hidden_sizes(text: str) -> list[int]:
    """``"64,64"`` -> ``[64, 64]``; an empty string means no hidden layer."""
    if not text.strip():
        return []
    try:
        return [positive_int(part.strip()) for part in text.split(",")]
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(
            f"expected positive integers separated by commas, got {text!r}"
        ) from None


def _column_names(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",")]
    if not all(names):
        raise argparse.ArgumentTypeError(f"expected column names separated by commas, got {text!r}")
    if len(set(names)) != len(names):
        raise argparse.ArgumentTypeError(f"a column is named twice in {text!r}")
    return names


def add_parser(commands: Any) -> None:
    """``train``: its arguments, and ``run_train`` to run it."""
    train = commands.add_parser(
        "train",
        help="train a network on a CSV file and save it",
        description=(
            "Train a feedforward network to predict one column of a CSV file (with a header "
            "row) from the other columns, print the final training and validation metrics, and "
            "save the model to one file. Rows whose target is missing are skipped. "
            + STANDARDISATION_NOTE
            + " By default a fifth of the rows (stratified by class for a classifier) is held "
            "out to validate on, and training stops once the validation loss has not improved "
            "for 20 epochs, keeping the best epoch's weights. A regression target is "
            "standardised the same way, and predictions are given back in its units. A text "
            f"target (or one with at most {csvdata.MAX_INFERRED_CLASSES} distinct integers) makes "
            "a classification: the class labels are stored in the file, so predict writes them "
            "back. Exit status: 0 done, 1 training diverged, 2 bad arguments or data."
        ),
    )
    train.add_argument("data", type=Path, metavar="DATA.csv", help="the training data")
    train.add_argument("--target", required=True, metavar="COLUMN", help="the column to predict")
    train.add_argument(
        "--features",
        type=_column_names,
        metavar="COL,COL...",
        help="the input columns (default: every other column); any kind: numbers, text, "
        "dates, yes/no",
    )
    add_dialect_options(train)
    train.add_argument(
        "--task",
        choices=("auto", *csvdata.TASKS),
        default="auto",
        help="what to predict (auto: classification for text or few distinct integers)",
    )
    train.add_argument(
        "--hidden",
        type=_hidden_sizes,
        default=DEFAULT_HIDDEN,
        metavar="N,N...",
        help=f"hidden layer sizes ({','.join(map(str, DEFAULT_HIDDEN))}; '' for none)",
    )
    train.add_argument(
        "--activation",
        choices=activation_names(),
        default="relu",
        help="of the hidden layers (relu)",
    )
    train.add_argument("--optimizer", choices=optimizer_names(), default="adam", help="(adam)")
    train.add_argument(
        "--learning-rate",
        type=positive_float,
        default=DEFAULT_LEARNING_RATE,
        metavar="RATE",
        help=f"the optimizer's step size ({DEFAULT_LEARNING_RATE:g})",
    )
    train.add_argument(
        "--epochs",
        type=positive_int,
        default=DEFAULT_EPOCHS,
        metavar="N",
        help=f"the most passes over the data ({DEFAULT_EPOCHS}; early stopping may end sooner)",
    )
    train.add_argument(
        "--batch-size",
        type=positive_int,
        default=DEFAULT_BATCH_SIZE,
        metavar="N",
        help=f"samples per step ({DEFAULT_BATCH_SIZE})",
    )
    train.add_argument(
        "--l2",
        type=non_negative_float,
        default=DEFAULT_L2,
        metavar="LAMBDA",
        help=f"L2 penalty on every weight matrix ({DEFAULT_L2:g}; 0 for none)",
    )
    train.add_argument(
        "--dropout",
        type=fraction,
        default=0.0,
        metavar="RATE",
        help="dropout after each hidden layer (0)",
    )
    train.add_argument(
        "--validation-split",
        type=fraction,
        default=DEFAULT_VALIDATION_SPLIT,
        metavar="FRACTION",
        help=f"rows held out at random to validate on, stratified by class for a classifier "
        f"({DEFAULT_VALIDATION_SPLIT:g}; 0 for none)",
    )
    train.add_argument(
        "--early-stopping",
        type=non_negative_int,
        default=DEFAULT_PATIENCE,
        metavar="PATIENCE",
        help="stop when the validation loss (the training loss without validation) has not "
        f"improved for PATIENCE epochs, and keep the best epoch's weights ({DEFAULT_PATIENCE}; "
        "0: off, train all --epochs and keep the last weights)",
    )
    train.add_argument(
        "--seed",
        type=non_negative_int,
        default=0,
        metavar="SEED",
        help="seed of the weights, the validation split, shuffling and dropout (0)",
    )
    train.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        help=f"where to save the model, replacing FILE if it exists (default: {DEFAULT_MODEL}, "
        "which is never replaced silently: name it with --out to replace it)",
    )
    train.add_argument(
        "--plot",
        type=Path,
        metavar="FILE",
        help="also draw the training curves to FILE (.png, .svg, .pdf; needs matplotlib)",
    )
    train.add_argument(
        "--quiet", action="store_true", help="no progress bar or notes: the metrics only"
    )
    train.set_defaults(run=run_train)


def _build_network(args: argparse.Namespace, n_features: int, prep: Preprocessor) -> Sequential:
    """Dense -> activation [-> Dropout] per hidden size, then Dense(n_outputs), and its loss:
    cross-entropy over K > 2 classes (K outputs), binary cross-entropy for two (one output),
    mean squared error for a regression (one output)."""
    n_classes = len(prep.classes or [])
    n_outputs = n_classes if n_classes > 2 else 1
    layers: list[Layer] = []
    n_in = n_features
    for size in args.hidden:
        layers.append(Dense(n_in, size, regularizer=L2(args.l2) if args.l2 else None))
        layers.append(activations.get(args.activation))
        if args.dropout:
            layers.append(Dropout(args.dropout))
        n_in = size
    layers.append(Dense(n_in, n_outputs, regularizer=L2(args.l2) if args.l2 else None))
    model = Sequential(layers, random_state=args.seed)
    if prep.task == "regression":
        model.loss = MeanSquaredError()
    else:
        model.loss = CrossEntropy() if n_classes > 2 else BinaryCrossEntropy()
    return model


def run_train(args: argparse.Namespace) -> int:
    """Read, standardise, build, train, report, save (and plot)."""
    say = (lambda *_: None) if args.quiet else print
    plotting = None
    if args.plot is not None:
        plotting = plotting_module()
        if plotting is None:
            raise UsageError("--plot needs matplotlib: pip install 'ffnn[plot]'")
        check_writable(args.plot, "--plot")
    if args.out is None:
        args.out = Path(DEFAULT_MODEL)
        if args.out.exists():
            raise UsageError(
                f"{DEFAULT_MODEL} exists: pass --out {DEFAULT_MODEL} to replace it, or another name"
            )
    check_writable(args.out, "--out")

    table = read_table(args)
    n_read = table.n_rows
    table, skipped = drop_missing_targets(table, args.target)
    task, reason = args.task, "--task"
    if task == "auto":
        task, reason = csvdata.infer_task(table, args.target)
    features = args.features
    if features is None:  # a column without a name is a saved index (pandas' to_csv)
        features = [c for c in table.columns if c != args.target and c]
    say(f"Read {args.data}: {n_read} rows, {len(features)} input columns, target {args.target!r}")
    if table.dialect != Dialect():
        say(f"  ({table.dialect.describe()}: --delimiter and --decimal override the detection)")
    if skipped:
        say(skipped_note(args.target, skipped, n_read))
    prep, X, y = Preprocessor.fit(table, args.target, features, task, note=say)
    if prep.inputs is not None:
        say(prep.inputs.describe())
    classification = task == "classification"
    if classification:
        names = prep.class_names()
        say(f"Task: classification ({reason}): {len(names)} classes: {', '.join(names)}")
    else:
        say(f"Task: regression ({reason})")

    n_classes = len(prep.classes or [])
    sizes = [X.shape[1], *args.hidden, n_classes if n_classes > 2 else 1]
    check_memory(sizes, max(table.n_rows, args.batch_size), itemsize=4, option="--hidden")
    model = _build_network(args, X.shape[1], prep)
    loss_name = model.loss.name if model.loss is not None else ""
    y_fit = y if classification else prep.scale_target(y)  # the network sees standardised values
    train_rows, val_rows = np.arange(table.n_rows), np.arange(0)
    if args.validation_split:
        train_rows, val_rows = validation_rows(
            table.n_rows, y if classification else None, args.validation_split, args.seed
        )
    validation = (X[val_rows], y_fit[val_rows]) if val_rows.size else None
    stopper = None
    if args.early_stopping:
        monitor = "val_loss" if validation else "loss"
        stopper = EarlyStopping(monitor, patience=args.early_stopping, restore_best_weights=True)
    say(
        f"Network: {' -> '.join(str(n) for n in [X.shape[1], *args.hidden, model.n_outputs])} "
        f"({args.activation}), loss {loss_name}, {args.optimizer} (learning rate "
        f"{args.learning_rate:g}), {model.count_params():,} parameters"
    )
    say(f"Training on {train_rows.size} rows, validating on {val_rows.size}")
    try:
        history = model.fit(
            X[train_rows],
            y_fit[train_rows],
            optimizer=optimizers.get({"name": args.optimizer, "learning_rate": args.learning_rate}),
            epochs=args.epochs,
            batch_size=args.batch_size,
            metrics=["accuracy"] if classification else None,
            verbose=0 if args.quiet else 1,
            validation_data=validation,
            callbacks=[stopper] if stopper is not None else [],
        )
    except TrainingDivergedError as error:
        print(f"ffnn train: error: {' '.join(str(error).split())} Nothing saved.", file=sys.stderr)
        return DIVERGED
    if stopper is not None:
        say(early_stopping_line(stopper, history, args.epochs, penalised=args.l2 > 0))

    try:
        train_scores = scores(model, prep, X[train_rows], y[train_rows])
        val_scores = scores(model, prep, X[val_rows], y[val_rows]) if val_rows.size else {}
    except NonFiniteScores as error:
        print(f"ffnn train: error: {' '.join(str(error).split())} Nothing saved.", file=sys.stderr)
        return DIVERGED
    print_scores(train_scores)
    print_scores(val_scores, prefix="val_")
    model.metadata = prep.to_metadata()
    try:
        save(model, args.out)
    except OSError as error:
        raise UsageError(f"cannot write {args.out}: {error.strerror or error}") from None
    print(f"Saved {args.out}")
    if plotting is not None:
        print(f"Saved {plotting.save_figure(_training_curves(plotting, history), args.plot)}")
    return 0


def _training_curves(plotting: ModuleType, history: History) -> Any:
    """The loss per epoch (and the accuracy, for a classifier) on one figure."""
    if "accuracy" not in history.history:
        ylabel = "Loss (MSE of the standardised target)"
        return plotting.plot_loss_curve(history, title="Training curves", ylabel=ylabel)
    axes = plotting.plot_history(history, ["loss", "accuracy"])
    return axes[0].figure
