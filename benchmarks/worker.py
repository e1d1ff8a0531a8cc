"""One timed job in a fresh process: ``python -m benchmarks.worker '<job spec as JSON>'``.

The runner starts one of these per job, so every job begins from the same state (nothing
cached, no memory left over from another library) and its peak memory is its own.

1. imports, loads the cached data and casts it to the job's dtype (not timed);
2. warms up (not timed): a product starts the BLAS thread pool, then a one-epoch fit of the
   same contender on 64 samples pays the first-call costs (lazy imports, PyTorch's
   autograd and thread pool start), which a real training run pays once;
3. times ``contender.fit`` with ``time.perf_counter`` and measures its peak memory: the
   resident set size's high-water mark during the fit (Linux ``VmHWM``, reset just before by
   writing 5 to ``/proc/self/clear_refs``) minus the resident size just before. This counts
   every allocation, NumPy's, PyTorch's or a C library's alike; where the reset is refused,
   ``ru_maxrss`` is used instead and the result says so;
4. scores the model (not timed) and prints one line ``BENCH_RESULT {json}``.
"""

from __future__ import annotations

import gc
import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks import data
from benchmarks.contenders import CONTENDERS, layer_sizes

#: Training loss is scored on at most this many training samples (the first ones).
SCORED_TRAINING_SAMPLES = 10_000


def _status_kib(field: str) -> int | None:
    """A ``kB`` field of ``/proc/self/status`` (``VmRSS``, ``VmHWM``), or None off Linux."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_peak() -> bool:
    """Reset the high-water mark ``VmHWM`` to the current resident size (Linux >= 4.0)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return _status_kib("VmHWM") is not None


def score(proba: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(log-loss, accuracy) of probabilities ``(n, k)`` (``(n, 1)`` = P(class 1) when ``y`` is a
    0/1 column ``(n, 1)``), in float64."""
    proba = np.asarray(proba, dtype=np.float64)
    eps = 1e-15
    if y.ndim == 2:
        p, labels = proba[:, 0], y[:, 0]
        loss = -np.mean(
            labels * np.log(np.clip(p, eps, 1)) + (1 - labels) * np.log(np.clip(1 - p, eps, 1))
        )
        return float(loss), float(np.mean((p > 0.5) == (labels > 0.5)))
    picked = proba[np.arange(y.shape[0]), y]
    return float(-np.mean(np.log(np.clip(picked, eps, 1)))), float(np.mean(proba.argmax(1) == y))


def _thread_counts(spec: dict[str, Any]) -> dict[str, Any]:
    counts: dict[str, Any] = {}
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return {"note": "threadpoolctl not installed"}
    for pool in threadpool_info():
        counts[f"{pool['internal_api']}:{Path(pool['filepath']).name}"] = pool["num_threads"]
    if spec["runner"] == "torch":
        import torch

        counts["torch.get_num_threads"] = torch.get_num_threads()
    return counts


def _warm_up(spec: dict[str, Any], X: np.ndarray, y: np.ndarray) -> None:
    """Start the thread pools and pay every first-call cost (lazy imports included) outside
    the timing: a product, then a one-epoch fit of the same contender on 64 samples."""
    a = np.ones((512, 512), dtype=spec["dtype"])
    a @ a
    if spec["runner"] == "torch":
        import torch

        torch.set_num_threads(spec["threads"])
    if spec["runner"] != "matmul":
        CONTENDERS[spec["runner"]](dict(spec, epochs=1)).fit(X[:64], y[:64])


def run(spec: dict[str, Any]) -> dict[str, Any]:
    """Run the job ``spec`` (see :mod:`benchmarks.workloads`); its result dict."""
    limits = None
    try:
        from threadpoolctl import threadpool_limits

        limits = threadpool_limits(spec["threads"], user_api="blas")
    except ImportError:
        pass
    arrays = data.load(spec["data"], Path(spec["cache"]))
    n = spec.get("n_samples") or arrays["X_train"].shape[0]
    dtype = np.dtype(spec["dtype"])
    X = np.ascontiguousarray(arrays["X_train"][:n], dtype=dtype)
    y = arrays["y_train"][:n]
    X_test, y_test = np.ascontiguousarray(arrays["X_test"], dtype=dtype), arrays["y_test"]
    if y.ndim == 2:
        y, y_test = y.astype(dtype), y_test.astype(dtype)
    del arrays
    _warm_up(spec, X, y)
    contender = CONTENDERS[spec["runner"]](spec)
    sizes = layer_sizes(spec, X, y)

    gc.collect()
    rss_before = _status_kib("VmRSS")
    exact_peak = _reset_peak()
    maxrss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    cpu_start = time.process_time()
    start = time.perf_counter()
    contender.fit(X, y)
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start
    if exact_peak:
        peak_kib = (_status_kib("VmHWM") or 0) - (rss_before or 0)
        memory_method = "VmHWM reset before the fit, minus VmRSS before the fit"
    else:
        peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - maxrss_before
        memory_method = "growth of ru_maxrss during the fit (a lower bound)"

    result: dict[str, Any] = {
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "peak_memory_mib": max(peak_kib, 0) / 1024,
        "rss_before_mib": (rss_before or 0) / 1024,
        "data_mib": X.nbytes / 2**20,
        "memory_method": memory_method,
        "n_samples": n,
        "n_params": sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:], strict=True)),
        "threads": _thread_counts(spec),
        "notes": contender.notes,
    }
    if spec["runner"] != "matmul":
        scored = min(n, SCORED_TRAINING_SAMPLES)
        result["loss"], result["train_accuracy"] = score(
            contender.predict_proba(X[:scored]), y[:scored]
        )
        _, result["test_accuracy"] = score(contender.predict_proba(X_test), y_test)
    result.update(getattr(contender, "extra", {}))
    if limits is not None:
        limits.restore_original_limits()
    return result


def main() -> None:
    spec = json.loads(sys.argv[1])
    print("BENCH_RESULT " + json.dumps(run(spec)), flush=True)


if __name__ == "__main__":
    main()
