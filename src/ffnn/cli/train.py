"""``ffnn train``: a network trained on a CSV file, reported and saved to one file.

The command reads the file (:mod:`ffnn.csvdata`), standardises the features (and a regression's
target), builds ``Dense -> activation [-> Dropout]`` per hidden size and a last ``Dense``, trains
it with :meth:`Sequential.fit`, prints the final metrics and saves the model with its
preprocessing in ``model.metadata``.
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
from ffnn.csvdata import Preprocessor
from ffnn.csvdata.dialect import Dialect
from ffnn.io import save
from ffnn.layers import Dense, Dropout, Layer
from ffnn.losses import BinaryCrossEntropy, CrossEntropy, MeanSquaredError
from ffnn.model import Sequential
from ffnn.regularizers import L2
from ffnn.training import History, TrainingDivergedError, split_validation

DEFAULT_MODEL = "model.ffnn"


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
            "row) from numeric columns, print the final training and validation metrics, and "
            "save the model to one file. " + STANDARDISATION_NOTE + " A regression target is "
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
        help="the input columns (default: every other column; all must be numeric)",
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
        default=[64, 64],
        metavar="N,N...",
        help="hidden layer sizes (64,64; '' for none)",
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
        default=1e-3,
        metavar="RATE",
        help="the optimizer's step size (0.001)",
    )
    train.add_argument(
        "--epochs", type=positive_int, default=100, metavar="N", help="passes over the data (100)"
    )
    train.add_argument(
        "--batch-size", type=positive_int, default=32, metavar="N", help="samples per step (32)"
    )
    train.add_argument(
        "--l2",
        type=non_negative_float,
        default=0.0,
        metavar="LAMBDA",
        help="L2 penalty on every weight matrix (0)",
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
        default=0.2,
        metavar="FRACTION",
        help="rows held out at random to validate on (0.2; 0 for none)",
    )
    train.add_argument(
        "--early-stopping",
        type=non_negative_int,
        metavar="PATIENCE",
        help="stop when the validation loss (the training loss without validation) has not "
        "improved for PATIENCE epochs, and keep the best weights",
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
    task, reason = args.task, "--task"
    if task == "auto":
        task, reason = csvdata.infer_task(table, args.target)
    prep, X, y = Preprocessor.fit(table, args.target, args.features, task)
    features = prep.features or []
    say(f"Read {args.data}: {table.n_rows} rows, {len(features)} features, target {args.target!r}")
    if table.dialect != Dialect():
        say(f"  ({table.dialect.describe()}: --delimiter and --decimal override the detection)")
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
        try:  # drawn from the model's generator, as fit(validation_split=...) would
            train_rows, val_rows = split_validation(table.n_rows, args.validation_split, model.rng)
        except ValueError as error:
            raise UsageError(f"--validation-split: {error}") from None
    validation = (X[val_rows], y_fit[val_rows]) if val_rows.size else None
    callbacks = []
    if args.early_stopping is not None:
        monitor = "val_loss" if validation else "loss"
        stopper = EarlyStopping(monitor, patience=args.early_stopping, restore_best_weights=True)
        callbacks.append(stopper)
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
            callbacks=callbacks,
        )
    except TrainingDivergedError as error:
        print(f"ffnn train: error: {' '.join(str(error).split())} Nothing saved.", file=sys.stderr)
        return DIVERGED
    if callbacks:
        stopped = "stopped early after" if history.stopped_by == "callback" else "ran"
        say(
            f"Early stopping: {stopped} {len(history)} epochs; kept the weights of epoch "
            f"{stopper.best_epoch + 1}, the best {stopper.monitor}"
        )

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
