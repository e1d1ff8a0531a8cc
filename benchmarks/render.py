"""The results as a markdown report and PNG charts (matplotlib, imported only here)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def _num(value: Any, digits: int = 3) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def _pct(value: Any) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def machine_lines(results: dict[str, Any]) -> list[str]:
    env = results["environment"]
    v = env["versions"]
    blas = [p for p in env["blas"] if p.get("user_api") == "blas"]
    kernels = ", ".join(
        f"{p.get('internal_api')} {p.get('version')} kernel {p.get('architecture', '?')} "
        f"({p.get('num_threads')} threads, {Path(str(p.get('filepath'))).name})"
        for p in blas
    )

    def source() -> list[str]:
        git = env.get("git")
        if not git:
            return []
        end = results.get("ffnn_source_digest_end")
        changed = end is not None and end != env.get("ffnn_source_digest")
        state = "changed during the run" if changed else "unchanged during the run"
        return [
            f"- ffnn source: commit {git['commit'][:10]}, {len(git['changed_files'])} file(s) "
            f"of src/ changed since; {state if end else 'not checked at the end'}"
        ]

    def load(value: Any) -> str:
        return _num(value[0], 2) if value else "–"

    variables = ", ".join(f"{k}={val}" for k, val in env["environment_variables"].items())
    return [
        f"- CPU: {env['cpu']}, {env['cpu_count']} logical CPUs ({env['usable_cpus']} usable); "
        f"{env['platform']}",
        f"- Python {v['python']}, NumPy {v['numpy']}, ffnn {v['ffnn']}, scikit-learn "
        f"{v['scikit-learn']}, PyTorch {v['torch']}, threadpoolctl {v['threadpoolctl']}, "
        f"mnist1d {v['mnist1d']}",
        f"- BLAS (threadpoolctl): {kernels or 'unknown'}",
        f"- Threads: {results['threads']} for every library (NumPy/OpenBLAS through "
        "threadpoolctl and `OPENBLAS_NUM_THREADS`/`OMP_NUM_THREADS`, PyTorch through "
        "`torch.set_num_threads`), except the tiny workload: 1",
        f"- BLAS-related environment variables: {variables or 'none set'}",
        f"- Load average (1 min) at start / end: {load(env['load_average'])} / "
        f"{load(results.get('load_average_end'))}",
        *source(),
    ]


def _quiet(contender: dict[str, Any]) -> str:
    return f"{contender.get('quiet_runs', '?')}/{len(contender.get('seconds_all', []))}"


def group_table(group: dict[str, Any]) -> list[str]:
    contenders = group["contenders"]
    large = group["workload"] == "large"
    header = [
        "contender",
        "median s",
        "min–max s",
        "IQR s",
        f"× {group['reference']}",
        "peak MiB",
        "train loss",
        "train acc",
        "test acc",
        "bg CPU",
        "quiet runs",
    ]
    if large:
        header.insert(5, "GFLOP/s")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    reference = contenders.get(group["reference"], {}).get("median_s")
    for label, c in contenders.items():
        if "median_s" not in c:
            error = c["errors"][0].splitlines()[-1] if c["errors"] else "not run"
            lines.append(f"| {label} | failed: {error[:80]} |" + " |" * (len(header) - 2))
            continue
        if c["runner"] == "matmul":
            row = ["–"] * 8 + [_pct(c.get("background_cpu")), _quiet(c)]
            row.insert(0, label)
            row.insert(5, f"{_num(c['step_gflops'])} (step) / {_num(c['square_gflops'])} (2048³)")
            lines.append("| " + " | ".join(row) + " |")
            continue
        row = [
            label + (" ⚠" if c.get("noisy") else ""),
            _num(c["median_s"]),
            f"{_num(c['min_s'])}–{_num(c['max_s'])}",
            _num(c["q3_s"] - c["q1_s"], 2),
            _num(c["median_s"] / reference) if reference else "–",
            _num(c.get("peak_memory_mib"), 3),
            _num(c.get("loss"), 4),
            _pct(c.get("train_accuracy")),
            _pct(c.get("test_accuracy")),
            _pct(c.get("background_cpu")),
            _quiet(c),
        ]
        if large:
            row.insert(5, _num(c.get("gflops")))
        lines.append("| " + " | ".join(row) + " |")
    return lines


def group_section(group: dict[str, Any]) -> list[str]:
    lines = [f"### {group['name']}", "", f"{group['description']}; {group['rounds']} rounds.", ""]
    lines += group_table(group)
    if group["ratios"]:
        shown = ", ".join(
            f"{r['contender']} / {r['peer']} = **{r['ratio']:.2f}**"
            + (" ⚠" if r.get("noisy") else "")
            for r in group["ratios"]
        )
        lines += ["", f"Ratios of medians: {shown}."]
    analysis = group.get("analysis") or {}
    if "fit_seconds_vs_samples" in analysis:
        fit = analysis["fit_seconds_vs_samples"]
        per = ", ".join(f"{n}: {us:.1f}" for n, us in analysis["microseconds_per_sample"].items())
        lines += [
            "",
            f"Linear fit: time = {fit['intercept']:.3f} s + {fit['slope'] * 1e6:.2f} µs "
            f"x samples, R² = {fit['r2']:.4f}; µs per sample by n: {per}; "
            f"{analysis['largest_over_smallest_samples']:.0f}x the samples took "
            f"{analysis['largest_over_smallest_time']:.1f}x the time.",
        ]
    for library in ("ffnn", "sklearn"):
        fit = analysis.get(f"{library}_peak_vs_data")
        if fit:
            lines += [
                "",
                f"{library}: peak memory of a 1-epoch fit = {fit['intercept']:.1f} MiB + "
                f"{fit['slope']:.2f} x data MiB (R² {fit['r2']:.3f}).",
            ]
    if any(c.get("noisy") for c in group["contenders"].values()):
        lines += [
            "",
            "⚠: fewer than 3 quiet runs (other processes kept the CPUs busy): these statistics "
            "include noisy runs and are not to be trusted.",
        ]
    for note in group["notes"]:
        lines += ["", f"Note: {note}"]
    for label, c in group["contenders"].items():
        for note in c.get("notes", []):
            lines += ["", f"Note ({label}): {note}"]
    return lines + [""]


def targets_table(results: dict[str, Any]) -> list[str]:
    lines = ["| workload | target | measured | met |", "|---|---|---|---|"]
    for group in results["groups"]:
        for t in group["targets"]:
            met = {True: "yes", False: "**no**", None: "not measured"}[t["met"]]
            if t.get("noisy") and t["met"] is not None:
                met += " ⚠ noisy"
            value = t["value"]
            shown = _num(value)
            if value is not None:
                shown = {
                    "ratio": f"{value:.2f}x",
                    "ceiling": _pct(value),
                    "accuracy": f"{100 * value:+.1f} points",
                    "memory": f"{value:+.1f} MiB",
                    "memory_flat": f"{value:+.2f} MiB",
                    "memory_copy": f"{value:.2f} MiB/MiB",
                    "linear": f"{value:.2f}",
                }.get(t["check"], shown)
            lines.append(f"| {group['name']} | {t['text']} | {shown} | {met} |")
    return lines


def markdown(results: dict[str, Any]) -> str:
    lines = [
        "# ffnn benchmark results",
        "",
        f"`{results['command']}` — {results['started']}, {results['duration_s'] / 60:.1f} min, "
        f"{results['repeats']} rounds (interleaved)"
        + ("." if results.get("complete", True) else "; stopped early: only the groups below."),
        "",
        *machine_lines(results),
        "",
        "How: " + " ".join(results["method"].values()),
        "",
        "## Targets (issue 5)",
        "",
        *targets_table(results),
        "",
        "## Workloads",
        "",
    ]
    for group in results["groups"]:
        if group.get("skipped"):
            lines += [f"### {group['name']}", "", f"Skipped: {group['skipped']}", ""]
        else:
            lines += group_section(group)
    return "\n".join(lines)


def ratio_chart(results: dict[str, Any], path: Path) -> bool:
    """Horizontal bars of every ffnn/peer ratio (log scale); green where a target is met, red
    where missed, grey where no target applies; a black tick marks the target."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    rows, breaks = [], []
    for group in results["groups"]:
        limits = {(t["contender"], t["peer"]): t for t in group["targets"] if t["check"] == "ratio"}
        if rows and group["ratios"]:
            breaks.append(len(rows))
        for r in group["ratios"]:
            target = limits.get((r["contender"], r["peer"]))
            label = f"{group['name']}: {r['contender']} / {r['peer']}"
            rows.append((label + (" (noisy)" if r.get("noisy") else ""), r["ratio"], target))
    if not rows:
        return False
    from matplotlib.ticker import FuncFormatter, NullFormatter

    fig, ax = plt.subplots(figsize=(9, 0.3 * len(rows) + 1.4))
    y = [len(rows) - 1 - i for i in range(len(rows))]
    colors = ["#9e9e9e" if t is None else "#2e7d32" if t["met"] else "#c62828" for _, _, t in rows]
    bars = ax.barh(y, [r for _, r, _ in rows], color=colors, height=0.7)
    for bar, (label, _, _) in zip(bars, rows, strict=True):
        if label.endswith("(noisy)"):  # statistics that include runs on a busy machine
            bar.set_alpha(0.45)
            bar.set_hatch("///")
    for yi, (_, ratio, target) in zip(y, rows, strict=True):
        right = max(ratio, target["at_most"] if target else 0)  # clear of the tick
        ax.text(right * 1.04, yi, f"{ratio:.2g}", va="center", fontsize=8)
        if target is not None:
            ax.plot([target["at_most"]] * 2, [yi - 0.45, yi + 0.45], color="black", lw=1.5)
    for index in breaks:
        ax.axhline(len(rows) - index - 0.5, color="#cfcfcf", lw=0.8)
    ax.set_yticks(y, [label for label, _, _ in rows], fontsize=8)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_xscale("log")
    low, high = min(r for _, r, _ in rows) * 0.7, max(r for _, r, _ in rows) * 1.6
    ticks = [t for t in (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50) if low <= t <= high]
    ax.set_xticks(ticks)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.axvline(1.0, color="black", lw=0.8, ls="--")
    ax.set_xlabel("time ratio ffnn / peer (medians of interleaved runs; < 1: ffnn faster)")
    ax.set_title(
        "ffnn against its peers: time ratio of medians\n"
        "green: target met, red: missed, grey: no target, black tick: the target, "
        "hatched: noisy",
        fontsize=9,
    )
    ax.set_xlim(low, high)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def scaling_chart(results: dict[str, Any], path: Path) -> bool:
    """Time against samples (with the linear fit) and peak memory against data size."""
    groups = {g["name"]: g for g in results["groups"]}
    samples, memory = groups.get("scaling-samples"), groups.get("scaling-memory")
    if samples is None or memory is None or "fit_seconds_vs_samples" not in samples["analysis"]:
        return False
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
    points = sorted(
        (c["n_samples"], c["median_s"]) for c in samples["contenders"].values() if "median_s" in c
    )
    n, t = zip(*points, strict=True)
    fit = samples["analysis"]["fit_seconds_vs_samples"]
    left.plot(n, t, "o", label="median time")
    left.plot(
        n,
        [fit["intercept"] + fit["slope"] * x for x in n],
        "-",
        label=f"linear fit (R² {fit['r2']:.4f})",
    )
    left.set(xlabel="training samples", ylabel="fit time (s)", title="ffnn: time against samples")
    left.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v / 1000:g}k"))
    left.legend(fontsize=8)
    for library, epochs, style in (("ffnn", 1, "o-"), ("ffnn", 5, "s--"), ("sklearn", 1, "^:")):
        rows = sorted(
            (r["data_mib"], r["peak_memory_mib"])
            for r in memory["analysis"]["rows"]
            if r["library"] == library and r["epochs"] == epochs
        )
        if rows:
            right.plot(*zip(*rows, strict=True), style, label=f"{library}, {epochs} epoch(s)")
    right.set(
        xlabel="training data (MiB)",
        ylabel="peak memory of the fit (MiB)",
        title="peak memory against data size",
    )
    right.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True
