"""How much of a medium-workload step is matrix products: the floor any MLP library shares.

``python -m benchmarks.products_share [--dtype float64] [--epochs 3] [--repeats 5]`` times, on
one BLAS thread and in CPU seconds (``time.process_time``, so another process on the machine
changes little), interleaved for ``--repeats`` rounds:

- the eight matrix products of the medium workload's training steps alone (forward
  ``X W`` for three layers; ``∂L/∂W`` for three; ``∂L/∂X`` for the two upper layers), as many
  steps as ``--epochs`` epochs of 20 000 samples in batches of 200 take;
- ``ffnn.MLPClassifier`` and scikit-learn's ``MLPClassifier`` (Adam, the same settings as the
  medium workload) for those epochs.

It prints the medians and the ratios to scikit-learn's time. The products are the same
arithmetic in every library (scikit-learn, ffnn and PyTorch all call BLAS for them), so their
ratio is the least time any of them can take relative to scikit-learn; what is left is the
element-wise work (bias, ReLU, softmax, the Adam update) and Python.
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Callable, Sequence

import numpy as np

BATCH = 200
N_SAMPLES = 20_000
SIZES = (50, 128, 128, 5)


def _products(dtype: np.dtype, steps: int) -> Callable[[], None]:
    """The products of ``steps`` training steps of the 50-128-128-5 network on batches of 200."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((BATCH, SIZES[0])).astype(dtype)
    weights = [
        rng.standard_normal((n_in, n_out)).astype(dtype)
        for n_in, n_out in zip(SIZES[:-1], SIZES[1:], strict=True)
    ]
    grads = [rng.standard_normal((BATCH, n_out)).astype(dtype) for n_out in SIZES[1:]]

    def run() -> None:
        for _ in range(steps):
            activation = x
            inputs = []
            for weight in weights:  # forward: (200, n_in) @ (n_in, n_out)
                inputs.append(activation)
                activation = activation @ weight
            for layer in (2, 1, 0):  # backward: ∂L/∂W, and ∂L/∂X above the first layer
                _ = inputs[layer].T @ grads[layer]
                if layer:
                    _ = grads[layer] @ weights[layer].T

    return run


def _estimator(name: str, dtype: np.dtype, epochs: int) -> Callable[[], None]:
    from benchmarks.data import medium

    data = medium()
    X, y = data["X_train"].astype(dtype), data["y_train"]
    arguments = {
        "hidden_layer_sizes": SIZES[1:-1],
        "solver": "adam",
        "learning_rate_init": 1e-3,
        "batch_size": BATCH,
        "max_iter": epochs,
        "alpha": 0.0,
        "tol": 0.0,
        "n_iter_no_change": epochs + 1,
        "random_state": 0,
    }
    if name == "ffnn":
        from ffnn import MLPClassifier  # type: ignore[attr-defined]
    else:
        from sklearn.neural_network import MLPClassifier

    def run() -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ConvergenceWarning: max_iter is the point
            MLPClassifier(**arguments).fit(X, y)

    return run


def main(argv: Sequence[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dtype", default="float64", choices=["float32", "float64"])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    from threadpoolctl import threadpool_limits

    dtype = np.dtype(args.dtype)
    steps = args.epochs * (N_SAMPLES // BATCH)
    jobs = {
        "matrix products only": _products(dtype, steps),
        "ffnn.MLPClassifier": _estimator("ffnn", dtype, args.epochs),
        "scikit-learn MLPClassifier": _estimator("sklearn", dtype, args.epochs),
    }
    times: dict[str, list[float]] = {label: [] for label in jobs}
    with threadpool_limits(1):
        for _ in range(args.repeats):
            for label, job in jobs.items():
                start = time.process_time()
                job()
                times[label].append(time.process_time() - start)
    medians = {label: float(np.median(values)) for label, values in times.items()}
    reference = medians["scikit-learn MLPClassifier"]
    print(f"{steps} steps ({args.epochs} epochs), {args.dtype}, 1 thread, CPU seconds:")
    for label, median in medians.items():
        print(f"  {label:28s} {median:7.3f} s  {median / reference:.2f}x scikit-learn")
    return medians


if __name__ == "__main__":
    main()
