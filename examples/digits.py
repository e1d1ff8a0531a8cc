"""Digits: multi-class classification of 8x8 handwritten digits (scikit-learn's load_digits).

What it shows
-------------
The training toolkit's recipe for ten classes: pixels scaled to [0, 1]; a stratified split into
training (68%), validation (12%) and test (20%) sets; a 64-128-10 network with ReLU and
dropout, trained with softmax cross-entropy (integer labels, logits out) and Adam in
mini-batches of 32; early stopping on the validation loss, keeping the best epoch's weights.
It prints the test accuracy and the training time, and saves two pictures:

- ``loss_curves.png``: training and validation loss per epoch (log scale), and the epoch kept;
- ``mistakes.png``: test digits the network gets wrong, with the true and predicted labels.

How to run it
-------------
It needs scikit-learn (for the data and the split) and matplotlib (for the pictures):
``pip install -e '.[plot,sklearn]'``, then, from the repository root::

    python examples/digits.py                 # pictures in a new folder ./digits_output
    python examples/digits.py --out pictures  # or in ./pictures
    python examples/digits.py --help          # the other settings

With the defaults it prints a test accuracy of about 0.98 (docs/examples.md has the numbers).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

import ffnn
from ffnn import plotting
from ffnn.metrics import accuracy

PICTURES = ("loss_curves.png", "mistakes.png")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, help="folder for the pictures (default: a new one)")
    parser.add_argument("--overwrite", action="store_true", help="replace pictures in --out")
    parser.add_argument("--epochs", type=int, default=200, help="most epochs to train (200)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the model (0)")
    parser.add_argument("--split-seed", type=int, default=42, help="seed of the split (42)")
    return parser


def plot_mistakes(images: np.ndarray, true: np.ndarray, predicted: np.ndarray, limit: int = 24):
    """Up to ``limit`` misclassified 8x8 images ``(n, 64)`` in a grid; returns the figure."""
    import matplotlib.pyplot as plt

    columns = 8
    rows = max(1, -(-min(len(images), limit) // columns))
    fig, axes = plt.subplots(rows, columns, figsize=(1.3 * columns, 1.55 * rows + 0.5))
    for k, ax in enumerate(np.atleast_1d(axes).ravel()):
        ax.axis("off")
        if k < min(len(images), limit):
            ax.imshow(images[k].reshape(8, 8), cmap="gray_r", vmin=0.0, vmax=1.0)
            ax.set_title(f"{true[k]} as {predicted[k]}", fontsize=11, color="firebrick")
    fig.suptitle(f"{len(images)} misclassified test digits (true as predicted)", fontsize=12)
    fig.tight_layout()
    return fig


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        from sklearn.datasets import load_digits
        from sklearn.model_selection import train_test_split
    except ImportError:
        print(
            "digits.py needs scikit-learn for the data set: pip install scikit-learn "
            "(or pip install -e '.[sklearn]')",
            file=sys.stderr,
        )
        return 1
    try:
        import matplotlib  # noqa: F401  (checked now, not after training)
    except ImportError:
        print("digits.py draws pictures with matplotlib: pip install 'ffnn[plot]'", file=sys.stderr)
        return 1
    try:
        out = plotting.output_folder(args.out, "digits_output", PICTURES, args.overwrite)
    except OSError as error:
        print(f"digits.py: {error}", file=sys.stderr)
        return 1

    digits = load_digits()
    X, y = digits.data / 16.0, digits.target  # (1797, 64) in [0, 1], labels 0..9
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.2, stratify=y, random_state=args.split_seed
    )
    X_train, X_val, y_train, y_val = train_test_split(
        X_train, y_train, test_size=0.15, stratify=y_train, random_state=args.split_seed
    )

    model = ffnn.Sequential(
        [ffnn.Dense(64, 128), ffnn.ReLU(), ffnn.Dropout(0.2), ffnn.Dense(128, 10)],
        random_state=args.seed,
    )
    early_stopping = ffnn.EarlyStopping(patience=10, restore_best_weights=True)
    start = time.perf_counter()
    history = model.fit(
        X_train,
        y_train,
        loss="cross_entropy",
        optimizer=ffnn.Adam(learning_rate=1e-3),
        epochs=args.epochs,
        batch_size=32,
        validation_data=(X_val, y_val),
        callbacks=[early_stopping],
    )
    seconds = time.perf_counter() - start
    predicted = model.predict(X_test)  # (n_test,) class indices, argmax of the logits
    test_accuracy = accuracy(y_test, predicted)
    print(f"test accuracy: {test_accuracy:.4f} ({len(y_test)} test digits)")
    print(
        f"training time: {seconds:.2f} s for {len(history)} epochs "
        f"(weights of epoch {early_stopping.best_epoch + 1} kept)"
    )

    ax = plotting.plot_loss_curve(history, title="Digits: cross-entropy per epoch")
    ax.set_yscale("log")  # the last epochs differ in the second digit: a linear axis hides it
    ax.axvline(early_stopping.best_epoch + 1, color="grey", linestyle="--", label="weights kept")
    ax.legend(loc="upper right")
    print(f"saved {plotting.save_figure(ax, out / 'loss_curves.png')}")
    wrong = predicted != y_test
    fig = plot_mistakes(X_test[wrong], y_test[wrong], predicted[wrong])
    print(f"saved {plotting.save_figure(fig, out / 'mistakes.png')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
