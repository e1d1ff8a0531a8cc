"""The contenders: one way per library to train the same network on the same data.

A contender is built from a job spec (a dict, see :mod:`benchmarks.workloads`); the worker
times :meth:`Contender.fit` alone, then scores every contender the same way from
:meth:`Contender.predict_proba`. Every contender gets ``X`` already in the job's dtype and
labels as the library wants them, so no library pays for a conversion the others skip.

The network is ``d → hidden... → k`` with ReLU, logits out; the loss is binary cross-entropy
for one output (the tutorial's blobs), softmax cross-entropy otherwise; each library uses its
own default initialisation (except the tiny job, where every contender that can starts from the
tutorial's weights).
"""

from __future__ import annotations

import inspect
import warnings
from typing import Any

import numpy as np

from benchmarks import tutorial_loop

Spec = dict[str, Any]


class Contender:
    """Train with :meth:`fit` (timed), then give ``(n, k)`` probabilities (``(n, 1)`` of class
    1 for a binary job); ``notes`` say where it departs from the spec."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.notes: list[str] = []

    def fit(self, X: np.ndarray, y: np.ndarray) -> None:
        raise NotImplementedError

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        raise NotImplementedError


def layer_sizes(spec: Spec, X: np.ndarray, y: np.ndarray) -> list[int]:
    """``[n_features, *hidden, n_outputs]`` of the job's network."""
    n_out = 1 if y.ndim == 2 else int(y.max()) + 1
    return [X.shape[1], *spec["hidden"], n_out]


def _batch(spec: Spec, n: int) -> int:
    return n if spec["batch_size"] is None else min(spec["batch_size"], n)


class TutorialLoop(Contender):
    """The plain NumPy rendering of the tutorial (:mod:`benchmarks.tutorial_loop`)."""

    def fit(self, X: np.ndarray, y: np.ndarray) -> None:
        self.parameters, _ = tutorial_loop.train(
            X, y, self.spec["hidden"][0], self.spec["learning_rate"], self.spec["epochs"]
        )

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return tutorial_loop.predict_proba(X, self.parameters)


class FfnnTutorial(Contender):
    """``ffnn.tutorial.train``, silent and without the plot."""

    def fit(self, X: np.ndarray, y: np.ndarray) -> None:
        from ffnn import tutorial

        self.parameters = tutorial.train(
            X,
            y,
            hidden_size=self.spec["hidden"][0],
            learning_rate=self.spec["learning_rate"],
            num_iterations=self.spec["epochs"],
            plot=False,
            verbose=False,
        )

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        from ffnn import tutorial

        return tutorial.forward_propagation(X, self.parameters)[0]


def _ffnn_optimizer(spec: Spec) -> Any:
    import ffnn

    if spec["optimizer"] == "adam":
        return ffnn.Adam(spec["learning_rate"])
    return ffnn.SGD(spec["learning_rate"])


class FfnnSequential(Contender):
    """``ffnn.Sequential(...).fit``; the tutorial's network (and weights) for a binary job."""

    def fit(self, X: np.ndarray, y: np.ndarray) -> None:
        import ffnn

        spec = self.spec
        if y.ndim == 2:
            model = ffnn.tutorial.tutorial_network(X.shape[1], spec["hidden"][0], 1)
            loss = "binary_cross_entropy"
        else:
            sizes = layer_sizes(spec, X, y)
            layers: list[Any] = []
            for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
                layers += [ffnn.Dense(n_in, n_out), ffnn.ReLU()]
            model = ffnn.Sequential(layers[:-1], dtype=spec["dtype"], random_state=spec["seed"])
            loss = "cross_entropy"
        batch = None if spec["batch_size"] is None else spec["batch_size"]
        model.fit(
            X,
            y,
            loss=loss,
            optimizer=_ffnn_optimizer(spec),
            epochs=spec["epochs"],
            batch_size=batch,
            shuffle=spec["shuffle"],
        )
        self.model = model

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return self.model.predict_proba(X)


def _mlp_arguments(spec: Spec, n: int) -> dict[str, Any]:
    """scikit-learn's MLPClassifier arguments for the spec: no L2, no early stop, constant
    learning rate, plain SGD (no momentum) or Adam."""
    return {
        "hidden_layer_sizes": tuple(spec["hidden"]),
        "activation": "relu",
        "solver": spec["optimizer"],
        "learning_rate_init": spec["learning_rate"],
        "learning_rate": "constant",
        "momentum": 0.0,
        "nesterovs_momentum": False,
        "batch_size": _batch(spec, n),
        "max_iter": spec["epochs"],
        "alpha": 0.0,
        "shuffle": spec["shuffle"],
        "tol": 0.0,
        "n_iter_no_change": spec["epochs"] + 1,
        "early_stopping": False,
        "random_state": spec["seed"],
    }


class _Estimator(Contender):
    """An estimator with scikit-learn's MLPClassifier interface (``fit``, ``predict_proba``)."""

    def make(self, arguments: dict[str, Any]) -> Any:
        raise NotImplementedError

    def fit(self, X: np.ndarray, y: np.ndarray) -> None:
        self.binary = y.ndim == 2
        labels = y.ravel().astype(np.int64) if self.binary else y
        self.estimator = self.make(_mlp_arguments(self.spec, X.shape[0]))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ConvergenceWarning: max_iter is the point
            self.estimator.fit(X, labels)

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        proba = np.asarray(self.estimator.predict_proba(X))
        return proba[:, 1:] if self.binary else proba  # P(class 1), (n, 1)


class Sklearn(_Estimator):
    def make(self, arguments: dict[str, Any]) -> Any:
        from sklearn.neural_network import MLPClassifier

        return MLPClassifier(**arguments)


class FfnnEstimator(_Estimator):
    """``ffnn.MLPClassifier`` with scikit-learn's arguments; any it does not take are dropped
    (and named in ``notes``)."""

    def make(self, arguments: dict[str, Any]) -> Any:
        from ffnn import MLPClassifier  # type: ignore[attr-defined]

        accepted = inspect.signature(MLPClassifier).parameters
        if "dtype" in accepted:
            arguments["dtype"] = self.spec["dtype"]
        dropped = sorted(set(arguments) - set(accepted))
        if dropped:
            self.notes.append("arguments not accepted, dropped: " + ", ".join(dropped))
        return MLPClassifier(**{k: v for k, v in arguments.items() if k in accepted})


class Torch(Contender):
    """PyTorch on the CPU: ``nn.Sequential`` of ``Linear`` / ``ReLU``, ``torch.optim``, and
    the loop a careful user writes (``randperm`` then slices of it; no DataLoader)."""

    def fit(self, X: np.ndarray, y: np.ndarray) -> None:
        import torch

        spec = self.spec
        dtype = getattr(torch, spec["dtype"])
        torch.manual_seed(spec["seed"])
        sizes = layer_sizes(spec, X, y)
        layers: list[Any] = []
        for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
            layers += [torch.nn.Linear(n_in, n_out, dtype=dtype), torch.nn.ReLU()]
        model = torch.nn.Sequential(*layers[:-1])
        if y.ndim == 2:  # the tutorial's job: start from the tutorial's weights
            start = tutorial_loop.initialize_parameters(X.shape[1], spec["hidden"][0], 1)
            with torch.no_grad():
                for layer, name in ((model[0], "1"), (model[2], "2")):
                    layer.weight.copy_(torch.from_numpy(start["W" + name].T))
                    layer.bias.copy_(torch.from_numpy(start["b" + name].ravel()))
            loss_fn: Any = torch.nn.BCEWithLogitsLoss()
            targets = torch.from_numpy(y.astype(X.dtype))
        else:
            loss_fn = torch.nn.CrossEntropyLoss()
            targets = torch.from_numpy(y)
        optim_class = torch.optim.Adam if spec["optimizer"] == "adam" else torch.optim.SGD
        optimizer = optim_class(model.parameters(), lr=spec["learning_rate"])
        inputs = torch.from_numpy(X)
        n = X.shape[0]
        batch = _batch(spec, n)
        self.losses = []
        for epoch in range(spec["epochs"]):
            order = torch.randperm(n) if spec["shuffle"] else torch.arange(n)
            total = 0.0
            for start_index in range(0, n, batch):
                if batch == n:  # full batch: no copy, as the tutorial's loop
                    xb, yb = inputs, targets
                else:
                    index = order[start_index : start_index + batch]
                    xb, yb = inputs[index], targets[index]
                optimizer.zero_grad()
                loss = loss_fn(model(xb), yb)
                loss.backward()
                optimizer.step()
                if batch < n:
                    total += loss.item() * xb.shape[0]
            if batch == n and epoch % 100 == 0:  # the tutorial records every 100 steps
                self.losses.append(loss.item())
            elif batch < n:
                self.losses.append(total / n)
        self.model = model

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        import torch

        with torch.no_grad():
            logits = self.model(torch.from_numpy(X))
            link = torch.sigmoid if logits.shape[1] == 1 else lambda z: torch.softmax(z, dim=1)
            return link(logits).numpy()


class MatmulCeiling(Contender):
    """NumPy's matrix-product rate in the job's dtype, the ceiling for a training step.

    Two measurements, each the median of repeated timings:

    - ``step_gflops``: the products one SGD step of the job's network needs, with its batch
      size (forward ``A W`` per layer; backward ``Aᵀ G`` per layer and ``G Wᵀ`` for all but
      the first), written into preallocated outputs: what a loop with no other cost reaches;
    - ``square_gflops``: one ``2048 x 2048 @ 2048 x 2048`` product, the peak.

    The step's products skip ``G Wᵀ`` for the first layer, as every contender does (no input
    needs a gradient), so the report also states their time in the units of the issue's
    ``6 x parameters x samples`` count (see :mod:`benchmarks.report`).

    ``fit`` does the measuring; there is nothing to predict.
    """

    def fit(self, X: np.ndarray, y: np.ndarray) -> None:
        import time

        dtype = np.dtype(self.spec["dtype"])
        rng = np.random.default_rng(0)
        sizes = layer_sizes(self.spec, X, y)
        batch = _batch(self.spec, X.shape[0])
        weights = [
            rng.standard_normal((a, b), dtype=dtype)
            for a, b in zip(sizes[:-1], sizes[1:], strict=True)
        ]
        acts = [rng.standard_normal((batch, a), dtype=dtype) for a in sizes]
        products = []  # (left, right, out) triples of one step
        for i, W in enumerate(weights):
            products.append((acts[i], W, np.empty((batch, W.shape[1]), dtype)))
            products.append((acts[i].T, acts[i + 1], np.empty(W.shape, dtype)))
            if i > 0:
                products.append((acts[i + 1], W.T, np.empty((batch, W.shape[0]), dtype)))
        step_flops = sum(2 * a.shape[0] * a.shape[1] * b.shape[1] for a, b, _ in products)
        step_times = []
        for _ in range(30):
            start = time.perf_counter()
            for a, b, out in products:
                np.matmul(a, b, out=out)
            step_times.append(time.perf_counter() - start)
        square = rng.standard_normal((2048, 2048), dtype=dtype)
        square_out = np.empty_like(square)
        square_times = []
        for _ in range(7):
            start = time.perf_counter()
            np.matmul(square, square, out=square_out)
            square_times.append(time.perf_counter() - start)
        self.extra = {
            "step_gflops": step_flops / float(np.median(step_times)) / 1e9,
            "step_seconds": float(np.median(step_times)),
            "step_flops": step_flops,
            "step_products": [f"{a.shape}@{b.shape}" for a, b, _ in products],
            "square_gflops": 2 * 2048**3 / float(np.median(square_times)) / 1e9,
        }

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        raise TypeError("the matrix-product ceiling trains no model")


CONTENDERS: dict[str, type[Contender]] = {
    "tutorial_loop": TutorialLoop,
    "ffnn_tutorial": FfnnTutorial,
    "ffnn_sequential": FfnnSequential,
    "ffnn_estimator": FfnnEstimator,
    "sklearn": Sklearn,
    "torch": Torch,
    "matmul": MatmulCeiling,
}


def estimator_available() -> bool:
    """Whether ``from ffnn import MLPClassifier`` works in this checkout."""
    try:
        from ffnn import MLPClassifier  # type: ignore[attr-defined]  # noqa: F401
    except ImportError:
        return False
    return True
