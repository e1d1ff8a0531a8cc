"""What is measured: the workloads of issue 5, as groups of jobs that run interleaved.

A *group* is one comparison (the same network, data and settings for every contender); the
runner runs its jobs A B C, A B C, ... for ``repeats`` rounds. A *workload* (the names of the
``--workloads`` option) is one or more groups. Each job is a JSON-able spec read by
:mod:`benchmarks.worker`:

``label`` (shown), ``runner`` (a key of :data:`benchmarks.contenders.CONTENDERS`),
``library``, ``data`` (a key of :data:`benchmarks.data.MAKERS`), ``n_samples`` (a prefix of the
training set, or None for all), ``dtype``, ``hidden`` (hidden layer widths), ``optimizer``
(``"sgd"`` without momentum, or ``"adam"``), ``learning_rate``, ``batch_size`` (None: full
batch), ``epochs``, ``shuffle``, ``seed``, ``threads``.

Each group also names its reference (the peer of the first ratio), the ratios to report and the
targets of the issue that it measures (checked in :mod:`benchmarks.report`).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

WORKLOADS = ("tiny", "medium", "large", "real", "scaling")

TUTORIAL = "tutorial loop"
SKLEARN = "scikit-learn"
TORCH = "PyTorch"
CEILING = "NumPy matmul"
#: An accuracy this far below the peer's (absolute, on 0-1) is a loss, not noise.
ACCURACY_TOLERANCE = 0.02


@dataclass
class Group:
    """One comparison: jobs run interleaved, then compared."""

    workload: str
    name: str
    description: str
    jobs: list[dict[str, Any]]
    reference: str
    ratios: list[tuple[str, str]] = field(default_factory=list)
    targets: list[dict[str, Any]] = field(default_factory=list)
    repeats: int | None = None  # a cap on the rounds, for the slow groups
    notes: list[str] = field(default_factory=list)


def _job(label: str, runner: str, library: str, base: dict[str, Any], **changes: Any) -> dict:
    spec = copy.deepcopy(base)
    spec.update(label=label, runner=runner, library=library, **changes)
    return spec


def _ffnn_mlp_jobs(base: dict[str, Any], estimator: bool) -> list[dict[str, Any]]:
    """The estimator when ffnn has one, and Sequential.fit (the same network) always."""
    jobs = [_job("ffnn Sequential", "ffnn_sequential", "ffnn", base)]
    if estimator:
        jobs.insert(0, _job("ffnn estimator", "ffnn_estimator", "ffnn", base))
    return jobs


def _peers(base: dict[str, Any]) -> list[dict[str, Any]]:
    return [_job(SKLEARN, "sklearn", "sklearn", base), _job(TORCH, "torch", "torch", base)]


def tiny(quick: bool, threads: int, estimator: bool) -> list[Group]:
    base = {
        "data": "blobs",
        "n_samples": None,
        "dtype": "float64",
        "hidden": [4],
        "optimizer": "sgd",
        "learning_rate": 0.1,
        "batch_size": None,
        "epochs": 200 if quick else 10_000,
        "shuffle": False,
        "seed": 42,
        "threads": 1,
    }
    ffnn_jobs = [
        _job("ffnn.tutorial.train", "ffnn_tutorial", "ffnn", base),
        _job("ffnn Sequential.fit", "ffnn_sequential", "ffnn", base),
    ]
    notes = ["1 thread for every library (the products are 300 x 4: none is multi-threaded)."]
    if estimator:
        ffnn_jobs.append(_job("ffnn estimator", "ffnn_estimator", "ffnn", base))
    else:
        notes.append("ffnn.MLPClassifier is not in this checkout: the estimator was not run.")
    labels = [job["label"] for job in ffnn_jobs]
    return [
        Group(
            "tiny",
            "tiny",
            f"the tutorial's job: 2-4-1, 300 samples, {base['epochs']} full-batch SGD steps "
            "(lr 0.1), float64, from the tutorial's weights (scikit-learn: its own init)",
            [_job(TUTORIAL, "tutorial_loop", "numpy", base), *ffnn_jobs, *_peers(base)],
            reference=TUTORIAL,
            ratios=[(label, peer) for label in labels for peer in (TUTORIAL, SKLEARN, TORCH)],
            targets=[
                {"check": "ratio", "contender": c, "peer": TUTORIAL, "at_most": 1.0} for c in labels
            ]
            + [{"check": "accuracy", "contender": c, "peer": TUTORIAL} for c in labels],
            notes=notes,
        )
    ]


def medium(quick: bool, threads: int, estimator: bool) -> list[Group]:
    groups = []
    for dtype in ("float32", "float64"):
        base = {
            "data": "medium",
            "n_samples": 2_000 if quick else None,
            "dtype": dtype,
            "hidden": [128, 128],
            "optimizer": "adam",
            "learning_rate": 1e-3,
            "batch_size": 200,
            "epochs": 2 if quick else 20,
            "shuffle": True,
            "seed": 0,
            "threads": threads,
        }
        ffnn_jobs = _ffnn_mlp_jobs(base, estimator)
        main = ffnn_jobs[0]["label"]
        groups.append(
            Group(
                "medium",
                f"medium-{dtype}",
                f"{base['n_samples'] or 20_000} x 50, 5 classes, (128, 128) ReLU, Adam lr 1e-3, "
                f"batch 200, {base['epochs']} epochs, {dtype}, no early stopping, no L2",
                [*ffnn_jobs, *_peers(base)],
                reference=SKLEARN,
                ratios=[(job["label"], p) for job in ffnn_jobs for p in (SKLEARN, TORCH)],
                targets=[
                    {"check": "ratio", "contender": main, "peer": SKLEARN, "at_most": 0.5},
                    {"check": "ratio", "contender": main, "peer": TORCH, "at_most": 1.0},
                    {"check": "accuracy", "contender": main, "peer": SKLEARN},
                    {"check": "accuracy", "contender": main, "peer": TORCH},
                ]
                + [
                    {"check": "memory", "contender": job["label"], "peer": SKLEARN}
                    for job in ffnn_jobs
                ],
                notes=[]
                if estimator
                else [
                    "ffnn.MLPClassifier is not in this checkout: the "
                    "ffnn row is Sequential.fit with the same settings."
                ],
            )
        )
    return groups


def large(quick: bool, threads: int, estimator: bool) -> list[Group]:
    base = {
        "data": "large",
        "n_samples": 4_096 if quick else None,
        "dtype": "float32",
        "hidden": [256, 256] if quick else [1024, 1024],
        "optimizer": "sgd",
        "learning_rate": 0.01,
        "batch_size": 256,
        "epochs": 1,
        "shuffle": True,
        "seed": 0,
        "threads": threads,
    }
    ffnn_jobs = _ffnn_mlp_jobs(base, estimator)
    widths = "-".join(str(w) for w in [784, *base["hidden"], 10])
    return [
        Group(
            "large",
            "large",
            f"{base['n_samples'] or 60_000} x 784 float32 (Gaussian, labels from a random linear "
            f"teacher), {widths} ReLU, SGD lr 0.01, batch 256, one epoch",
            [*ffnn_jobs, *_peers(base), _job(CEILING, "matmul", "numpy", base)],
            reference=TORCH,
            ratios=[(job["label"], p) for job in ffnn_jobs for p in (TORCH, SKLEARN)],
            targets=[  # the issue names no ffnn path here: each is held to the targets
                target
                for job in ffnn_jobs
                for target in (
                    {"check": "ratio", "contender": job["label"], "peer": TORCH, "at_most": 1.0},
                    {"check": "ceiling", "contender": job["label"], "at_least": 0.6},
                    {"check": "accuracy", "contender": job["label"], "peer": TORCH},
                    {"check": "memory", "contender": job["label"], "peer": SKLEARN},
                )
            ],
        )
    ]


def real(quick: bool, threads: int, estimator: bool) -> list[Group]:
    groups = []
    for name, epochs, text in (
        ("digits", 100, "scikit-learn's digits: 1 347 train / 450 test, 64 features"),
        ("mnist1d", 200, "MNIST-1D (mnist1d package, generated offline): 4 000 / 1 000, 40"),
    ):
        base = {
            "data": name,
            "n_samples": None,
            "dtype": "float32",
            "hidden": [128, 128],
            "optimizer": "adam",
            "learning_rate": 1e-3,
            "batch_size": 100,
            "epochs": 2 if quick else epochs,
            "shuffle": True,
            "seed": 0,
            "threads": threads,
        }
        ffnn_jobs = _ffnn_mlp_jobs(base, estimator)
        main = ffnn_jobs[0]["label"]
        groups.append(
            Group(
                "real",
                name,
                f"{text}; 10 classes, (128, 128) ReLU, Adam lr 1e-3, batch 100, "
                f"{base['epochs']} epochs, float32; test accuracy",
                [*ffnn_jobs, *_peers(base)],
                reference=SKLEARN,
                ratios=[(job["label"], p) for job in ffnn_jobs for p in (SKLEARN, TORCH)],
                targets=[
                    {"check": "accuracy", "contender": main, "peer": SKLEARN},
                    {"check": "accuracy", "contender": main, "peer": TORCH},
                ],
            )
        )
    return groups


def scaling(quick: bool, threads: int, estimator: bool) -> list[Group]:
    base = {
        "data": "scaling",
        "dtype": "float32",
        "hidden": [128, 128],
        "optimizer": "adam",
        "learning_rate": 1e-3,
        "batch_size": 200,
        "epochs": 2,
        "shuffle": True,
        "seed": 0,
        "threads": threads,
    }
    sizes = [1_000, 2_000, 4_000] if quick else [10_000, 20_000, 40_000, 80_000, 160_000]
    widths = [32, 64] if quick else [64, 128, 256, 512]
    width_n = 2_000 if quick else 20_000
    memory_sizes = [1_000, 4_000] if quick else [20_000, 80_000, 160_000]
    seq = "ffnn_sequential"
    samples = [_job(f"n={n}", seq, "ffnn", base, n_samples=n) for n in sizes]
    width_jobs = [
        _job(f"width={w}", seq, "ffnn", base, n_samples=width_n, hidden=[w, w]) for w in widths
    ]
    memory = []
    for n in memory_sizes:
        for epochs in (1, 5):
            memory.append(
                _job(f"ffnn n={n} e={epochs}", seq, "ffnn", base, n_samples=n, epochs=epochs)
            )
        memory.append(_job(f"sklearn n={n} e=1", "sklearn", "sklearn", base, n_samples=n, epochs=1))
    return [
        Group(
            "scaling",
            "scaling-samples",
            f"ffnn Sequential.fit: time against samples, 50 features, 5 classes, (128, 128) "
            f"ReLU, Adam, batch 200, {base['epochs']} epochs, float32",
            samples,
            reference=samples[0]["label"],
            targets=[{"check": "linear"}],
        ),
        Group(
            "scaling",
            "scaling-width",
            f"ffnn Sequential.fit: time against the width w of (w, w) ReLU, {width_n} samples, "
            f"{base['epochs']} epochs, float32",
            width_jobs,
            reference=width_jobs[0]["label"],
        ),
        Group(
            "scaling",
            "scaling-memory",
            "peak memory of a fit above what the process held before it, against data size "
            "(1 and 5 epochs), scikit-learn's on the same fit beside it",
            memory,
            reference=memory[0]["label"],
            targets=[{"check": "memory_flat"}, {"check": "memory_copy"}],
            repeats=3,
        ),
    ]


def plan(names: list[str], quick: bool, threads: int, estimator: bool) -> list[Group]:
    """The groups of the named workloads, in the order of :data:`WORKLOADS`."""
    makers = {"tiny": tiny, "medium": medium, "large": large, "real": real, "scaling": scaling}
    return [
        group
        for name in WORKLOADS
        if name in names
        for group in makers[name](quick, threads, estimator)
    ]
