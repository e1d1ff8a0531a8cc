"""The machine and the software a run measured: versions, CPU, BLAS, threads, load."""

from __future__ import annotations

import hashlib
import os
import platform
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

PACKAGES = ("numpy", "ffnn", "scikit-learn", "scipy", "torch", "threadpoolctl", "mnist1d")
#: Environment variables that change which BLAS kernel or how many threads run.
ENV_PATTERN = re.compile(r"^(OPENBLAS|GOTO|OMP|MKL|KMP|BLIS|NVPL|VECLIB|NUMEXPR)")


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def versions() -> dict[str, str | None]:
    found: dict[str, str | None] = {"python": sys.version.split()[0]}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def blas() -> list[dict[str, Any]]:
    """threadpoolctl's view of NumPy's process: each BLAS / OpenMP library, its kernel
    (``architecture``) and thread count."""
    try:
        import numpy  # noqa: F401  (loads its BLAS)
        from threadpoolctl import threadpool_info
    except ImportError:
        return [{"note": "threadpoolctl is not installed"}]
    keys = (
        "user_api",
        "internal_api",
        "prefix",
        "version",
        "architecture",
        "num_threads",
        "threading_layer",
        "filepath",
    )
    return [{k: pool.get(k) for k in keys if k in pool} for pool in threadpool_info()]


def blas_threads(pools: list[dict[str, Any]]) -> int:
    """The thread count of NumPy's BLAS (the first BLAS pool), else the usable cores."""
    for pool in pools:
        if pool.get("user_api") == "blas" and "numpy" in str(pool.get("filepath", "")):
            return int(pool["num_threads"])
    for pool in pools:
        if pool.get("user_api") == "blas":
            return int(pool["num_threads"])
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def torch_info() -> dict[str, Any] | None:
    try:
        import torch
    except ImportError:
        return None
    return {
        "default_threads": torch.get_num_threads(),
        "parallel_info": torch.__config__.parallel_info().strip().splitlines()[:6],
    }


ROOT = Path(__file__).resolve().parents[1]


def source_digest() -> str | None:
    """SHA-256 of ffnn's source files (src/ffnn/**/*.py): a change during a run shows."""
    files = sorted((ROOT / "src" / "ffnn").rglob("*.py"))
    if not files:
        return None
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def git_state() -> dict[str, Any] | None:
    """The checkout measured: commit and the files changed since it."""

    def git(*arguments: str) -> str:
        return subprocess.run(
            ["git", *arguments], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()

    try:
        return {
            "commit": git("rev-parse", "HEAD"),
            "changed_files": git("status", "--porcelain", "--", "src").splitlines(),
        }
    except (OSError, subprocess.CalledProcessError):
        return None


def collect() -> dict[str, Any]:
    pools = blas()
    return {
        "versions": versions(),
        "platform": platform.platform(),
        "cpu": cpu_model(),
        "cpu_count": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "blas": pools,
        "blas_threads": blas_threads(pools),
        "torch": torch_info(),
        "environment_variables": {
            k: v for k, v in sorted(os.environ.items()) if ENV_PATTERN.match(k)
        },
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "git": git_state(),
        "ffnn_source_digest": source_digest(),
    }


def busy_jiffies() -> int | None:
    """CPU time (in clock ticks) that all processes have used since boot, from ``/proc/stat``."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return None
    user, nice, system, idle, iowait, irq, softirq, steal = (int(v) for v in fields[:8])
    return user + nice + system + irq + softirq + steal
