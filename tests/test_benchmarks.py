"""The benchmark suite runs end to end (tiny sizes) and writes what it promises; no speed is
asserted here: the numbers live in docs/performance.md."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("sklearn")
pytest.importorskip("threadpoolctl")

ROOT = Path(__file__).resolve().parents[1]


def test_quick_run_writes_json_markdown_and_chart_with_every_key(tmp_path):
    command = [
        sys.executable,
        "-m",
        "benchmarks.run",
        "--quick",
        "--repeats",
        "1",
        "--workloads",
        "tiny",
        "--quiet-threshold",
        "1",
        "--out",
        str(tmp_path),
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr

    results = json.loads((tmp_path / "results.json").read_text())
    for key in ("command", "duration_s", "repeats", "threads", "method", "environment", "groups"):
        assert key in results
    assert {"numpy", "ffnn", "scikit-learn", "torch", "python"} <= set(
        results["environment"]["versions"]
    )
    assert any(pool.get("user_api") == "blas" for pool in results["environment"]["blas"])
    (tiny,) = results["groups"]
    assert tiny["name"] == "tiny" and tiny["reference"] == "tutorial loop"
    labels = {"tutorial loop", "ffnn.tutorial.train", "ffnn Sequential.fit", "scikit-learn"}
    assert labels <= set(tiny["contenders"])
    for label, contender in tiny["contenders"].items():
        assert contender["errors"] == [], (label, contender["errors"])
        assert len(contender["seconds"]) == 1
        for key in ("median_s", "min_s", "max_s", "peak_memory_mib", "loss", "test_accuracy"):
            assert key in contender, (label, key)
    # the tutorial's paths reach the tutorial's accuracy on its own data
    assert tiny["contenders"]["ffnn.tutorial.train"]["train_accuracy"] == 1.0
    assert {r["contender"] for r in tiny["ratios"]} >= {
        "ffnn.tutorial.train",
        "ffnn Sequential.fit",
    }
    # each target's verdict is the comparison of what was measured with the target
    from benchmarks.workloads import ACCURACY_TOLERANCE

    contenders = tiny["contenders"]
    assert {t["check"] for t in tiny["targets"]} == {"ratio", "accuracy"}
    for t in tiny["targets"]:
        mine, peer = contenders[t["contender"]], contenders[t["peer"]]
        if t["check"] == "ratio":
            ratio = mine["median_s"] / peer["median_s"]
            assert t["value"] == pytest.approx(ratio, rel=1e-12)
            assert t["met"] is (ratio <= t["at_most"]), t
        else:
            a, b = mine["test_accuracy"], peer["test_accuracy"]
            assert t["value"] == pytest.approx(a - b, abs=1e-12)
            assert t["met"] is (a >= b - ACCURACY_TOLERANCE), t
    assert "| tutorial loop |" in (tmp_path / "results.md").read_text()
    assert (tmp_path / "ratios.png").stat().st_size > 0


def test_products_share_times_the_products_and_both_estimators(capsys):
    from benchmarks import products_share

    medians = products_share.main(["--epochs", "1", "--repeats", "1", "--dtype", "float32"])
    assert set(medians) == {
        "matrix products only",
        "ffnn.MLPClassifier",
        "scikit-learn MLPClassifier",
    }
    assert all(seconds > 0 for seconds in medians.values())
    out = capsys.readouterr().out
    assert out.startswith("100 steps (1 epochs), float32, 1 thread, CPU seconds:")
    assert "1.00x scikit-learn" in out
