"""The ``ffnn`` command line: ``demo``, ``train``, ``predict``, ``evaluate``, ``info`` and
``export-onnx``.

``main(argv)`` parses the arguments and runs one command; it returns the exit status instead of
exiting, so tests and other programs can call it in-process: 0 done, 1 training diverged, 2 bad
arguments or bad input (a missing file or column, a file that is not a model, ...: one line on
stderr, never a traceback), 130 interrupted. The console script ``ffnn`` and
``python -m ffnn`` both call it.

Each command is a pair of functions: ``_add_<command>_parser`` declares its arguments and
``run_<command>(args) -> int`` does the work, raising :class:`UsageError` or
:class:`~ffnn.csvdata.DataError` for what ``main`` reports as one line. CSV files are read and
written by :mod:`ffnn.csvdata`, which also holds the preprocessing stored in model files.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import sys
import zipfile
from pathlib import Path
from types import ModuleType
from typing import Any, NoReturn

import numpy as np

import ffnn
from ffnn import activations, csvdata, metrics, optimizers
from ffnn.callbacks import EarlyStopping
from ffnn.csvdata import DataError, Preprocessor, format_numbers
from ffnn.layers import Dense, Dropout, Layer
from ffnn.model import Sequential
from ffnn.regularizers import L2
from ffnn.training import History, TrainingDivergedError, split_validation

__all__ = [
    "main",
    "build_parser",
    "run_demo",
    "run_train",
    "run_predict",
    "run_evaluate",
    "run_info",
    "run_export_onnx",
    "folded_model",
    "UsageError",
]

USAGE_ERROR = 2  # argparse's exit status for bad arguments


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line on stderr: what is wrong, where to look."""

    def error(self, message: str) -> NoReturn:
        self.exit(USAGE_ERROR, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    if not np.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive finite number, got {text}")
    return value


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, got {value}")
    return value


def _fail(args: argparse.Namespace, message: str) -> int:
    """Report a usage problem found after parsing, as argparse reports its own: one line."""
    print(f"ffnn {args.command}: error: {' '.join(message.split())}", file=sys.stderr)
    return USAGE_ERROR


# -- ffnn demo ------------------------------------------------------------------------------
def _add_demo_parser(commands: Any) -> None:
    demo = commands.add_parser(
        "demo",
        help="train the tutorial's 2-4-1 network on its blobs and draw the pictures",
        description=(
            "Train the tutorial's network (2 inputs, a ReLU hidden layer, a sigmoid output) with "
            "full-batch gradient descent on its 300 blobs, print the loss every 100 iterations "
            "and the accuracy, and save dataset.png, loss_curve.png and decision_boundary.png "
            "(with --animate also training.gif, the decision boundary while the network trains)."
        ),
    )
    demo.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="folder for the pictures, created if needed (default: a new folder ./ffnn_demo, "
        "./ffnn_demo_2, ...)",
    )
    demo.add_argument(
        "--hidden-size", type=_positive_int, default=4, metavar="N", help="hidden units (4)"
    )
    demo.add_argument(
        "--learning-rate",
        type=_positive_float,
        default=0.1,
        metavar="RATE",
        help="gradient step size (0.1)",
    )
    demo.add_argument(
        "--iterations",
        type=_positive_int,
        default=10000,
        metavar="N",
        help="gradient steps (10000)",
    )
    demo.add_argument(
        "--seed",
        type=_non_negative_int,
        default=42,
        metavar="SEED",
        help="seed of the initial weights (42)",
    )
    demo.add_argument("--no-plots", action="store_true", help="train and print only")
    demo.add_argument(
        "--animate",
        action="store_true",
        help=f"also save {DEMO_ANIMATION}: the decision boundary after 1, 2, 3, 4, 5, 6, 8, 10, "
        "... steps (each 1.2 times the one before) and at the end",
    )
    demo.add_argument(
        "--show",
        action="store_true",
        help="also show the pictures in a window when a display is available",
    )
    demo.set_defaults(run=run_demo)


DEMO_ANIMATION = "training.gif"


def _prepare_out_dir(out: Path | None) -> Path:
    """The folder the pictures go to, created; OSError (with a readable message) if it can't be."""
    if out is None:
        from ffnn.plotting import output_folder

        return output_folder(None, "ffnn_demo")  # ./ffnn_demo, else ./ffnn_demo_2, ...
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(f"--out {out} is a file, not a folder")
    out.mkdir(parents=True, exist_ok=True)
    if not os.access(out, os.W_OK | os.X_OK):
        raise PermissionError(f"--out {out} is not writable")
    return out


def _plotting_module() -> ModuleType | None:
    """:mod:`ffnn.plotting` with matplotlib loaded, or None when matplotlib is missing."""
    from ffnn import plotting

    try:
        plotting._pyplot()
    except ImportError:
        return None
    return plotting


def run_demo(args: argparse.Namespace) -> int:
    """The tutorial's whole job: data, training with loss lines, accuracy, three pictures."""
    from ffnn import tutorial

    if args.animate and args.no_plots:
        return _fail(args, "--animate saves a picture, --no-plots none: give one of the two")
    # Before training, so that a missing matplotlib or a bad --out is known at once.
    plotting = None if args.no_plots else _plotting_module()
    out_dir = None
    if plotting is not None:
        try:
            out_dir = _prepare_out_dir(args.out)
        except OSError as error:
            return _fail(args, f"cannot write the pictures: {error}")

    X, y = ffnn.datasets.tutorial_blobs()  # (300, 2), (300, 1)
    losses: list[float] = []
    params = tutorial.train(
        X,
        y,
        hidden_size=args.hidden_size,
        learning_rate=args.learning_rate,
        num_iterations=args.iterations,
        seed=args.seed,
        plot=False,
        losses=losses,
    )
    accuracy = np.mean(tutorial.predict(X, params) == y) * 100
    print(f"Accuracy: {accuracy:.2f}%")

    if args.no_plots:
        return 0
    if plotting is None or out_dir is None:
        print("Pictures skipped: they need matplotlib: pip install 'ffnn[plot]'")
        return 0
    pictures = [
        ("dataset.png", plotting.plot_dataset(X, y)),
        ("loss_curve.png", plotting.plot_loss_curve(losses)),
        (
            "decision_boundary.png",
            plotting.plot_decision_boundary(
                lambda points: tutorial.forward_propagation(points, params)[0],
                X,
                y,
                title=f"Decision Boundary (accuracy {accuracy:.2f}%)",
            ),
        ),
    ]
    for name, ax in pictures:
        print(f"Saved {plotting.save_figure(ax, out_dir / name)}")
    if args.animate:
        print(f"Saved {_save_training_animation(plotting, args, X, y, out_dir / DEMO_ANIMATION)}")
    if args.show:
        _show_pictures(plotting, X, y, losses, params)
    return 0


def _save_training_animation(
    plotting: ModuleType, args: argparse.Namespace, X: np.ndarray, y: np.ndarray, path: Path
) -> Path:
    """The GIF of the decision boundary while the tutorial's network trains.

    The tutorial's functions have no hook to watch training through, so the same network,
    :func:`ffnn.tutorial.tutorial_network` (its initial weights), is trained again the way
    the library trains: ``fit`` with full batches, no shuffling and plain SGD at the same rate,
    which repeats the tutorial's steps (the same losses to 1e-12 relative, as
    tests/test_tutorial.py checks), with a :class:`~ffnn.plotting.DecisionBoundaryRecorder`
    among the callbacks.
    """
    from ffnn import tutorial
    from ffnn.optimizers import SGD

    model = tutorial.tutorial_network(hidden_size=args.hidden_size, seed=args.seed)
    # The boundary moves in the first hundred steps and then hardly at all: log spacing.
    recorder = plotting.DecisionBoundaryRecorder(X, y, every="log", resolution=100)
    model.fit(
        X,
        y,
        loss="binary_cross_entropy",
        optimizer=SGD(learning_rate=args.learning_rate),
        epochs=args.iterations,
        batch_size=None,
        shuffle=False,
        callbacks=[recorder],
    )
    return plotting.save_decision_boundary_animation(recorder, path)


def _show_pictures(
    plotting: ModuleType, X: np.ndarray, y: np.ndarray, losses: list[float], params: dict
) -> None:
    """The three pictures side by side in one window; nothing to do without a display."""
    from ffnn import tutorial

    plt = plotting._pyplot()
    fig, (data_ax, loss_ax, boundary_ax) = plt.subplots(1, 3, figsize=(16, 4.8))
    plotting.plot_dataset(X, y, ax=data_ax)
    plotting.plot_loss_curve(losses, ax=loss_ax)
    plotting.plot_decision_boundary(
        lambda points: tutorial.forward_propagation(points, params)[0], X, y, ax=boundary_ax
    )
    fig.tight_layout()
    if not plotting.show_if_interactive(fig):
        print("No display to show the pictures on: open the files above.")
    plt.close(fig)


# -- shared by the model commands -----------------------------------------------------------
class UsageError(Exception):
    """A problem with the command's arguments or environment, reported as one line (exit 2)."""


ACTIVATIONS = ("relu", "leaky_relu", "elu", "gelu", "silu", "tanh", "sigmoid", "softplus")
OPTIMIZERS = ("adam", "adamw", "sgd", "rmsprop", "adagrad")
DEFAULT_MODEL = "model.ffnn"
STANDARDISATION_NOTE = (
    "The features are standardised with the training mean and standard deviation, which are "
    "stored in the model file and applied by predict and evaluate."
)


def _hidden_sizes(text: str) -> list[int]:
    """``"64,64"`` -> ``[64, 64]``; an empty string means no hidden layer."""
    if not text.strip():
        return []
    try:
        return [_positive_int(part.strip()) for part in text.split(",")]
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


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1), got {text!r}") from None
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1), got {text}")
    return value


def _non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {text!r}") from None
    if not np.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"expected a finite number >= 0, got {text}")
    return value


def _check_writable(path: Path, option: str) -> None:
    """Fail before any work if ``path`` cannot be written (an existing file may be replaced)."""
    folder = path.parent
    if path.is_dir():
        raise UsageError(f"{option} {path} is a folder; give a file name")
    if not folder.is_dir():
        raise UsageError(f"{option} {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(f"{option} {path}: the folder {folder} is not writable")


def _load_model(path: Path) -> Sequential:
    try:
        model = ffnn.load(path)
    except ValueError as error:  # not a model, damaged, too new: the message names it
        raise UsageError(str(error)) from None
    except OSError as error:
        raise UsageError(f"cannot read {path}: {error.strerror or error}") from None
    if not isinstance(model, Sequential):
        raise UsageError(
            f"{path} holds a {type(model).__name__}; these commands read Sequential models"
        )
    return model


def _scores(
    model: Sequential, prep: Preprocessor, X: np.ndarray, y: np.ndarray
) -> dict[str, float]:
    """What ``evaluate`` prints, in inference mode, without penalties.

    Classification: ``loss`` (the model's cross-entropy) and ``accuracy``; regression: ``mse``,
    ``mae`` and ``r2`` in the target's own units. ``X`` is standardised, ``y`` as
    :meth:`Preprocessor.targets` gives it.
    """
    loss = model.loss
    assert loss is not None  # Preprocessor.from_model and run_train see to it
    logits = model.forward(np.asarray(X, dtype=model.dtype))  # (n, n_outputs)
    predicted = loss.predict(logits)
    predicted = predicted[:, 0] if predicted.ndim == 2 else predicted  # (n,)
    if prep.task == "classification":
        targets = loss.prepare_targets(y, model.n_outputs, model.dtype)
        return {"loss": loss.forward(logits, targets), "accuracy": metrics.accuracy(y, predicted)}
    values = prep.unscale_target(predicted)
    scores = {
        "mse": metrics.mean_squared_error(y, values),
        "mae": metrics.mean_absolute_error(y, values),
    }
    if len(y) >= 2:
        scores["r2"] = metrics.r2_score(y, values)
    return scores


def _print_scores(scores: dict[str, float], prefix: str = "") -> None:
    for name, value in scores.items():
        print(f"{prefix}{name}: {value:.6g}")


# -- ffnn train -----------------------------------------------------------------------------
def _add_train_parser(commands: Any) -> None:
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
    train.add_argument(
        "--task",
        choices=("auto", "classification", "regression"),
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
        "--activation", choices=ACTIVATIONS, default="relu", help="of the hidden layers (relu)"
    )
    train.add_argument("--optimizer", choices=OPTIMIZERS, default="adam", help="(adam)")
    train.add_argument(
        "--learning-rate",
        type=_positive_float,
        default=1e-3,
        metavar="RATE",
        help="the optimizer's step size (0.001)",
    )
    train.add_argument(
        "--epochs", type=_positive_int, default=100, metavar="N", help="passes over the data (100)"
    )
    train.add_argument(
        "--batch-size", type=_positive_int, default=32, metavar="N", help="samples per step (32)"
    )
    train.add_argument(
        "--l2",
        type=_non_negative_float,
        default=0.0,
        metavar="LAMBDA",
        help="L2 penalty on every weight matrix (0)",
    )
    train.add_argument(
        "--dropout",
        type=_fraction,
        default=0.0,
        metavar="RATE",
        help="dropout after each hidden layer (0)",
    )
    train.add_argument(
        "--validation-split",
        type=_fraction,
        default=0.2,
        metavar="FRACTION",
        help="rows held out at random to validate on (0.2; 0 for none)",
    )
    train.add_argument(
        "--early-stopping",
        type=_non_negative_int,
        metavar="PATIENCE",
        help="stop when the validation loss (the training loss without validation) has not "
        "improved for PATIENCE epochs, and keep the best weights",
    )
    train.add_argument(
        "--seed",
        type=_non_negative_int,
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
        model.loss = ffnn.MeanSquaredError()
    else:
        model.loss = ffnn.CrossEntropy() if n_classes > 2 else ffnn.BinaryCrossEntropy()
    return model


def run_train(args: argparse.Namespace) -> int:
    """Read, standardise, build, train, report, save (and plot)."""
    say = (lambda *_: None) if args.quiet else print
    plotting = None
    if args.plot is not None:
        plotting = _plotting_module()
        if plotting is None:
            raise UsageError("--plot needs matplotlib: pip install 'ffnn[plot]'")
        _check_writable(args.plot, "--plot")
    if args.out is None:
        args.out = Path(DEFAULT_MODEL)
        if args.out.exists():
            raise UsageError(
                f"{DEFAULT_MODEL} exists: pass --out {DEFAULT_MODEL} to replace it, or another name"
            )
    _check_writable(args.out, "--out")

    table = csvdata.read_csv(args.data)
    task, reason = args.task, "--task"
    if task == "auto":
        task, reason = csvdata.infer_task(table, args.target)
    prep, X, y = Preprocessor.fit(table, args.target, args.features, task)
    features = prep.features or []
    say(f"Read {args.data}: {table.n_rows} rows, {len(features)} features, target {args.target!r}")
    classification = task == "classification"
    if classification:
        names = prep.class_names()
        say(f"Task: classification ({reason}): {len(names)} classes: {', '.join(names)}")
    else:
        say(f"Task: regression ({reason})")

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
        return 1
    if callbacks:
        stopped = "stopped early after" if history.stopped_by == "callback" else "ran"
        say(
            f"Early stopping: {stopped} {len(history)} epochs; kept the weights of epoch "
            f"{stopper.best_epoch + 1}, the best {stopper.monitor}"
        )

    _print_scores(_scores(model, prep, X[train_rows], y[train_rows]))
    if val_rows.size:
        _print_scores(_scores(model, prep, X[val_rows], y[val_rows]), prefix="val_")
    model.metadata = prep.to_metadata()
    try:
        ffnn.save(model, args.out)
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


# -- ffnn predict ---------------------------------------------------------------------------
def _add_predict_parser(commands: Any) -> None:
    predict = commands.add_parser(
        "predict",
        help="predict the target of every row of a CSV file",
        description=(
            "Write one prediction per row of DATA.csv, in order, as CSV: the class label "
            "(classification) or the value (regression), in a column named after the target. "
            "DATA.csv needs the model's feature columns (others, such as the target, are "
            "ignored). " + STANDARDISATION_NOTE
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
    predict.set_defaults(run=run_predict)


def run_predict(args: argparse.Namespace) -> int:
    model = _load_model(args.model)
    prep = Preprocessor.from_model(model, str(args.model))
    if args.proba and prep.task != "classification":
        raise UsageError("--proba needs a classification model; this one does regression")
    if args.out is not None:
        _check_writable(args.out, "--out")
    table = csvdata.read_csv(args.data)
    X = prep.inputs(table, model.n_features_in, exclude=prep.target)
    name = prep.target or "prediction"
    if prep.task == "regression":
        header, columns = [name], [format_numbers(prep.unscale_target(model.predict(X)))]
    else:
        header, columns = [name], [prep.labels(model.predict(X))]
    if args.proba:
        probabilities = model.predict_proba(X)  # (n, K), or (n, 1): P(class 1)
        if probabilities.shape[1] == 1:
            probabilities = np.hstack([1 - probabilities, probabilities])
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


# -- ffnn evaluate --------------------------------------------------------------------------
def _add_evaluate_parser(commands: Any) -> None:
    evaluate = commands.add_parser(
        "evaluate",
        help="score a model on a labelled CSV file",
        description=(
            "Print the model's metrics on DATA.csv as 'name: value' lines: loss "
            "(cross-entropy) and accuracy for a classifier; mse, mae and r2 (in the target's "
            "units) for a regression. " + STANDARDISATION_NOTE
        ),
    )
    evaluate.add_argument("model", type=Path, metavar="MODEL", help="a file written by ffnn train")
    evaluate.add_argument("data", type=Path, metavar="DATA.csv", help="rows with known targets")
    evaluate.add_argument(
        "--target",
        metavar="COLUMN",
        help="the column of true targets (default: the column the model was trained on)",
    )
    evaluate.set_defaults(run=run_evaluate)


def run_evaluate(args: argparse.Namespace) -> int:
    model = _load_model(args.model)
    prep = Preprocessor.from_model(model, str(args.model))
    target = args.target or prep.target
    if target is None:
        raise UsageError("--target is needed: the model file does not name its target column")
    table = csvdata.read_csv(args.data)
    X = prep.inputs(table, model.n_features_in, exclude=target)
    _print_scores(_scores(model, prep, X, prep.targets(table, target)))
    return 0


# -- ffnn info ------------------------------------------------------------------------------
def _add_info_parser(commands: Any) -> None:
    info = commands.add_parser(
        "info",
        help="describe a model file",
        description=(
            "Print what a model file holds: its format version and the ffnn version that wrote "
            "it, the task, target, classes and feature columns, the epochs trained, and the "
            "network's summary (layers, output shapes, parameters, loss)."
        ),
    )
    info.add_argument("model", type=Path, metavar="MODEL", help="a file written by ffnn.save")
    info.set_defaults(run=run_info)


def run_info(args: argparse.Namespace) -> int:
    model = _load_model(args.model)
    with zipfile.ZipFile(args.model) as archive:  # ffnn.load has checked the manifest
        manifest = json.loads(archive.read(ffnn.io.MANIFEST))
    print(
        f"File: {args.model} (ffnn model format version {manifest['format_version']}, "
        f"written by ffnn {manifest.get('ffnn_version', '?')}; this is ffnn {ffnn.__version__})"
    )
    try:
        prep: Preprocessor | None = Preprocessor.from_model(model, str(args.model))
    except DataError as error:
        print(f"Task: unknown ({error})")
        prep = None
    if prep is not None:
        print(f"Task: {prep.task}")
        print(f"Target: {prep.target or '(not stored)'}")
        if prep.classes is not None:
            print(f"Classes ({len(prep.classes)}): {', '.join(prep.class_names())}")
        if prep.features is None:
            print(f"Features ({model.n_features_in}): (names not stored)")
        else:
            print(f"Features ({len(prep.features)}): {', '.join(prep.features)}")
        if prep.feature_mean is not None:
            print("Inputs: standardised with the training mean and standard deviation (stored)")
    print(f"Epochs trained: {model.epochs_trained}")
    model.summary()
    return 0


# -- ffnn export-onnx -----------------------------------------------------------------------
def _add_export_onnx_parser(commands: Any) -> None:
    export = commands.add_parser(
        "export-onnx",
        help="export a model to ONNX (needs the onnx extra)",
        description=(
            "Write the model as an ONNX graph (pip install 'ffnn[onnx]'). The stored "
            "standardisation is folded into the first layer (and, for a regression, the "
            "target's into the last), so the ONNX model takes the raw feature columns, in the "
            "order 'ffnn info' lists them, and gives values in the target's units; class k of "
            "its outputs is the k-th class 'ffnn info' lists."
        ),
    )
    export.add_argument("model", type=Path, metavar="MODEL", help="a file written by ffnn train")
    export.add_argument("out", type=Path, metavar="OUT.onnx", help="the ONNX file to write")
    export.set_defaults(run=run_export_onnx)


def folded_model(model: Sequential, prep: Preprocessor) -> Sequential:
    """A copy of ``model`` that takes raw features and, for a regression, gives values in the
    target's units: the standardisation folded into the first and last Dense layers.

    ``((x - μ) / s) W + b = x (W / s[:, None]) + (b - (μ / s) W)``, and
    ``σ_y (h W + b) + μ_y = h (σ_y W) + (σ_y b + μ_y)``.
    """
    folded = copy.deepcopy(model)
    first, last = folded.layers[0], folded.layers[-1]
    if prep.feature_mean is not None and prep.feature_scale is not None:
        if not isinstance(first, Dense):
            raise UsageError(f"cannot fold the standardisation into a {type(first).__name__}")
        weight = first.weight.data.astype(np.float64)  # (n_in, n_out)
        shift = (prep.feature_mean / prep.feature_scale) @ weight  # (n_out,)
        first.weight.data[...] = weight / prep.feature_scale[:, None]
        first.bias.data[...] = first.bias.data - shift
    if prep.task == "regression" and (prep.target_mean, prep.target_scale) != (0.0, 1.0):
        if not isinstance(last, Dense):
            raise UsageError(f"cannot fold the target scaling into a {type(last).__name__}")
        last.weight.data[...] = last.weight.data.astype(np.float64) * prep.target_scale
        last.bias.data[...] = (
            last.bias.data.astype(np.float64) * prep.target_scale + prep.target_mean
        )
    folded.metadata = {}
    return folded


def run_export_onnx(args: argparse.Namespace) -> int:
    model = _load_model(args.model)
    prep = Preprocessor.from_model(model, str(args.model))
    _check_writable(args.out, "OUT.onnx")
    try:
        from ffnn.onnx_export import export_onnx
    except ImportError as error:
        raise UsageError(
            f"ONNX export needs the onnx extra: pip install 'ffnn[onnx]' ({error})"
        ) from None
    try:
        export_onnx(folded_model(model, prep), args.out)
    except ImportError as error:
        raise UsageError(
            f"ONNX export needs the onnx extra: pip install 'ffnn[onnx]' ({error})"
        ) from None
    except (TypeError, ValueError) as error:  # e.g. a layer ONNX export does not cover
        raise UsageError(f"cannot export {args.model}: {error}") from None
    print(f"Saved {args.out}")
    features = prep.features or [f"{model.n_features_in} columns"]
    print(f"Inputs: {', '.join(features)} (raw values: the standardisation is built in)")
    if prep.classes is not None:
        pairs = ", ".join(f"{k} {name}" for k, name in enumerate(prep.class_names()))
        print(f"Classes by output index: {pairs}")
    return 0


# -- the program ----------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    """The ``ffnn`` parser with one subparser per command."""
    parser = _Parser(
        prog="ffnn",
        description="Feedforward neural networks from scratch on NumPy.",
    )
    parser.add_argument("--version", action="version", version=f"ffnn {ffnn.__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    _add_demo_parser(commands)
    _add_train_parser(commands)
    _add_predict_parser(commands)
    _add_evaluate_parser(commands)
    _add_info_parser(commands)
    _add_export_onnx_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run ``ffnn`` with ``argv`` (default: ``sys.argv[1:]``); returns the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # --help, --version, bad arguments: argparse's status
        return stop.code if isinstance(stop.code, int) else 0
    if args.command is None:
        parser.print_help()
        return 0
    try:
        status: int = args.run(args)
    except (UsageError, DataError) as error:
        return _fail(args, str(error))
    except KeyboardInterrupt:
        print(f"ffnn {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `ffnn predict ... | head`: the reader has gone, as SIGPIPE would
        _silence_stdout()
        return 141
    return status


def _silence_stdout() -> None:
    """Point stdout at the null device, so that the flush at exit does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (AttributeError, OSError, ValueError):  # an in-process stream without a descriptor
        pass
