"""Two moons: binary classification with a small MLP, and the decision boundary it learns.

What it shows
-------------
Two interleaving half circles (``ffnn.datasets.make_moons(noise=0.2)``) that no straight line
separates. A network with two hidden ReLU layers and one output (a logit) is trained with
binary cross-entropy and Adam on 75% of the points, with a fifth of those held out for
validation (early stopping watches its loss); the remaining 25% measure the test accuracy.
Two pictures are saved:

- ``decision_boundary.png``: P(class 1) over the plane, the 0.5 boundary, the test points;
- ``loss_curves.png``: training and validation loss per epoch, and the epoch kept.

How to run it
-------------
From the repository root, with ffnn and matplotlib installed (``pip install -e '.[plot]'``)::

    python examples/two_moons.py                  # pictures in a new folder ./two_moons_output
    python examples/two_moons.py --out pictures   # or in ./pictures
    python examples/two_moons.py --help           # the other settings

It prints the test accuracy (about 0.97 with the defaults) and the training time.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

import ffnn
from ffnn import plotting
from ffnn.datasets import make_moons
from ffnn.metrics import accuracy

PICTURES = ("decision_boundary.png", "loss_curves.png")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, help="folder for the pictures (default: a new one)")
    parser.add_argument("--overwrite", action="store_true", help="replace pictures in --out")
    parser.add_argument("--epochs", type=int, default=300, help="most epochs to train (300)")
    parser.add_argument("--samples", type=int, default=1000, help="points in the data set (1000)")
    parser.add_argument("--seed", type=int, default=0, help="seed of data, split and model (0)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        import matplotlib  # noqa: F401  (checked now, not after training)
    except ImportError:
        print(
            "two_moons.py draws pictures with matplotlib: pip install 'ffnn[plot]'", file=sys.stderr
        )
        return 1
    try:
        out = plotting.output_folder(args.out, "two_moons_output", PICTURES, args.overwrite)
    except OSError as error:
        print(f"two_moons.py: {error}", file=sys.stderr)
        return 1

    X, y = make_moons(n_samples=args.samples, noise=0.2, random_state=args.seed)  # (n, 2), (n,)
    order = np.random.default_rng(args.seed).permutation(len(X))
    n_test = len(X) // 4
    test, train = order[:n_test], order[n_test:]

    model = ffnn.Sequential(
        [ffnn.Dense(2, 16), ffnn.ReLU(), ffnn.Dense(16, 16), ffnn.ReLU(), ffnn.Dense(16, 1)],
        random_state=args.seed,
    )
    # Without it the validation loss climbs again after ~40 epochs (the net fits the noise):
    # stop after 20 epochs without improvement and keep the best epoch's weights.
    early_stopping = ffnn.EarlyStopping(patience=20, restore_best_weights=True)
    start = time.perf_counter()
    history = model.fit(
        X[train],
        y[train],
        loss="binary_cross_entropy",
        optimizer=ffnn.Adam(learning_rate=0.005),
        epochs=args.epochs,
        batch_size=32,
        validation_split=0.2,  # drawn at random from the training points by the model's seed
        metrics=["accuracy"],
        callbacks=[early_stopping],
    )
    seconds = time.perf_counter() - start
    test_accuracy = accuracy(y[test], model.predict(X[test]))
    print(f"test accuracy: {test_accuracy:.4f}")
    print(
        f"training time: {seconds:.2f} s for {len(history)} epochs "
        f"(weights of epoch {early_stopping.best_epoch + 1} kept)"
    )

    ax = plotting.plot_decision_boundary(
        model, X[test], y[test], title=f"Two moons: test points, accuracy {test_accuracy:.3f}"
    )
    print(f"saved {plotting.save_figure(ax, out / 'decision_boundary.png')}")
    ax = plotting.plot_loss_curve(history, title="Two moons: binary cross-entropy per epoch")
    ax.axvline(early_stopping.best_epoch + 1, color="grey", linestyle="--", label="weights kept")
    ax.legend(loc="upper right")
    print(f"saved {plotting.save_figure(ax, out / 'loss_curves.png')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
