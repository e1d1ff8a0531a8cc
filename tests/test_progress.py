"""What ``fit(verbose=1)`` shows (ffnn.training.progress): one tqdm line for the whole run on a
terminal, plain lines every few epochs elsewhere; ``verbose=2`` one line per epoch."""

from __future__ import annotations

import io
import math
import os

import numpy as np
import pytest

import ffnn
from ffnn.training.progress import plain_number, terminal_width


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def _data() -> tuple[np.ndarray, np.ndarray]:
    X = np.random.default_rng(0).normal(size=(60, 2))
    return X, (X[:, 0] + X[:, 1] > 0).astype(float)


def _fit(monkeypatch, stream: io.StringIO, **kwargs) -> ffnn.History:
    X, y = _data()
    model = ffnn.Sequential(
        [ffnn.Dense(2, 8), ffnn.Tanh(), ffnn.Dense(8, 1)], dtype="float64", random_state=0
    )
    monkeypatch.setattr("sys.stderr", stream)
    options = {"loss": "bce", "optimizer": ffnn.Adam(0.05), "batch_size": 16, "verbose": 1}
    return model.fit(X, y, **{**options, **kwargs})


def _stopper() -> ffnn.EarlyStopping:
    # nothing improves by 1e9: the run stops after the first epoch and 3 more
    return ffnn.EarlyStopping("loss", min_delta=1e9, patience=3)


def _segments(text: str) -> list[str]:
    """What a terminal showed in turn: the text between carriage returns."""
    return [part.rstrip("\n").rstrip() for part in text.split("\r") if part.strip()]


def _expected_line(history: ffnn.History, position: int, epochs: int) -> str:
    values = " - ".join(f"{name} {history[name][position]:.4f}" for name in history.history)
    return f"Epoch {history.epoch[position] + 1}/{epochs} - {values}"


# -- on a terminal --------------------------------------------------------------------------------
def test_terminal_one_line_for_the_run_ending_at_the_last_epoch_with_the_loss(
    monkeypatch, capsys
) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    stream = Terminal()
    history = _fit(monkeypatch, stream, epochs=30, metrics=["accuracy"], validation_split=0.2)
    text = stream.getvalue()
    assert text.count("\n") == 1 and text.endswith("\n")  # one line kept, not one per epoch
    final = _segments(text)[-1]
    assert final.startswith("Epoch 30/30 |")  # counts epochs, not batches
    assert f"loss {history['loss'][-1]:.4g}" in final
    assert all(len(segment) <= 60 for segment in _segments(text))
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(
    ("columns", "shown", "left_out"),
    [
        (60, ["loss"], ["val_loss", "accuracy"]),
        (80, ["loss", "val_loss"], ["accuracy"]),
        (140, ["loss", "val_loss", "accuracy", "val_accuracy"], []),
    ],
)
def test_terminal_postfix_holds_what_the_width_allows_loss_then_val_loss(
    monkeypatch, columns, shown, left_out
) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    stream = Terminal()
    history = _fit(monkeypatch, stream, epochs=12, metrics=["accuracy"], validation_split=0.2)
    final = _segments(stream.getvalue())[-1]
    for name in shown:
        assert f" {name} {history[name][-1]:.4g}" in final
    for name in left_out:
        assert f" {name} " not in final
    assert all(len(segment) <= columns for segment in _segments(stream.getvalue()))


def test_terminal_early_stop_closes_the_bar_where_it_stopped(monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    stream = Terminal()
    history = _fit(monkeypatch, stream, epochs=100, callbacks=[_stopper()])
    assert history.stopped_by == "callback" and history.epoch == [0, 1, 2, 3]
    text = stream.getvalue()
    assert text.count("\n") == 1
    final = _segments(text)[-1]
    assert final.startswith("Epoch 4/100 |") and f"loss {history['loss'][-1]:.4g}" in final


# -- not a terminal -------------------------------------------------------------------------------
def test_piped_plain_lines_for_the_first_every_kth_and_last_epoch(monkeypatch) -> None:
    stream = io.StringIO()
    history = _fit(monkeypatch, stream, epochs=25, metrics=["accuracy"], validation_split=0.2)
    lines = stream.getvalue().splitlines()
    shown = [1, 3, 6, 9, 12, 15, 18, 21, 24, 25]  # k = ceil(25 / 10) = 3
    assert lines == [_expected_line(history, epoch - 1, 25) for epoch in shown]
    assert lines[0].startswith("Epoch 1/25 - loss 0.") and " - val_accuracy " in lines[0]
    assert "\r" not in stream.getvalue() and "|" not in stream.getvalue()  # no bar


@pytest.mark.parametrize(("epochs", "lines"), [(1, 1), (7, 7), (10, 10), (11, 7), (200, 11)])
def test_piped_run_prints_about_ten_lines(monkeypatch, epochs, lines) -> None:
    stream = io.StringIO()
    _fit(monkeypatch, stream, epochs=epochs, batch_size=None)
    printed = stream.getvalue().splitlines()
    k = max(1, math.ceil(epochs / 10))
    assert len(printed) == lines == len({1, epochs, *range(k, epochs + 1, k)})
    assert printed[-1].startswith(f"Epoch {epochs}/{epochs} - loss ")


def test_piped_early_stop_ends_with_the_stopped_epoch(monkeypatch) -> None:
    stream = io.StringIO()
    history = _fit(monkeypatch, stream, epochs=100, callbacks=[_stopper()])
    assert history.epoch == [0, 1, 2, 3]
    lines = stream.getvalue().splitlines()
    assert lines == [_expected_line(history, 0, 100), _expected_line(history, 3, 100)]


def test_piped_resumed_run_starts_at_its_first_epoch(monkeypatch) -> None:
    stream = io.StringIO()
    history = _fit(monkeypatch, stream, epochs=20, initial_epoch=5)
    heads = [line.split(" - ")[0] for line in stream.getvalue().splitlines()]
    # 15 epochs run: k = 2, from epoch 6
    assert heads == ["Epoch 6/20", *(f"Epoch {e}/20" for e in range(8, 21, 2))]
    assert history.epoch[0] == 5


def test_piped_interrupt_shows_the_last_epoch_before_the_message(monkeypatch) -> None:
    class Interrupt(ffnn.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 4:
                raise KeyboardInterrupt

    stream = io.StringIO()
    history = _fit(monkeypatch, stream, epochs=50, callbacks=[Interrupt()])
    assert history.stopped_by == "interrupt"
    lines = stream.getvalue().splitlines()
    assert [line.split(" - ")[0] for line in lines[:2]] == ["Epoch 1/50", "Epoch 5/50"]
    assert lines[2].startswith("Training interrupted (Ctrl-C) in epoch 5")


def test_verbose_0_shows_nothing_and_2_every_epoch_on_stdout(monkeypatch, capsys) -> None:
    stream = io.StringIO()
    _fit(monkeypatch, stream, epochs=3, verbose=0)
    assert stream.getvalue() == "" and capsys.readouterr().out == ""
    history = _fit(monkeypatch, stream, epochs=3, verbose=2)
    assert stream.getvalue() == ""
    assert capsys.readouterr().out.splitlines() == [
        f"Epoch {e + 1}/3 - loss: {history['loss'][e]:.4f}" for e in range(3)
    ]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.0, "0.0000"),
        (0.12345, "0.1235"),
        (0.001, "0.0010"),
        (1234.5, "1234.5000"),
        (1.23456e-5, "1.2346e-05"),
        (-2.5e7, "-2.5000e+07"),
        (float("inf"), "inf"),
        (float("nan"), "nan"),
    ],
)
def test_plain_number(value, text) -> None:
    assert plain_number(value) == text


class SizedTerminal(Terminal):
    def fileno(self) -> int:
        return 2


@pytest.mark.parametrize(("reported", "expected"), [(55, 55), (0, 80)])
def test_terminal_width_from_the_terminal_and_80_when_it_reports_no_size(
    monkeypatch, reported, expected
) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    size = os.terminal_size((reported, 0))
    monkeypatch.setattr("os.get_terminal_size", lambda fd=1: size)
    assert terminal_width(SizedTerminal()) == expected
    monkeypatch.setenv("COLUMNS", "66")  # COLUMNS first, as shutil.get_terminal_size
    assert terminal_width(SizedTerminal()) == 66


def test_terminal_that_reports_no_size_still_shows_the_bar(monkeypatch) -> None:
    # a pseudo-terminal nobody sized (script, some containers) reports 0 x 0; tqdm then
    # asks for 0 columns and -1 rows, and would show nothing at all
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.setattr("os.get_terminal_size", lambda fd=1: os.terminal_size((0, 0)))
    monkeypatch.setattr("tqdm.std._screen_shape_wrapper", lambda: lambda fp: (0, -1))
    stream = SizedTerminal()
    history = _fit(monkeypatch, stream, epochs=3)
    final = _segments(stream.getvalue())[-1]
    assert final.startswith("Epoch 3/3 |") and f"loss {history['loss'][-1]:.4g}" in final
    assert len(final) <= 80
