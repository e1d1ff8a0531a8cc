"""Run the benchmark suite: ``python -m benchmarks.run [--repeats 5] [--workloads ...]``.

Each group of a workload (see :mod:`benchmarks.workloads`) runs its contenders interleaved,
A B C A B C ..., for ``--repeats`` rounds, every job in a fresh process
(:mod:`benchmarks.worker`). The run writes into ``--out``:

- ``results.json``: the environment, the method, every raw timing and measurement, the
  statistics, the ratios and the issue's targets;
- ``results.md``: the same as tables;
- ``ratios.png`` (every ffnn/peer ratio) and ``scaling.png`` (when the scaling workload ran).
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import json
import os
import resource
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks import contenders, data, environment, render, report, workloads

ROOT = Path(__file__).resolve().parents[1]
#: The packages each library's jobs need; a job whose library is missing is skipped.
NEEDS = {"sklearn": "sklearn", "torch": "torch", "ffnn": "ffnn", "numpy": "numpy"}
METHOD = {
    "interleaving": "Each group runs its contenders in turn (A B C, A B C, ...), one round per "
    "repeat, so a slow spell of the machine hits all of them alike.",
    "timing": "Each job runs in a fresh Python process; imports, data loading, the cast to the "
    "job's dtype and a warm-up (a product, then a one-epoch fit of the same contender on 64 "
    "samples, which pays lazy imports and first-call costs) are not timed; time.perf_counter "
    "times building and fitting the model, and scoring (on at most 10 000 training samples "
    "and the test set) comes after.",
    "memory": "Peak memory is the fit's own: the process's resident-set high-water mark "
    "during the fit (Linux VmHWM, reset just before it through /proc/self/clear_refs) minus "
    "the resident size just before it, the same for every library (NumPy, PyTorch and C "
    "allocations alike).",
    "noise": "Before each job the runner waits (up to --max-wait s) until the machine is "
    "quiet (under --quiet-threshold of its CPUs busy over 0.25 s); bg CPU is the share of the "
    "machine's CPU time that other processes used while the job ran (from /proc/stat, less "
    "the job's own CPU time), and a job during which it exceeded --quiet-threshold is run "
    "again (up to --retries times; the discarded attempts stay in the JSON).",
}


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--repeats", type=int, default=5, help="interleaved rounds (default 5)")
    parser.add_argument(
        "--workloads",
        default=",".join(workloads.WORKLOADS),
        help="comma-separated, from " + ",".join(workloads.WORKLOADS),
    )
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for smoke tests")
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("benchmark-results"),
        help="output folder (default ./benchmark-results)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="threads for every library (default: NumPy's BLAS thread count)",
    )
    parser.add_argument("--timeout", type=float, default=600, help="seconds allowed per job")
    parser.add_argument(
        "--quiet-threshold",
        type=float,
        default=0.25,
        help="wait before a job while other processes keep more than this share "
        "of the CPUs busy (default 0.25; 1 disables)",
    )
    parser.add_argument(
        "--max-wait",
        type=float,
        default=60,
        help="seconds to wait for a quiet machine before each job (default 60)",
    )
    parser.add_argument(
        "--retries",
        type=int,
        default=2,
        help="run a job again when other processes took more than --quiet-threshold of the "
        "CPUs while it ran (default 2; the discarded attempts stay in the JSON)",
    )
    parser.add_argument(
        "--rerender",
        metavar="DIR",
        type=Path,
        help="measure nothing: recompute the statistics, targets, markdown and charts of "
        "DIR/results.json from its raw runs (with this --quiet-threshold)",
    )
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.workloads.split(",") if n.strip()]
    unknown = sorted(set(names) - set(workloads.WORKLOADS))
    if unknown or not names:
        parser.error(f"unknown workloads {unknown}; choose from {','.join(workloads.WORKLOADS)}")
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    args.names = names
    return args


def wait_for_quiet(threshold: float, max_wait: float, cpus: int) -> tuple[float | None, float]:
    """Wait until the machine's busy share over 0.25 s is at most ``threshold`` (or
    ``max_wait`` seconds have passed); (the last share measured, seconds waited)."""
    waited = 0.0
    while threshold < 1:
        before = environment.busy_jiffies()
        time.sleep(0.25)
        after = environment.busy_jiffies()
        if before is None or after is None:
            return None, waited
        share = (after - before) / os.sysconf("SC_CLK_TCK") / (0.25 * cpus)
        if share <= threshold or waited >= max_wait:
            return share, waited
        time.sleep(2.0)
        waited += 2.25
    return None, waited


def run_job(spec: dict[str, Any], timeout: float, cpus: int) -> dict[str, Any]:
    """Run one job in a fresh process with the thread count in its environment."""
    threads = str(spec["threads"])
    env = dict(
        os.environ,
        OPENBLAS_NUM_THREADS=threads,
        OMP_NUM_THREADS=threads,
        MKL_NUM_THREADS=threads,
        PYTHONPATH=os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]),
    )
    command = [sys.executable, "-m", "benchmarks.worker", json.dumps(spec)]
    busy_before = environment.busy_jiffies()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    try:
        done = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:g} s"}
    wall = time.perf_counter() - start
    lines = [line for line in done.stdout.splitlines() if line.startswith("BENCH_RESULT ")]
    if done.returncode != 0 or not lines:
        return {"error": (done.stderr or done.stdout).strip()[-2000:] or f"exit {done.returncode}"}
    result = json.loads(lines[-1][len("BENCH_RESULT ") :])
    busy_after = environment.busy_jiffies()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    own = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
    if busy_before is not None and busy_after is not None:
        others = (busy_after - busy_before) / os.sysconf("SC_CLK_TCK") - own
        result["background_cpu"] = max(others, 0.0) / (wall * cpus)
    return result


def _prepare(group: workloads.Group, cache: Path) -> str | None:
    """Make the group's data and drop jobs whose library is missing; why it is skipped, if."""
    try:
        data.prepare(group.jobs[0]["data"], cache)
    except ImportError as error:
        return f"its data needs a package that is not installed ({error.name})"
    kept = []
    for job in group.jobs:
        if importlib.util.find_spec(NEEDS[job["library"]]) is None:
            group.notes.append(f"{job['label']} skipped: {NEEDS[job['library']]} is not installed")
        else:
            kept.append(dict(job, cache=str(cache)))
    group.jobs = kept
    group.ratios = [(a, b) for a, b in group.ratios if {a, b} <= {j["label"] for j in kept}]
    return None if kept else "none of its contenders is installed"


def measure(job: dict[str, Any], args: argparse.Namespace, cpus: int) -> dict[str, Any]:
    """Run ``job`` once the machine is quiet; run it again (up to ``--retries`` times) when
    other processes took more than ``--quiet-threshold`` of the CPUs while it ran. The
    discarded attempts stay in the result."""
    discarded: list[dict[str, Any]] = []
    while True:
        busy, waited = wait_for_quiet(args.quiet_threshold, args.max_wait, cpus)
        result = run_job(job, args.timeout, cpus)
        result.update(busy_before_start=busy, waited_for_quiet_s=waited)
        noisy = result.get("background_cpu", 0.0) > args.quiet_threshold
        if not noisy or "error" in result or len(discarded) >= args.retries:
            if discarded:
                result["discarded_noisy_attempts"] = discarded
            return result
        discarded.append(result)


def write(results: dict[str, Any], out: Path) -> list[str]:
    """results.json, results.md and the charts; the chart names written."""
    (out / "results.json").write_text(json.dumps(results, indent=1))
    (out / "results.md").write_text(render.markdown(results))
    drawn = []
    for name, draw in (("ratios.png", render.ratio_chart), ("scaling.png", render.scaling_chart)):
        if draw(results, out / name):
            drawn.append(name)
    return drawn


def rerender(out: Path, quiet_threshold: float) -> None:
    """Summarise the raw runs of ``out/results.json`` again with the current code."""
    results = json.loads((out / "results.json").read_text())
    names = [g["workload"] for g in results["groups"]]
    plan = workloads.plan(
        names, results["quick"], results["threads"], results["estimator_available"]
    )
    groups = {group.name: group for group in plan}
    for index, record in enumerate(results["groups"]):
        group = groups.get(record["name"])
        if record.get("skipped") or group is None:
            continue
        runs = {label: c["runs"] for label, c in record["contenders"].items()}
        group.jobs = [job for job in group.jobs if job["label"] in runs]
        group.ratios = [(a, b) for a, b in group.ratios if {a, b} <= set(runs)]
        group.notes = record["notes"]
        results["groups"][index] = report.summarize(group, runs, record["rounds"], quiet_threshold)
    results["quiet_threshold"] = quiet_threshold
    write(results, out)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    if args.rerender:
        rerender(args.rerender, args.quiet_threshold)
        print(f"rewrote {args.rerender / 'results.json'}, results.md and the charts", flush=True)
        return 0
    # a terminated run ends its running job too (subprocess.run kills it on the way out)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.perf_counter()
    env = environment.collect()
    threads = args.threads or env["blas_threads"]
    cpus = env["usable_cpus"] or env["cpu_count"] or 1
    groups = workloads.plan(args.names, args.quick, threads, contenders.estimator_available())
    args.out.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {
        "command": "python -m benchmarks.run "
        + shlex.join(argv if argv is not None else sys.argv[1:]),
        "started": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "duration_s": 0.0,
        "complete": False,
        "repeats": args.repeats,
        "quick": args.quick,
        "threads": threads,
        "quiet_threshold": args.quiet_threshold,
        "estimator_available": contenders.estimator_available(),
        "method": METHOD,
        "environment": env,
        "groups": [],
    }
    with tempfile.TemporaryDirectory(prefix="ffnn-bench-") as cache:
        for group in groups:
            skipped = _prepare(group, Path(cache))
            if skipped:
                print(f"[{group.name}] skipped: {skipped}", flush=True)
                results["groups"].append(
                    {
                        "workload": group.workload,
                        "name": group.name,
                        "skipped": skipped,
                        "targets": [],
                        "ratios": [],
                    }
                )
                continue
            rounds = min(args.repeats, group.repeats or args.repeats)
            runs: dict[str, list[dict[str, Any]]] = {job["label"]: [] for job in group.jobs}
            for round_index in range(rounds):
                for job in group.jobs:
                    result = measure(job, args, cpus)
                    runs[job["label"]].append(result)
                    shown = result.get("error", "").splitlines()[-1:] or [
                        f"{result['seconds']:.3f} s (bg CPU {result.get('background_cpu', 0):.0%})"
                    ]
                    print(
                        f"[{group.name} {round_index + 1}/{rounds}] {job['label']}: {shown[0]}",
                        flush=True,
                    )
            results["groups"].append(report.summarize(group, runs, rounds, args.quiet_threshold))
            results["duration_s"] = time.perf_counter() - started
            results["load_average_end"] = os.getloadavg() if hasattr(os, "getloadavg") else None
            write(results, args.out)  # after every group: a stopped run keeps what it measured
    results["complete"] = True
    results["ffnn_source_digest_end"] = environment.source_digest()
    if results["ffnn_source_digest_end"] != env["ffnn_source_digest"]:
        print("warning: ffnn's source changed during the run", flush=True)
    charts = write(results, args.out)
    print(
        f"wrote {args.out / 'results.json'}, results.md, {', '.join(charts) or 'no chart'} "
        f"in {results['duration_s'] / 60:.1f} min",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
