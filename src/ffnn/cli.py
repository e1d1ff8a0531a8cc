"""The ``ffnn`` command line: ``ffnn demo`` (more commands to come).

``main(argv)`` parses the arguments and runs one command; it returns the exit status (0 done,
2 bad arguments) instead of exiting, so tests and other programs can call it in-process. The
console script ``ffnn`` and ``python -m ffnn`` both call it.

Each command is a pair of functions: ``_add_<command>_parser`` declares its arguments and
``run_<command>(args) -> int`` does the work.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, NoReturn

import numpy as np

import ffnn

__all__ = ["main", "build_parser", "run_demo"]

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
    """Report a usage problem found after parsing, as argparse reports its own."""
    print(f"ffnn {args.command}: error: {message}", file=sys.stderr)
    return USAGE_ERROR


# -- ffnn demo ------------------------------------------------------------------------------
def _add_demo_parser(commands: Any) -> None:
    demo = commands.add_parser(
        "demo",
        help="train the tutorial's 2-4-1 network on its blobs and draw the pictures",
        description=(
            "Train the tutorial's network (2 inputs, a ReLU hidden layer, a sigmoid output) with "
            "full-batch gradient descent on its 300 blobs, print the loss every 100 iterations "
            "and the accuracy, and save dataset.png, loss_curve.png and decision_boundary.png."
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
        "--show",
        action="store_true",
        help="also show the pictures in a window when a display is available",
    )
    demo.set_defaults(run=run_demo)


def _new_default_out_dir() -> Path:
    """A folder that did not exist: ./ffnn_demo, else ./ffnn_demo_2, ./ffnn_demo_3, ..."""
    number = 1
    while True:
        candidate = Path("ffnn_demo" if number == 1 else f"ffnn_demo_{number}")
        try:
            candidate.mkdir()  # fails if it exists, so an earlier run is never overwritten
            return candidate
        except FileExistsError:
            number += 1


def _prepare_out_dir(out: Path | None) -> Path:
    """The folder the pictures go to, created; OSError (with a readable message) if it can't be."""
    if out is None:
        return _new_default_out_dir()
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
    if args.show:
        _show_pictures(plotting, X, y, losses, params)
    return 0


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
    # Later: _add_train_parser, _add_predict_parser, _add_evaluate_parser, _add_info_parser.
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
    status: int = args.run(args)
    return status
