"""Regression: fit y = sin(x) + noise with a small network, and draw the fit.

What it shows
-------------
A network with one input and one output and no output activation: its "logit" is the
prediction itself, and the loss (mean squared error, or Huber, which is gentler with outliers)
compares it with the target. 400 noisy samples of ``sin(x)`` on ``[-π, π]`` are split into
training (75%, a fifth of it held out for validation) and test (25%) points. The network
(1-32-32-1, tanh) is trained with Adam, its learning rate falling from 0.01 to 0 along a half
cosine (``CosineDecay``). It prints the test R² (``ffnn.metrics.r2_score``; 1 is a perfect fit,
0 is no better than predicting the mean) and saves ``fit.png``: the points, the true curve and
the network's curve, beside the loss per epoch.

With noise of standard deviation 0.1 on a sine (variance 1/2), the best R² any model can reach
on fresh points is about 1 - 0.01 / 0.5 = 0.98.

How to run it
-------------
From the repository root, with ffnn and matplotlib installed (``pip install -e '.[plot]'``)::

    python examples/regression.py                  # pictures in a new folder ./regression_output
    python examples/regression.py --loss huber     # the Huber loss instead of MSE
    python examples/regression.py --out pictures   # or in ./pictures
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

import ffnn
from ffnn import plotting
from ffnn.metrics import r2_score

PICTURES = ("fit.png",)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, help="folder for the pictures (default: a new one)")
    parser.add_argument("--overwrite", action="store_true", help="replace pictures in --out")
    parser.add_argument("--epochs", type=int, default=300, help="training epochs (300)")
    parser.add_argument("--loss", choices=["mse", "huber"], default="mse", help="loss (mse)")
    parser.add_argument("--seed", type=int, default=0, help="seed of data, split and model (0)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        print(
            "regression.py draws pictures with matplotlib: pip install 'ffnn[plot]'",
            file=sys.stderr,
        )
        return 1
    try:
        out = plotting.output_folder(args.out, "regression_output", PICTURES, args.overwrite)
    except OSError as error:
        print(f"regression.py: {error}", file=sys.stderr)
        return 1

    rng = np.random.default_rng(args.seed)
    x = rng.uniform(-np.pi, np.pi, size=(400, 1))  # (n, 1): one feature
    y = np.sin(x[:, 0]) + rng.normal(scale=0.1, size=len(x))  # (n,): one target per sample
    order = rng.permutation(len(x))
    test, train = order[:100], order[100:]

    model = ffnn.Sequential(
        [ffnn.Dense(1, 32), ffnn.Tanh(), ffnn.Dense(32, 32), ffnn.Tanh(), ffnn.Dense(32, 1)],
        random_state=args.seed,
    )
    loss = ffnn.Huber(delta=0.5) if args.loss == "huber" else ffnn.MeanSquaredError()
    start = time.perf_counter()
    history = model.fit(
        x[train],
        y[train],
        loss=loss,
        optimizer=ffnn.Adam(learning_rate=0.01),
        epochs=args.epochs,
        batch_size=32,
        validation_split=0.2,  # watched while training; the test points stay unseen
        # a rate that falls to 0 along a half cosine: big steps first, then it settles
        callbacks=[ffnn.LearningRateScheduler(ffnn.schedules.CosineDecay(0.01, args.epochs))],
    )
    seconds = time.perf_counter() - start
    score = r2_score(y[test], model.predict(x[test]))  # predict: (n_test,), as y, for one output
    print(f"test R^2: {score:.4f} ({loss!r})")
    print(f"training time: {seconds:.2f} s for {len(history)} epochs")

    fig, (fit_ax, loss_ax) = plt.subplots(1, 2, figsize=(11, 4.5), layout="constrained")
    grid = np.linspace(-np.pi, np.pi, 300).reshape(-1, 1)
    fit_ax.scatter(x[train], y[train], s=10, color="tab:blue", alpha=0.5, label="training points")
    fit_ax.scatter(x[test], y[test], s=14, color="tab:orange", label="test points")
    fit_ax.plot(grid, np.sin(grid), color="black", linestyle="--", label="sin(x)")
    fit_ax.plot(grid, model.predict(grid), color="tab:red", linewidth=2, label="network")
    fit_ax.set_title(f"Fit of sin(x) + noise: test R² = {score:.3f}")
    fit_ax.set_xlabel("x")
    fit_ax.set_ylabel("y")
    fit_ax.grid(alpha=0.3)
    fit_ax.legend(loc="upper left")
    plotting.plot_loss_curve(history, ax=loss_ax, title=f"{type(loss).__name__} per epoch")
    loss_ax.set_yscale("log")
    print(f"saved {plotting.save_figure(fig, out / 'fit.png')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
