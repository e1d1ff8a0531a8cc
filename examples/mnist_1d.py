"""MNIST-1D: ten classes of 1-D signals, a small data set on which an MLP's score means something.

What it shows
-------------
A data set made to separate models as MNIST no longer does (Greydanus, "Scaling down deep
learning", 2020): each of ten 1-D digit templates is padded, shifted, sheared, scaled and given
noise into a sequence of 40 values, so the position of a pattern carries no label. The paper's
MLP reaches 68% test accuracy; this script trains a wider one with dropout and weight decay and
beats it: the mnist1d package's default data (4 000 training and 1 000 test sequences, its seed
42), a tenth of the training set held out for validation, a 40-512-512-10 network with ReLU and
dropout 0.5, softmax cross-entropy, AdamW (learning rate 10⁻³, weight decay 0.1) in mini-batches
of 100, early stopping on the validation loss (patience 30), keeping the best epoch's weights.
It prints the test accuracy and the training time, and saves ``loss_curves.png`` (training and
validation loss per epoch, and the epoch kept).

How to run it
-------------
It needs the ``mnist1d`` package, which generates the data on the spot (nothing is
downloaded), and matplotlib: ``pip install mnist1d`` and ``pip install -e '.[plot]'`` (or the
``bench`` extra, which has both). Then, from the repository root (the script's name has an
underscore so that it does not hide the package ``mnist1d`` from its own import)::

    python examples/mnist_1d.py                  # pictures in a new folder ./mnist1d_output
    python examples/mnist_1d.py --seed 1         # another initialisation and dropout stream
    python examples/mnist_1d.py --help           # the other settings

With the defaults it trains for under a minute and prints a test accuracy of about 0.75
(docs/real-data.md has the numbers).
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

PICTURES = ("loss_curves.png",)
PAPER_MLP_ACCURACY = 0.68  # Greydanus 2020, table 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, help="folder for the pictures (default: a new one)")
    parser.add_argument("--overwrite", action="store_true", help="replace pictures in --out")
    parser.add_argument("--epochs", type=int, default=500, help="most epochs to train (500)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the model (0)")
    parser.add_argument("--split-seed", type=int, default=0, help="seed of the validation split")
    return parser


def make_mnist1d() -> dict[str, np.ndarray]:
    """The mnist1d package's default data set: ``x`` (4000, 40), ``y``, ``x_test``, ``y_test``.

    ``make_dataset`` seeds NumPy's global generator; its state is put back afterwards.
    """
    from mnist1d.data import get_dataset_args, make_dataset

    state = np.random.get_state()  # noqa: NPY002
    try:
        return make_dataset(get_dataset_args())
    finally:
        np.random.set_state(state)  # noqa: NPY002


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        import mnist1d  # noqa: F401
    except ImportError:
        print(
            "mnist_1d.py needs the mnist1d package for the data: pip install mnist1d",
            file=sys.stderr,
        )
        return 1
    try:
        import matplotlib  # noqa: F401  (checked now, not after training)
    except ImportError:
        print(
            "mnist_1d.py draws pictures with matplotlib: pip install 'ffnn[plot]'", file=sys.stderr
        )
        return 1
    try:
        out = plotting.output_folder(args.out, "mnist1d_output", PICTURES, args.overwrite)
    except OSError as error:
        print(f"mnist_1d.py: {error}", file=sys.stderr)
        return 1

    data = make_mnist1d()
    X_all, y_all = data["x"].astype(np.float32), data["y"]  # (4000, 40), labels 0..9
    X_test, y_test = data["x_test"].astype(np.float32), data["y_test"]  # (1000, 40)
    order = np.random.default_rng(args.split_seed).permutation(len(X_all))
    n_val = len(X_all) // 10
    X_val, y_val = X_all[order[:n_val]], y_all[order[:n_val]]
    X_train, y_train = X_all[order[n_val:]], y_all[order[n_val:]]

    model = ffnn.Sequential(
        [
            ffnn.Dense(40, 512),
            ffnn.ReLU(),
            ffnn.Dropout(0.5),
            ffnn.Dense(512, 512),
            ffnn.ReLU(),
            ffnn.Dropout(0.5),
            ffnn.Dense(512, 10),
        ],
        random_state=args.seed,
    )
    early_stopping = ffnn.EarlyStopping(patience=30, restore_best_weights=True)
    start = time.perf_counter()
    history = model.fit(
        X_train,
        y_train,
        loss="cross_entropy",
        optimizer=ffnn.AdamW(learning_rate=1e-3, weight_decay=0.1),
        epochs=args.epochs,
        batch_size=100,
        validation_data=(X_val, y_val),
        callbacks=[early_stopping],
    )
    seconds = time.perf_counter() - start
    test_accuracy = accuracy(y_test, model.predict(X_test))
    print(
        f"test accuracy: {test_accuracy:.4f} ({len(y_test)} test sequences; "
        f"the paper's MLP: {PAPER_MLP_ACCURACY:.2f})"
    )
    print(
        f"training time: {seconds:.1f} s for {len(history)} epochs "
        f"(weights of epoch {early_stopping.best_epoch + 1} kept)"
    )

    ax = plotting.plot_loss_curve(history, title="MNIST-1D: cross-entropy per epoch")
    ax.axvline(early_stopping.best_epoch + 1, color="grey", linestyle="--", label="weights kept")
    ax.legend(loc="upper right")
    print(f"saved {plotting.save_figure(ax, out / 'loss_curves.png')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
