"""``ffnn demo``: the tutorial's whole job from the command line.

Its data (the 300 blobs), its 2-4-1 network trained with full-batch gradient descent and the
loss every 100 iterations, the accuracy, and three pictures (with ``--animate`` a fourth: the
decision boundary while the network trains). Then it saves the data as ``blobs.csv`` and ends
by printing what to run next: ``ffnn train`` and ``ffnn predict`` on that file, an example,
``ffnn demo --animate``, with the path of this environment's scripts when ``ffnn`` on the
``PATH`` is not this one (``make demo`` runs ``.venv/bin/ffnn``, before any activation).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from ffnn.cli._common import (
    check_memory,
    fail,
    non_negative_int,
    plotting_module,
    positive_float,
    positive_int,
)
from ffnn.csvdata import format_numbers, write_csv
from ffnn.datasets import tutorial_blobs

DEMO_ANIMATION = "training.gif"
DEMO_DATA = "blobs.csv"
#: the example the closing lines name, when the demo runs from a clone of the repository
NEXT_EXAMPLE = Path("examples", "two_moons.py")


def add_parser(commands: Any) -> None:
    """``demo``: its arguments, and ``run_demo`` to run it."""
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
        "--hidden-size", type=positive_int, default=4, metavar="N", help="hidden units (4)"
    )
    demo.add_argument(
        "--learning-rate",
        type=positive_float,
        default=0.1,
        metavar="RATE",
        help="gradient step size (0.1)",
    )
    demo.add_argument(
        "--iterations",
        type=positive_int,
        default=10000,
        metavar="N",
        help="gradient steps (10000)",
    )
    demo.add_argument(
        "--seed",
        type=non_negative_int,
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


def run_demo(args: argparse.Namespace) -> int:
    """The tutorial's whole job: data, training with loss lines, accuracy, three pictures."""
    from ffnn import tutorial

    if args.animate and args.no_plots:
        return fail(args, "--animate saves a picture, --no-plots none: give one of the two")
    # float64, as the tutorial's; the largest pass: the decision boundary's 200 x 200 grid
    check_memory([2, args.hidden_size, 1], 200**2, itemsize=8, option="--hidden-size")
    # Before training, so that a missing matplotlib or a bad --out is known at once.
    plotting = None if args.no_plots else plotting_module()
    out_dir = None
    if plotting is not None:
        try:
            out_dir = _prepare_out_dir(args.out)
        except OSError as error:
            return fail(args, f"cannot write the pictures: {error}")

    X, y = tutorial_blobs()  # (300, 2), (300, 1)
    labels = [str(int(label)) for label in y.ravel()]
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
    data = out_dir / DEMO_DATA
    write_csv(data, ["x1", "x2", "label"], [*(format_numbers(X[:, j]) for j in (0, 1)), labels])
    print(f"Saved {data}")
    if args.show:
        _show_pictures(plotting, X, y, losses, params)
    print("\n".join(next_steps(data)))
    return 0


def next_steps(data: Path) -> list[str]:
    """The closing lines: commands to run next, each as it can be typed in this folder."""
    scripts = Path(sys.executable).parent  # where pip put ``ffnn``, beside this python
    found = shutil.which("ffnn")
    prefix = ""
    if found is None or Path(found).parent.resolve() != scripts.resolve():
        try:
            prefix = f"{scripts.relative_to(Path.cwd())}{os.sep}"  # .venv/bin/
        except ValueError:
            prefix = f"{scripts}{os.sep}"
    model = data.with_name("model.ffnn")
    lines = [
        "",
        "Next: the command line on the data, an example, the training as it happens, the "
        "playground (a page where you change the network and watch it learn):",
    ]
    if prefix and (scripts / "activate").exists():
        lines.append(f"(or first: . {prefix}activate, and then type them without {prefix})")
    commands = [
        f"ffnn train {data} --target label --out {model}",
        f"ffnn predict {model} {data} --proba",
        f"python {NEXT_EXAMPLE}" if NEXT_EXAMPLE.exists() else None,
        "ffnn demo --animate",
        "ffnn playground",
        "ffnn --help",
    ]
    return lines + [f"  {prefix}{command}" for command in commands if command is not None]


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
