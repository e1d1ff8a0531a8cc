"""The playground's session: the settings, the data, the network and its one training run.

The run is always one training of the current settings from step 0: a change of the data or
network settings (or "reset") stops the training thread and builds the data and the network
again (same seeds: the same points and initial weights). What the page asks for goes through
the methods here; the server only turns HTTP into calls and JSON.
"""

from __future__ import annotations

import io
import os
import secrets
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from ffnn.csvdata import DataError, Table
from ffnn.glassbox import explain_step
from ffnn.io import save
from ffnn.losses import get as get_loss
from ffnn.playground.config import (
    DEFAULT_CONFIG,
    ConfigError,
    merge_config,
    tutorial_config,
)
from ffnn.playground.data import Dataset, make_data, table_data
from ffnn.playground.export import export_script
from ffnn.playground.frame import compute_frame, json_numbers, measure
from ffnn.playground.network import build_model, loss_name, make_optimizer
from ffnn.playground.trainer import Trainer
from ffnn.playground.upload import column_kinds, read_upload, safe_name

__all__ = ["MAX_UPLOADS", "Session"]

#: uploaded tables kept in memory (the oldest is forgotten first, never the one in use)
MAX_UPLOADS = 4


class Session:
    """One playground: its settings (CONFIG), data, network and training run."""

    def __init__(self) -> None:
        self.lock = threading.RLock()  # one change of settings at a time
        self.frame_lock = threading.Lock()  # the frame network is used by one request at a time
        self.uploads: dict[str, tuple[str, Table]] = {}
        self.config: dict[str, Any] = merge_config(DEFAULT_CONFIG, {})
        self.trainer: Trainer | None = None
        self._build(self.config)

    # -- building -----------------------------------------------------------------------
    def _dataset(self, config: dict[str, Any]) -> Dataset:
        data = config["data"]
        if data["kind"] != "csv":
            return make_data(
                data["kind"],
                n_points=data["n_points"],
                noise=data["noise"],
                test_ratio=data["test_ratio"],
                seed=data["seed"],
                classes=data["classes"],
            )
        if data["upload"] not in self.uploads:
            raise ConfigError(
                f"no uploaded file {data['upload']!r}: upload a CSV file first", "no_upload"
            )
        if not data["target"]:
            raise ConfigError("data.target: choose the column to predict", "no_target")
        _, table = self.uploads[data["upload"]]
        return table_data(
            table,
            data["target"],
            data["features"],
            data["shown"],
            test_ratio=data["test_ratio"],
            seed=data["seed"],
        )

    def _build(self, config: dict[str, Any]) -> None:
        """Build the data and network of ``config`` and a new run at step 0 (any error before
        the old run is stopped: bad settings leave the session as it was)."""
        try:
            dataset = self._dataset(config)
        except DataError as error:
            raise ConfigError(str(error), "bad_data") from None
        network = config["network"]
        loss = loss_name(network, dataset.task)
        n_in = dataset.X_train.shape[1]
        model = build_model(network, n_in, dataset.n_outputs)
        if self.trainer is not None:
            self.trainer.stop()
        self.config, self.dataset, self.model, self.loss = config, dataset, model, loss
        self.frame_model = build_model(network, n_in, dataset.n_outputs)
        self.frame_loss = get_loss(loss)
        self.targets = (
            dataset.targets(dataset.y_train),
            dataset.targets(dataset.y_test),
        )
        n_train = dataset.X_train.shape[0]
        batch = network["batch_size"] or n_train
        measure_loss = get_loss(loss)
        self.trainer = Trainer(
            model,
            dataset.X_train,
            self.targets[0],
            {"loss": loss, "optimizer": make_optimizer(network), "batch_size": batch},
            lambda: measure(model, measure_loss, dataset, self.targets),
            -(-n_train // batch),
        )

    # -- the API ------------------------------------------------------------------------
    def run_state(self) -> dict[str, Any]:
        assert self.trainer is not None
        return self.trainer.run_state()

    def data_state(self) -> dict[str, Any]:
        d = self.dataset

        def points(X: np.ndarray, y: np.ndarray) -> dict[str, Any]:
            return {"x": json_numbers(X[:, list(d.shown)], 5), "y": json_numbers(y, 6)}

        return {
            "task": d.task,
            "classes": [c if isinstance(c, int | float | str) else str(c) for c in d.classes],
            "x_name": d.x_name,
            "y_name": d.y_name,
            "train": points(d.X_train, d.y_train),
            "test": points(d.X_test, d.y_test),
            "extent": d.extent,
            "loss": self.loss,
        }

    def state(self) -> dict[str, Any]:
        with self.lock:
            return {
                "config": self.config,
                "run": self.run_state(),
                "data": self.data_state(),
                "frame": self.frame(),
            }

    def set_config(self, patch: Any) -> dict[str, Any]:
        with self.lock:
            config = merge_config(self.config, patch)
            if config["data"] != self.config["data"] or config["network"] != self.config["network"]:
                self._build(config)
            else:
                self.config = config
            return self.state()

    def preset(self, name: Any) -> dict[str, Any]:
        if name != "tutorial":
            raise ConfigError(f"no preset {name!r}; the presets: tutorial", "unknown_preset")
        with self.lock:
            config = tutorial_config()
            config["language"] = self.config["language"]
            self._build(merge_config(DEFAULT_CONFIG, config))
            return self.state()

    def run(self, action: Any) -> dict[str, Any]:
        with self.lock:
            trainer = self.trainer
            assert trainer is not None
            if action == "play":
                trainer.play()
            elif action == "pause":
                trainer.pause()
            elif action == "step":
                trainer.one_step()
            elif action == "reset":
                self._build(self.config)
            else:
                raise ConfigError(
                    f"action must be play, pause, step or reset; got {action!r}", "unknown_action"
                )
            return {"run": self.run_state()}

    def weights(self) -> tuple[np.ndarray, dict[str, Any], Any]:
        """A copy of the weights (one flat array) with the run and the curve of that moment."""
        trainer = self.trainer
        assert trainer is not None
        with trainer.lock:
            flat = self.model.flat_parameter().data.copy()
            run = trainer.run_state()
            curve = trainer.curve.copy()
        return flat, run, curve

    @contextmanager
    def stepping_aside(self) -> Iterator[None]:
        """The training thread waits between steps while inside (:meth:`Trainer.stepping_aside`)."""
        with self.lock:
            trainer = self.trainer
        assert trainer is not None
        with trainer.stepping_aside():
            yield

    def frame(self) -> dict[str, Any]:
        with self.lock:
            flat, run, curve = self.weights()
            dataset, model, loss, targets = (
                self.dataset,
                self.frame_model,
                self.frame_loss,
                self.targets,
            )
        with self.frame_lock:
            model.flat_parameter().data[...] = flat
            return compute_frame(model, loss, dataset, targets, run, curve)

    def _model_now(self) -> Any:
        """A new network of the current settings holding the run's weights of this moment."""
        with self.lock:
            flat, run, _ = self.weights()
            model = build_model(
                self.config["network"], self.dataset.X_train.shape[1], self.dataset.n_outputs
            )
            model.flat_parameter().data[...] = flat
            model.loss = get_loss(self.loss)
            model.epochs_trained = run["epoch"]
        return model

    def explain(self) -> dict[str, Any]:
        """The glass box of the next step: full batch on the training points, not applied."""
        model = self._model_now()
        with self.lock:
            dataset, loss, rate = self.dataset, self.loss, self.config["network"]["learning_rate"]
            step = self.run_state()["step"]
        text = io.StringIO()
        with np.errstate(all="ignore"):
            trace = explain_step(
                model,
                dataset.X_train,
                dataset.targets(dataset.y_train),
                loss,
                rate,
                update=False,
                file=text,
            )
        arrays = {
            name: json_numbers(values, 6)
            for name, values in {**trace.parameters, **trace.gradients}.items()
        }
        loss_value = trace.loss if np.isfinite(trace.loss) else None  # JSON has no NaN
        return {"text": text.getvalue(), "arrays": arrays, "step": step, "loss": loss_value}

    def upload(self, data: bytes, name: str) -> dict[str, Any]:
        name = safe_name(name)
        table = read_upload(data, name)
        upload_id = secrets.token_hex(8)
        with self.lock:
            self.uploads[upload_id] = (name, table)
            in_use = self.config["data"]["upload"] if self.config["data"]["kind"] == "csv" else None
            for old in [key for key in self.uploads if key not in (in_use, upload_id)]:
                if len(self.uploads) <= MAX_UPLOADS:
                    break
                del self.uploads[old]
        return {
            "upload": {
                "id": upload_id,
                "name": name,
                "rows": table.n_rows,
                "columns": column_kinds(table),
            }
        }

    def export_script(self) -> str:
        with self.lock:
            data = self.config["data"]
            file_name = self.uploads[data["upload"]][0] if data["kind"] == "csv" else None
            d = self.dataset
            return export_script(
                self.config,
                self.loss,
                self.run_state()["step"],
                file_name,
                d.X_train.shape[1],
                d.n_outputs,
                d.X_train.shape[0],
            )

    def export_model(self) -> bytes:
        """The ffnn model file of the network as it is now, written in a temporary folder that
        is removed before returning."""
        model = self._model_now()
        with tempfile.TemporaryDirectory(prefix="ffnn-playground-") as folder:
            path = os.path.join(folder, "playground.ffnn")
            save(model, path)
            with open(path, "rb") as stream:
                return stream.read()

    def close(self) -> None:
        if self.trainer is not None:
            self.trainer.stop()
