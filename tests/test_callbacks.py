"""Callbacks: each one driven by hand with known logs, then inside a real fit."""

from __future__ import annotations

import csv

import numpy as np
import pytest

import ffnn
from ffnn.callbacks import (
    Callback,
    CSVLogger,
    EarlyStopping,
    LearningRateScheduler,
    ModelCheckpoint,
    ReduceLROnPlateau,
)
from ffnn.schedules import StepDecay


def _model(seed: int = 0) -> ffnn.Sequential:
    return ffnn.Sequential([ffnn.Dense(2, 3), ffnn.Tanh(), ffnn.Dense(3, 1)], random_state=seed)


def _data(n: int = 64, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    return X, (X[:, 0] + X[:, 1] > 0).astype(float)


def _drive(callback: Callback, values: list[float], monitor: str = "val_loss") -> list[int]:
    """Feed one logged value per epoch; the epochs after which training was asked to stop."""
    model = _model()
    model.optimizer = ffnn.SGD(0.1, parameters=model.parameters())
    callback.set_model(model)
    callback.on_train_begin()
    stops = []
    for epoch, value in enumerate(values):
        model.stop_training = False
        callback.on_epoch_begin(epoch)
        callback.on_epoch_end(epoch, {monitor: value})
        if model.stop_training:
            stops.append(epoch)
            break
    callback.on_train_end()
    return stops


def test_early_stopping_waits_patience_epochs_without_improvement() -> None:
    stopper = EarlyStopping(patience=2)
    assert _drive(stopper, [1.0, 0.9, 0.95, 0.93, 0.8]) == [3]  # 0.8 comes too late
    assert stopper.best == 0.9 and stopper.best_epoch == 1 and stopper.stopped_epoch == 3


def test_early_stopping_min_delta_counts_small_gains_as_none() -> None:
    assert _drive(EarlyStopping(patience=1, min_delta=0.05), [1.0, 0.97, 0.96]) == [1]


def test_early_stopping_maximises_accuracies_in_auto_mode() -> None:
    stopper = EarlyStopping(monitor="val_accuracy", patience=1)
    assert _drive(stopper, [0.5, 0.7, 0.6], monitor="val_accuracy") == [2]
    assert stopper.best == 0.7


def test_early_stopping_names_the_missing_quantity() -> None:
    with pytest.raises(ValueError, match="monitors 'val_loss'.*records: loss"):
        _drive(EarlyStopping(), [1.0], monitor="loss")


def test_early_stopping_restores_the_best_epochs_weights_after_fit() -> None:
    X, y = _data()
    model = _model()
    snapshots: list[list[np.ndarray]] = []

    class Snapshot(Callback):
        def on_epoch_end(self, epoch, logs=None):
            snapshots.append(model.get_weights())

    stopper = EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True)
    history = model.fit(
        X,
        y,
        loss="bce",
        optimizer=ffnn.SGD(3.0),
        epochs=40,
        batch_size=8,
        validation_data=(X[:16] + 0.5, 1 - y[:16]),
        callbacks=[Snapshot(), stopper],
    )
    best = int(np.argmin(history["val_loss"]))
    assert stopper.best_epoch == best
    for restored, saved in zip(model.get_weights(), snapshots[best], strict=True):
        np.testing.assert_array_equal(restored, saved)
    assert model.evaluate(X[:16] + 0.5, 1 - y[:16]) == pytest.approx(min(history["val_loss"]))


def test_reduce_lr_on_plateau_cuts_the_rate_after_patience_then_cools_down() -> None:
    # Keras' bookkeeping: a cut resets the wait; a cooldown epoch only resets it again
    reducer = ReduceLROnPlateau(factor=0.5, patience=2, cooldown=1, min_lr=0.02)
    model = _model()
    model.optimizer = ffnn.SGD(0.1, parameters=model.parameters())
    reducer.set_model(model)
    reducer.on_train_begin()
    rates = []
    for epoch, value in enumerate([1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]):
        reducer.on_epoch_end(epoch, {"val_loss": value})
        rates.append(model.optimizer.learning_rate)
    assert rates == pytest.approx([0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.02, 0.02])
    for epoch in range(8, 20):
        reducer.on_epoch_end(epoch, {"val_loss": 1.0})
    assert model.optimizer.learning_rate == pytest.approx(0.02)  # floored at min_lr


def test_learning_rate_scheduler_sets_the_rate_each_epoch_and_logs_it() -> None:
    X, y = _data()
    model = _model()
    seen = []

    class Spy(Callback):
        def on_batch_end(self, batch, logs=None):
            seen.append(model.optimizer.learning_rate)

    history = model.fit(
        X,
        y,
        loss="bce",
        optimizer=ffnn.SGD(1.0),
        epochs=4,
        batch_size=None,
        callbacks=[LearningRateScheduler(StepDecay(0.4, step_size=2, gamma=0.5)), Spy()],
    )
    assert seen == pytest.approx([0.4, 0.4, 0.2, 0.2])
    assert history["learning_rate"] == pytest.approx([0.4, 0.4, 0.2, 0.2])


def test_learning_rate_scheduler_accepts_a_keras_style_function() -> None:
    X, y = _data()
    model = _model()
    history = model.fit(
        X,
        y,
        loss="bce",
        optimizer=ffnn.SGD(1.0),
        epochs=3,
        batch_size=None,
        callbacks=[LearningRateScheduler(lambda epoch, lr: lr * 0.5)],
    )
    assert history["learning_rate"] == pytest.approx([0.5, 0.25, 0.125])


def test_csv_logger_writes_a_header_and_one_row_per_epoch(tmp_path) -> None:
    X, y = _data()
    path = tmp_path / "log.csv"
    model = _model()
    history = model.fit(
        X,
        y,
        loss="bce",
        optimizer=ffnn.SGD(0.5),
        epochs=3,
        metrics=["accuracy"],
        validation_split=0.25,
        callbacks=[CSVLogger(path)],
    )
    rows = list(csv.reader(path.open()))
    assert rows[0] == ["epoch", "loss", "accuracy", "val_loss", "val_accuracy"]
    assert [int(r[0]) for r in rows[1:]] == [0, 1, 2]
    np.testing.assert_allclose([float(r[1]) for r in rows[1:]], history["loss"], rtol=1e-12)
    model.fit(X, y, epochs=2, validation_split=0.25, callbacks=[CSVLogger(path, append=True)])
    assert len(list(csv.reader(path.open()))) == 6  # one header, five epochs


def test_model_checkpoint_saves_every_epoch_or_only_improvements(tmp_path) -> None:
    X, y = _data()
    X_val, y_val = _data(n=16, seed=1)
    model = _model()
    every = ModelCheckpoint(tmp_path / "epoch-{epoch:02d}.ffnn", save_best_only=False)
    best = ModelCheckpoint(tmp_path / "best.ffnn", monitor="val_loss", save_best_only=True)
    # full batches and a large step: deterministic, and the validation loss goes up and down
    history = model.fit(
        X,
        y,
        loss="bce",
        optimizer=ffnn.SGD(10.0),
        epochs=6,
        batch_size=None,
        validation_data=(X_val, y_val),
        callbacks=[every, best],
    )
    assert sorted(p.name for p in tmp_path.glob("epoch-*.ffnn")) == [
        f"epoch-0{i}.ffnn" for i in range(1, 7)
    ]
    last = ffnn.io.load(tmp_path / "epoch-06.ffnn")
    np.testing.assert_array_equal(last.predict_proba(X), model.predict_proba(X))

    best_epoch = int(np.argmin(history["val_loss"]))
    assert best_epoch < 5, f"the best epoch must not be the last: {history['val_loss']}"
    restored = ffnn.io.load(tmp_path / "best.ffnn")
    # the best file holds the best epoch's weights, not the last epoch's ...
    that_epoch = ffnn.io.load(tmp_path / f"epoch-{best_epoch + 1:02d}.ffnn")
    for saved, expected in zip(restored.get_weights(), that_epoch.get_weights(), strict=True):
        np.testing.assert_array_equal(saved, expected)
    assert not np.array_equal(restored.predict_proba(X), model.predict_proba(X))
    # ... and evaluates to the validation loss that epoch reported
    assert restored.evaluate(X_val, y_val) == pytest.approx(min(history["val_loss"]), rel=1e-6)
    assert best.last_saved == str(tmp_path / "best.ffnn")
    assert min(history["val_loss"]) == pytest.approx(best._tracker.best)


def test_callbacks_see_the_hooks_in_order() -> None:
    X, y = _data(n=8)
    calls: list[str] = []

    class Order(Callback):
        def on_train_begin(self, logs=None):
            calls.append("train_begin")

        def on_epoch_begin(self, epoch, logs=None):
            calls.append(f"epoch_begin {epoch}")

        def on_batch_end(self, batch, logs=None):
            calls.append(f"batch_end {batch}")

        def on_epoch_end(self, epoch, logs=None):
            calls.append(f"epoch_end {epoch}")

        def on_train_end(self, logs=None):
            calls.append("train_end")

    _model().fit(X, y, loss="bce", epochs=2, batch_size=4, callbacks=[Order()])
    assert calls == [
        "train_begin",
        "epoch_begin 0",
        "batch_end 0",
        "batch_end 1",
        "epoch_end 0",
        "epoch_begin 1",
        "batch_end 0",
        "batch_end 1",
        "epoch_end 1",
        "train_end",
    ]
