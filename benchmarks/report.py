"""From raw runs to statistics, ratios and the issue's targets.

Statistics are over the rounds of one interleaved run: median, min, max and the quartiles of
the fit times; the median of everything else. A ratio is ``median(ffnn) / median(peer)``.

A run during which other processes kept more than the quiet threshold of the CPUs busy is
*noisy*: on two cores, a library that spreads every operation over both threads can then run
ten times slower. When a contender has at least :data:`MIN_QUIET_RUNS` quiet runs, its
statistics are over those alone; otherwise over all its runs, marked ``noisy``. Every run stays
in the JSON either way.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from benchmarks.workloads import ACCURACY_TOLERANCE, CEILING, Group

#: Slack on memory comparisons: resident sizes move by pages and allocator arenas.
MEMORY_SLACK_MIB = 2.0
#: Quiet runs needed before the noisy ones are left out of a contender's statistics.
MIN_QUIET_RUNS = 3


def _median(values: list[float]) -> float | None:
    return float(np.median(values)) if values else None


def contender_summary(
    job: dict[str, Any], runs: list[dict[str, Any]], quiet_threshold: float = 1.0
) -> dict[str, Any]:
    """Statistics of one contender's runs (failed runs are kept raw, left out of statistics;
    noisy runs too, when there are enough quiet ones)."""
    ok = [run for run in runs if "seconds" in run]
    quiet = [run for run in ok if run.get("background_cpu", 0.0) <= quiet_threshold]
    enough = len(quiet) >= min(MIN_QUIET_RUNS, len(ok))
    summary: dict[str, Any] = {
        "library": job["library"],
        "runner": job["runner"],
        "runs": runs,
        "seconds_all": [run["seconds"] for run in ok],
        "quiet_runs": len(quiet),
        "noisy": bool(ok) and not enough,
        "errors": [run["error"] for run in runs if "error" in run],
    }
    ok = quiet if enough else ok
    times = [run["seconds"] for run in ok]
    summary["seconds"] = times
    if not times:
        return summary
    q1, q3 = np.percentile(times, [25, 75])
    summary.update(
        median_s=float(np.median(times)),
        min_s=min(times),
        max_s=max(times),
        q1_s=float(q1),
        q3_s=float(q3),
    )
    for key in (
        "peak_memory_mib",
        "cpu_seconds",
        "background_cpu",
        "loss",
        "train_accuracy",
        "test_accuracy",
        "step_gflops",
        "step_flops",
        "step_seconds",
        "square_gflops",
        "data_mib",
        "n_samples",
        "n_params",
    ):
        values = [run[key] for run in ok if run.get(key) is not None]
        if values:
            summary[key] = _median(values)
    if job["runner"] == "matmul":
        summary["batch_size"] = job["batch_size"]
        if "step_seconds" not in summary and "step_flops" in summary:
            summary["step_seconds"] = summary["step_flops"] / summary["step_gflops"] / 1e9
    elif "n_params" in summary:
        # a step costs 2 P multiply-adds forward and 4 P backward per sample
        flops = 6 * summary["n_params"] * summary["n_samples"] * job["epochs"]
        summary["gflops"] = flops / summary["median_s"] / 1e9
    notes = sorted({note for run in ok for note in run.get("notes", [])})
    if notes:
        summary["notes"] = notes
    return summary


def _ratio(contenders: dict[str, Any], a: str, b: str) -> float | None:
    if a not in contenders or b not in contenders:
        return None
    x, y = contenders[a].get("median_s"), contenders[b].get("median_s")
    return None if x is None or not y else x / y


def _ceiling_gflops(matmul: dict[str, Any]) -> float | None:
    """The matrix-product rate that a training epoch is held to, in the issue's units.

    The larger of the 2048³ product's rate and the rate of the step's own products counted
    as ``6 x parameters x batch`` (what ``gflops`` counts) over the time they took.
    """
    if "square_gflops" not in matmul:
        return None
    rates = [matmul["square_gflops"]]
    if matmul.get("step_seconds") and matmul.get("n_params") and matmul.get("batch_size"):
        rates.append(6 * matmul["n_params"] * matmul["batch_size"] / matmul["step_seconds"] / 1e9)
    return max(rates)


def _noisy(contenders: dict[str, Any], *labels: str | None) -> bool:
    """Whether any of these contenders' statistics had to include noisy runs."""
    return any(contenders.get(label or "", {}).get("noisy", False) for label in labels)


def _fit_line(x: list[float], y: list[float]) -> dict[str, float]:
    """Least squares ``y = intercept + slope x`` and its R²."""
    slope, intercept = np.polyfit(x, y, 1)
    predicted = intercept + slope * np.asarray(x)
    residual = float(np.sum((np.asarray(y) - predicted) ** 2))
    total = float(np.sum((np.asarray(y) - np.mean(y)) ** 2))
    return {
        "slope": float(slope),
        "intercept": float(intercept),
        "r2": 1.0 - residual / total if total else 1.0,
    }


def _scaling_analysis(group: Group, contenders: dict[str, Any]) -> dict[str, Any]:
    jobs = {job["label"]: job for job in group.jobs}
    timed = [
        (jobs[k]["n_samples"], v["median_s"]) for k, v in contenders.items() if "median_s" in v
    ]
    if group.name == "scaling-samples" and len(timed) >= 2:
        n, t = zip(*sorted(timed), strict=True)
        per_sample = [ti / ni * 1e6 for ni, ti in zip(n, t, strict=True)]
        return {
            "fit_seconds_vs_samples": _fit_line(list(n), list(t)),
            "microseconds_per_sample": dict(zip(map(str, n), per_sample, strict=True)),
            "largest_over_smallest_time": t[-1] / t[0],
            "largest_over_smallest_samples": n[-1] / n[0],
            "per_sample_cost_largest_over_smallest": per_sample[-1] / per_sample[0],
        }
    if group.name == "scaling-memory":
        rows = []
        for label, summary in contenders.items():
            if "peak_memory_mib" in summary:
                job = jobs[label]
                rows.append(
                    {
                        "label": label,
                        "library": job["library"],
                        "epochs": job["epochs"],
                        "n_samples": job["n_samples"],
                        "data_mib": summary["data_mib"],
                        "peak_memory_mib": summary["peak_memory_mib"],
                    }
                )
        analysis: dict[str, Any] = {"rows": rows}
        for library in ("ffnn", "sklearn"):
            points = [
                (r["data_mib"], r["peak_memory_mib"])
                for r in rows
                if r["library"] == library and r["epochs"] == 1
            ]
            if len(points) >= 2:
                x, y = zip(*points, strict=True)
                analysis[f"{library}_peak_vs_data"] = _fit_line(list(x), list(y))
        return analysis
    return {}


def _check(target: dict[str, Any], contenders: dict[str, Any], analysis: dict[str, Any]) -> dict:
    """One target of the issue: its text, the measured value and whether it is met."""
    check = target["check"]
    c, peer = target.get("contender"), target.get("peer")
    found = dict(target, noisy=_noisy(contenders, c, peer))
    if check == "ratio":
        value = _ratio(contenders, c, peer)
        found.update(
            text=f"{c} <= {target['at_most']}x {peer}",
            value=value,
            met=None if value is None else value <= target["at_most"],
        )
    elif check == "accuracy":
        key = "test_accuracy"
        a, b = contenders.get(c, {}).get(key), contenders.get(peer, {}).get(key)
        found.update(
            text=f"{c} test accuracy >= {peer}'s - {100 * ACCURACY_TOLERANCE:g} points",
            value=None if a is None or b is None else a - b,
            met=None if a is None or b is None else a >= b - ACCURACY_TOLERANCE,
        )
    elif check == "memory":
        a = contenders.get(c, {}).get("peak_memory_mib")
        b = contenders.get(peer, {}).get("peak_memory_mib")
        found.update(
            text=f"{c} peak memory <= {peer}'s (+{MEMORY_SLACK_MIB} MiB)",
            value=None if a is None or b is None else a - b,
            met=None if a is None or b is None else a <= b + MEMORY_SLACK_MIB,
        )
    elif check == "ceiling":
        achieved = contenders.get(c, {}).get("gflops")
        ceiling = _ceiling_gflops(contenders.get(CEILING, {}))
        value = None if achieved is None or ceiling is None else achieved / ceiling
        found.update(
            text=f"{c} GFLOP/s >= {target['at_least']:.0%} of NumPy's matmul rate (the larger "
            "of the 2048³ product and the step's own products)",
            value=value,
            ceiling_gflops=ceiling,
            met=None if value is None else value >= target["at_least"],
        )
    elif check == "linear":
        ratio = analysis.get("per_sample_cost_largest_over_smallest")
        r2 = analysis.get("fit_seconds_vs_samples", {}).get("r2")
        found.update(
            text="time linear in samples (R² >= 0.99, cost per sample at the largest n "
            "<= 1.2x the smallest's)",
            value=ratio,
            met=None if ratio is None else ratio <= 1.2 and r2 >= 0.99,
        )
    elif check == "memory_flat":
        rows = [r for r in analysis.get("rows", []) if r["library"] == "ffnn"]
        worst = None
        for r in rows:
            if r["epochs"] == 5:
                one = [s for s in rows if s["n_samples"] == r["n_samples"] and s["epochs"] == 1]
                if one:
                    excess = r["peak_memory_mib"] - one[0]["peak_memory_mib"]
                    worst = excess if worst is None else max(worst, excess)
        found.update(
            text=f"ffnn peak memory flat across epochs (5 vs 1, +{MEMORY_SLACK_MIB} MiB)",
            value=worst,
            met=None if worst is None else worst <= MEMORY_SLACK_MIB,
        )
    elif check == "memory_copy":
        slope = analysis.get("ffnn_peak_vs_data", {}).get("slope")
        found.update(
            text="no copy of the training data in a fit (peak grows < 0.5 MiB per MiB of data)",
            value=slope,
            met=None if slope is None else slope < 0.5,
        )
    return found


def summarize(
    group: Group, runs: dict[str, list[dict[str, Any]]], rounds: int, quiet_threshold: float = 1.0
) -> dict:
    """The JSON record of one group."""
    contenders = {
        job["label"]: contender_summary(job, runs.get(job["label"], []), quiet_threshold)
        for job in group.jobs
    }
    analysis = _scaling_analysis(group, contenders)
    ratios = [
        {
            "contender": a,
            "peer": b,
            "ratio": _ratio(contenders, a, b),
            "noisy": _noisy(contenders, a, b),
        }
        for a, b in group.ratios
    ]
    return {
        "workload": group.workload,
        "name": group.name,
        "description": group.description,
        "reference": group.reference,
        "rounds": rounds,
        "notes": group.notes,
        "jobs": [{k: v for k, v in job.items() if k != "cache"} for job in group.jobs],
        "contenders": contenders,
        "ratios": [r for r in ratios if r["ratio"] is not None],
        "analysis": analysis,
        "targets": [_check(t, contenders, analysis) for t in group.targets],
    }
