"""``ffnn train`` with its output not on a terminal: plain progress lines, no tqdm bar."""

from __future__ import annotations

import csv
import re

import numpy as np

from ffnn.cli import main


def test_train_piped_prints_plain_epoch_lines_and_no_bar(tmp_path, capsys) -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 2))
    path = tmp_path / "numbers.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["a", "b", "y"])
        writer.writerows([[f"{a:.4f}", f"{b:.4f}", f"{a - 2 * b:.4f}"] for a, b in X])
    argv = ["train", str(path), "--target", "y", "--epochs", "12", "--out", str(tmp_path / "m")]
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert "\r" not in err and "|" not in err and "it/s" not in err  # no tqdm bar text
    lines = [line for line in err.splitlines() if line.startswith("Epoch ")]
    # k = ceil(12 / 10) = 2: the first epoch, every second one, the last
    assert [line.split(" - ")[0] for line in lines] == [
        f"Epoch {e}/12" for e in (1, 2, 4, 6, 8, 10, 12)
    ]
    number = r"-?\d+\.\d{4}(e[+-]\d+)?"
    line_format = rf"Epoch \d+/12 - loss {number}( - \w+ {number})*"
    assert all(re.fullmatch(line_format, line) and " - val_loss " in line for line in lines)
