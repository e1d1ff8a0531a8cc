"""The playground's two speed targets, measured in headless Chromium (issue 15, item 4).

``python -m benchmarks.playground [--seconds 5] [--repeats 3] [--out playground.json]``

(a) Frames a second: the page with the tutorial preset (the tutorial's 300 blobs, 2-4-1) plays
for ``--seconds``; the frames it drew (``window.ffnnPlayground.framesDrawn``) over the wall time.
Target: at least 20.
(b) Training speed: the run's optimizer steps over the same time (``RUN.step`` from the server),
against ``Sequential.fit`` at the same settings (the tutorial network, full batch, SGD 0.1, binary
cross-entropy) timed in this process; the ratio. Target: at least 0.5.

Each figure is the median of ``--repeats`` runs. The server runs in a thread of this process,
as the tests run it (tests/browser.py); Chromium is Debian's, through its chromedriver.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.environment import collect
from tests.browser import chromium, js, open_page, playground_server, wait_js, wait_until

FPS_TARGET = 20.0
RATIO_TARGET = 0.5


def _click(driver: Any, element_id: str) -> None:
    driver.find_element("id", element_id).click()


def page_run(driver: Any, server: Any, seconds: float) -> dict[str, float]:
    """One play of the tutorial preset for ``seconds``: frames drawn and steps taken."""
    open_page(driver, server.url)
    _click(driver, "preset-tutorial")
    wait_js(
        driver,
        "(f => f && f.step === 0 && Math.abs(f.train_loss - 0.693156) < 1e-6)"
        "(window.ffnnPlayground.lastFrame)",
        "the tutorial preset never loaded",
    )
    frames0 = js(driver, "window.ffnnPlayground.framesDrawn")
    start = time.perf_counter()
    _click(driver, "play-pause")
    wait_until(
        driver, lambda d: server.api("/api/state")["run"]["state"] == "playing", "never played"
    )
    time.sleep(seconds)  # the measured span: the page and the server run on their own
    frames1 = js(driver, "window.ffnnPlayground.framesDrawn")
    step = server.api("/api/state")["run"]["step"]
    elapsed = time.perf_counter() - start
    _click(driver, "play-pause")
    wait_until(
        driver, lambda d: server.api("/api/state")["run"]["state"] == "paused", "never paused"
    )
    return {
        "seconds": elapsed,
        "frames": frames1 - frames0,
        "steps": step,
        "fps": (frames1 - frames0) / elapsed,
        "steps_per_second": step / elapsed,
    }


def fit_steps_per_second(steps: int) -> float:
    """``Sequential.fit`` on the tutorial's data and network, full batch, SGD 0.1: steps/s."""
    from ffnn.datasets import tutorial_blobs
    from ffnn.optimizers import SGD
    from ffnn.tutorial import tutorial_network

    X, y = tutorial_blobs()
    X = X.astype(np.float64)
    y = y.astype(np.float64)
    tutorial_network().fit(X, y, loss="binary_cross_entropy", optimizer=SGD(0.1), epochs=20)
    model = tutorial_network()
    start = time.perf_counter()
    model.fit(
        X,
        y,
        loss="binary_cross_entropy",
        optimizer=SGD(0.1),
        epochs=steps,
        batch_size=None,
        shuffle=False,
    )
    return steps / (time.perf_counter() - start)


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.playground", description=__doc__.split("\n\n")[1]
    )
    parser.add_argument("--seconds", type=float, default=5.0, help="play time per run (5)")
    parser.add_argument("--repeats", type=int, default=3, help="runs; medians are reported (3)")
    parser.add_argument("--fit-steps", type=int, default=20000, help="steps of each fit (20000)")
    parser.add_argument("--out", type=Path, help="write the results as JSON here")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = _parse(argv)
    load_before = os.getloadavg()
    runs: list[dict[str, float]] = []
    fits: list[float] = []
    with playground_server() as server, chromium() as driver:
        page_run(driver, server, 1.0)  # warm-up: the browser's caches, the server's imports
        for _ in range(args.repeats):
            runs.append(page_run(driver, server, args.seconds))
            fits.append(fit_steps_per_second(args.fit_steps))
    fps = statistics.median(r["fps"] for r in runs)
    page_speed = statistics.median(r["steps_per_second"] for r in runs)
    fit_speed = statistics.median(fits)
    results = {
        "benchmark": "playground",
        "settings": {
            "data": "the tutorial's blobs, 300 points, all for training",
            "network": "2-4-1 relu, sigmoid output, binary cross-entropy, full batch, SGD 0.1",
            "seconds": args.seconds,
            "repeats": args.repeats,
            "fit_steps": args.fit_steps,
        },
        "runs": runs,
        "fit_steps_per_second": fits,
        "median": {
            "fps": fps,
            "page_steps_per_second": page_speed,
            "fit_steps_per_second": fit_speed,
            "ratio": page_speed / fit_speed,
        },
        "targets": {"fps": FPS_TARGET, "ratio": RATIO_TARGET},
        "load_average": {"before": load_before, "after": os.getloadavg()},
        "environment": collect(),
    }
    rows = [
        ("boundary frames a second (page)", f"{fps:.1f}", f">= {FPS_TARGET:g}"),
        ("steps a second, playing in the page", f"{page_speed:.0f}", ""),
        ("steps a second, Sequential.fit", f"{fit_speed:.0f}", ""),
        ("page / fit", f"{page_speed / fit_speed:.2f}", f">= {RATIO_TARGET:g}"),
    ]
    for run, fit in zip(runs, fits, strict=True):
        print(
            f"run: {run['fps']:.1f} frames/s, {run['steps_per_second']:.0f} steps/s in the page, "
            f"{fit:.0f} steps/s with fit"
        )
    print(f"load average (1 min) before and after: {load_before[0]:.1f}, {os.getloadavg()[0]:.1f}")
    print(f"| measure (median of {args.repeats} runs of {args.seconds:g} s) | value | target |")
    print("| --- | ---: | --- |")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    if args.out is not None:
        args.out.write_text(json.dumps(results, indent=2) + "\n")
        print(f"wrote {args.out}")
    return results


if __name__ == "__main__":
    main()
