"""The playground's server, over HTTP with urllib: its API, its safety rules, the tutorial's
losses, and the exported script, run in a subprocess, reproducing the run exactly."""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import ffnn
from ffnn import tutorial
from ffnn.cli import main
from ffnn.datasets import tutorial_blobs
from ffnn.playground import PlaygroundServer, serve
from ffnn.playground import server as server_module
from ffnn.playground import trainer as trainer_module
from ffnn.playground.upload import MAX_UPLOAD_BYTES

SRC = str(Path(ffnn.__file__).resolve().parent.parent)


@pytest.fixture
def server():
    playground = serve(port=0)
    yield playground
    playground.shutdown()


def request(
    server: PlaygroundServer,
    path: str,
    body: Any = None,
    *,
    method: str | None = None,
    token: str | None = "header",
    headers: dict[str, str] | None = None,
    raw: bytes | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """``(status, headers, body)`` of one request; the token in the header by default."""
    url = f"http://127.0.0.1:{server.port}{path}"
    sent = dict(headers or {})
    if token == "header":
        sent["X-FFNN-Token"] = server.token
    elif token == "query":
        url += ("&" if "?" in url else "?") + f"token={server.token}"
    data = raw if raw is not None else None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, headers=sent, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def strict_json(data: bytes) -> Any:
    """JSON that has no NaN or Infinity (which JSON does not have)."""

    def refuse(constant: str) -> None:
        raise AssertionError(f"the server sent {constant}")

    return json.loads(data, parse_constant=refuse)


def api(server: PlaygroundServer, path: str, body: Any = None) -> Any:
    status, _, data = request(server, path, body)
    assert status == 200, data
    return strict_json(data)


def post_error(server: PlaygroundServer, path: str, body: Any) -> tuple[int, dict[str, Any]]:
    status, _, data = request(server, path, body)
    return status, strict_json(data)


def play_until(server: PlaygroundServer, step: int) -> dict[str, Any]:
    """Play until the run has passed ``step``, then pause; the RUN."""
    api(server, "/api/run", {"action": "play"})
    assert server.session.trainer.wait_for_step(step, timeout=60)
    return api(server, "/api/run", {"action": "pause"})["run"]


def steps(server: PlaygroundServer, n: int) -> dict[str, Any]:
    run = None
    for _ in range(n):
        run = api(server, "/api/run", {"action": "step"})["run"]
    assert run is not None
    return run


# -- the API ------------------------------------------------------------------------------
def test_state_holds_config_run_data_and_frame_of_the_tutorial(server):
    state = api(server, "/api/state")
    assert state["config"]["data"]["kind"] == "blobs"
    assert state["run"] == {
        "state": "paused",
        "step": 0,
        "epoch": 0,
        "diverged": False,
        "message": "",
    }
    data = state["data"]
    X, y = tutorial_blobs()
    np.testing.assert_allclose(data["train"]["x"], X, atol=1e-5)
    assert data["train"]["y"] == y[:, 0].tolist() and data["test"]["x"] == []
    assert data["task"] == "binary" and data["classes"] == [0, 1]
    xmin, xmax, ymin, ymax = data["extent"]
    assert xmin < X[:, 0].min() and xmax > X[:, 0].max() and ymin < X[:, 1].min()
    frame = state["frame"]
    assert frame["step"] == 0 and frame["test_loss"] is None
    assert frame["train_loss"] == pytest.approx(0.693156, abs=5e-7)
    boundary = frame["boundary"]
    assert (boundary["nx"], boundary["ny"], len(boundary["values"])) == (60, 60, 3600)
    assert 0 <= boundary["min"] <= boundary["max"] <= 1
    assert [(u["layer"], u["unit"]) for u in frame["units"]] == [(1, j) for j in range(4)]
    assert all(len(u["values"]) == 400 for u in frame["units"])
    weights = tutorial.tutorial_network().get_weights()
    assert [np.array(w["W"]).shape for w in frame["weights"]] == [(2, 4), (4, 1)]
    np.testing.assert_array_equal(frame["weights"][0]["W"], weights[0])
    assert frame["curve"]["step"] == [0] and frame["curve"]["test"] == [None]
    assert 0 <= frame["train_accuracy"] <= 1 and frame["test_accuracy"] is None


def test_the_boundary_rows_run_from_the_top_of_the_plane_down(server):
    api(server, "/api/config", {"network": {"init": "default"}})
    play_until(server, 300)
    frame = api(server, "/api/frame")
    values = np.array(frame["boundary"]["values"]).reshape(60, 60)
    X, y = tutorial_blobs()
    xmin, xmax, ymin, ymax = api(server, "/api/state")["data"]["extent"]
    # the pixel of each training point shows its class once the blobs are learnt
    col = np.round((X[:, 0] - xmin) / (xmax - xmin) * 59).astype(int)
    row = np.round((ymax - X[:, 1]) / (ymax - ymin) * 59).astype(int)
    assert np.mean((values[row, col] > 0.5) == y[:, 0]) > 0.95


def test_tutorial_preset_gives_the_tutorials_printed_losses(server):
    api(server, "/api/config", {"data": {"kind": "moons"}, "network": {"optimizer": "adam"}})
    state = api(server, "/api/preset", {"name": "tutorial"})
    assert state["config"]["network"]["optimizer"] == "sgd" and state["run"]["step"] == 0
    X, y = tutorial_blobs()
    printed: list[float] = []
    tutorial.train(X, y, plot=False, verbose=False, losses=printed)
    play_until(server, 9900)
    curve = api(server, "/api/frame")["curve"]
    losses = dict(zip(curve["step"], curve["train"], strict=True))
    shown = [losses[100 * i] for i in range(100)]
    np.testing.assert_allclose(shown, printed, rtol=0, atol=1e-9)
    assert len(curve["step"]) <= 500


def test_one_step_is_exactly_one_optimizer_step_of_fit(server):
    api(server, "/api/config", {"data": {"kind": "moons", "test_ratio": 0.25}})
    run = steps(server, 3)
    assert run["step"] == 3 and run["state"] == "paused"
    frame = api(server, "/api/frame")
    # three full-batch SGD steps of Sequential.fit from the same start
    data = server.session.dataset
    reference = tutorial.tutorial_network()
    reference.fit(
        data.X_train,
        data.y_train.reshape(-1, 1).astype(float),
        loss="binary_cross_entropy",
        optimizer=ffnn.SGD(learning_rate=0.1),
        epochs=3,
        batch_size=None,
    )
    np.testing.assert_array_equal(frame["weights"][0]["W"], reference.get_weights()[0])
    assert frame["test_loss"] is not None and len(frame["curve"]["step"]) == 4


def test_frames_answer_while_the_run_plays(server):
    api(server, "/api/run", {"action": "play"})
    seen = []
    for _ in range(10):
        frame = api(server, "/api/frame")
        assert np.isfinite(frame["train_loss"]) and len(frame["boundary"]["values"]) == 3600
        seen.append(frame["step"])
    assert api(server, "/api/state")["run"]["state"] == "playing"
    api(server, "/api/run", {"action": "pause"})
    assert seen == sorted(seen) and seen[-1] > 0


def test_serve_opens_the_address_in_the_browser_when_asked(monkeypatch):
    opened = []
    monkeypatch.setattr("webbrowser.open", opened.append)
    playground = serve(port=0, open_browser=True)
    try:
        assert opened == [playground.url]
        assert playground.url == f"http://127.0.0.1:{playground.port}/?token={playground.token}"
    finally:
        playground.shutdown()


def test_the_upload_in_use_is_kept_when_more_are_uploaded(server):
    _, first = upload(server, GOOD_CSV)
    csv = {"kind": "csv", "upload": first["upload"]["id"], "target": "kind"}
    api(server, "/api/config", {"data": csv})
    for _ in range(6):
        assert upload(server, GOOD_CSV)[0] == 200
    assert api(server, "/api/run", {"action": "reset"})["run"]["step"] == 0
    assert len(server.session.uploads) == 4


def test_play_then_pause_holds_the_step(server):
    run = play_until(server, 50)
    assert run["state"] == "paused" and run["step"] >= 50
    assert api(server, "/api/state")["run"]["step"] == run["step"]
    assert api(server, "/api/frame")["step"] == run["step"]


def test_reset_goes_back_to_step_zero_and_the_initial_weights(server):
    first = api(server, "/api/frame")["weights"]
    steps(server, 5)
    assert api(server, "/api/frame")["weights"] != first
    run = api(server, "/api/run", {"action": "reset"})["run"]
    assert run["step"] == 0
    assert api(server, "/api/frame")["weights"] == first


def test_new_data_settings_rebuild_data_and_restart_the_run(server):
    steps(server, 2)
    state = api(
        server,
        "/api/config",
        {"data": {"kind": "gaussians", "classes": 4, "test_ratio": 0.2, "n_points": 200}},
    )
    assert state["run"]["step"] == 0
    data = state["data"]
    assert data["task"] == "multiclass" and data["classes"] == [0, 1, 2, 3]
    assert (len(data["train"]["x"]), len(data["test"]["x"])) == (160, 40)
    assert state["frame"]["weights"][-1]["b"] == [0.0] * 4
    values = np.array(state["frame"]["boundary"]["values"])
    assert values.min() >= 0 and values.max() < 4  # class index + confidence
    state = api(server, "/api/config", {"language": "zh"})
    assert state["config"]["language"] == "zh" and state["config"]["data"]["classes"] == 4


def test_regression_surface_trains_with_mse(server):
    state = api(
        server,
        "/api/config",
        {"data": {"kind": "surface", "test_ratio": 0.2}, "network": {"init": "default"}},
    )
    assert state["data"]["task"] == "regression" and state["data"]["loss"] == "mse"
    assert state["frame"]["train_accuracy"] is None
    steps(server, 2)
    assert api(server, "/api/frame")["train_loss"] < state["frame"]["train_loss"]


@pytest.mark.parametrize(
    ("patch", "code"),
    [
        ({"data": {"n_points": 5}}, "out_of_range"),
        ({"data": {"n_points": "many"}}, "not_integer"),
        ({"data": {"n_points": 100.5}}, "not_integer"),
        ({"data": {"seed": 1e300}}, "out_of_range"),
        ({"network": {"l2": 10**400}}, "out_of_range"),
        ({"data": {"kind": "mnist"}}, "unknown_name"),
        ({"network": {"hidden": [{"units": 33}]}}, "out_of_range"),
        ({"network": {"hidden": [{"units": 4}] * 7}}, "out_of_range"),
        ({"network": {"hidden": [{"activation": "__import__('os')"}]}}, "unknown_name"),
        ({"network": {"learning_rate": 0}}, "out_of_range"),
        ({"network": {"learning_rate": "0.1"}}, "not_number"),
        ({"network": {"learning_rate": True}}, "not_number"),
        ({"network": {"depth": 3}}, "unknown_field"),
        ({"colour": "red"}, "unknown_field"),
        ({"network": []}, "not_object"),
        (
            {"data": {"kind": "gaussians"}, "network": {"loss": "binary_cross_entropy"}},
            "loss_for_task",
        ),
        ({"data": {"kind": "csv", "upload": "nope", "target": "y"}}, "no_upload"),
    ],
)
def test_bad_settings_are_a_400_with_a_message_and_change_nothing(server, patch, code):
    before = api(server, "/api/state")["config"]
    status, error = post_error(server, "/api/config", patch)
    assert status == 400 and error["code"] == code and error["error"]
    assert "Traceback" not in error["error"]
    assert api(server, "/api/state")["config"] == before


@pytest.mark.parametrize(
    ("path", "body", "code"),
    [
        ("/api/run", {"action": "jump"}, "unknown_action"),
        ("/api/preset", {"name": "mnist"}, "unknown_preset"),
    ],
)
def test_bad_actions_are_a_400(server, path, body, code):
    status, error = post_error(server, path, body)
    assert (status, error["code"]) == (400, code)


def test_a_body_that_is_not_a_json_object_is_a_400(server):
    for raw in (b"{not json", b"[1, 2]", b"\xff\xfe", b'{"data": {"noise": NaN}}'):
        status, _, data = request(server, "/api/config", raw=raw)
        assert status == 400 and json.loads(data)["code"] == "bad_json"


def test_a_diverged_run_pauses_and_sends_null_never_nan(server):
    api(
        server,
        "/api/config",
        {
            "data": {"kind": "surface"},
            "network": {
                "learning_rate": 10,
                "init": "default",
                "hidden": [{"units": 16, "activation": "relu"}],
            },
        },
    )
    api(server, "/api/run", {"action": "play"})
    trainer = server.session.trainer
    with trainer.condition:
        assert trainer.condition.wait_for(lambda: trainer.diverged, 30)
    state = api(server, "/api/state")  # strict: no NaN in the JSON
    assert state["run"]["diverged"] and state["run"]["state"] == "paused"
    assert "learning rate" in state["run"]["message"]
    assert state["frame"]["train_loss"] is None or not np.isfinite(state["frame"]["train_loss"])
    assert api(server, "/api/run", {"action": "play"})["run"]["state"] == "paused"
    assert api(server, "/api/explain", {})["loss"] is None  # strict JSON too
    assert request(server, "/api/export/model")[0] == 200
    assert api(server, "/api/run", {"action": "reset"})["run"]["diverged"] is False


def test_explain_shows_the_next_step_without_taking_it(server):
    steps(server, 2)
    before = api(server, "/api/frame")["weights"]
    explained = api(server, "/api/explain", {})
    assert explained["step"] == 2
    assert "Forward pass" in explained["text"] and "dZ2" in explained["text"]
    assert np.array(explained["arrays"]["dW1"]).shape == (2, 4)
    np.testing.assert_allclose(explained["arrays"]["W1"], before[0]["W"], atol=1e-6)
    assert api(server, "/api/frame")["weights"] == before
    # the explained step is the next one the run takes (full batch SGD: the same update)
    W1_next = np.array(explained["arrays"]["W1"]) - 0.1 * np.array(explained["arrays"]["dW1"])
    steps(server, 1)
    np.testing.assert_allclose(api(server, "/api/frame")["weights"][0]["W"], W1_next, atol=2e-6)


# -- uploads ------------------------------------------------------------------------------
def _fruit_row(i: int) -> str:
    """Decimal commas, a text column, a text target that depends on the two numbers."""
    size, weight = 1 + (i % 7) * 0.5, (i * 37 % 11) / 2
    kind = "big" if size + weight / 2 > 3.5 else "small"
    numbers = f"{size:.1f};{weight:.1f}".replace(".", ",")
    return f"{numbers};{'red' if i % 3 else 'blue'};{kind}"


GOOD_CSV = "\n".join(["size;weight;colour;kind"] + [_fruit_row(i) for i in range(60)]).encode()


def upload(server: PlaygroundServer, data: bytes, name: str = "fruit.csv") -> tuple[int, Any]:
    status, _, body = request(
        server,
        "/api/upload",
        raw=data,
        headers={"Content-Type": "text/csv", "X-FFNN-Filename": name},
    )
    return status, strict_json(body)


def test_an_uploaded_csv_is_read_as_ffnn_train_reads_it(server):
    status, answer = upload(server, GOOD_CSV)
    assert status == 200
    info = answer["upload"]
    assert (info["name"], info["rows"]) == ("fruit.csv", 60)
    kinds = {c["name"]: c["kind"] for c in info["columns"]}
    assert kinds == {"size": "number", "weight": "number", "colour": "text", "kind": "text"}
    state = api(
        server,
        "/api/config",
        {"data": {"kind": "csv", "upload": info["id"], "target": "kind", "test_ratio": 0.25}},
    )
    data = state["data"]
    assert data["task"] == "binary" and data["classes"] == ["big", "small"]
    assert (data["x_name"], data["y_name"]) == ("size", "weight")
    assert (len(data["train"]["x"]), len(data["test"]["x"])) == (45, 15)
    assert len(state["frame"]["boundary"]["values"]) == 3600
    steps(server, 2)


def test_a_broken_csv_is_a_400_with_the_readers_message(server):
    status, error = upload(server, b"a,b,c\n1,2,3\n4,5\n", "broken.csv")
    assert status == 400 and error["code"] == "bad_data"
    assert "broken.csv" in error["error"] and "line 3 has 2 cells" in error["error"]
    assert "/proc/" not in error["error"]
    status, error = upload(server, b"\xff\xfe\x00", "binary.csv")
    assert status == 400 and "binary.csv" in error["error"]


def test_choosing_a_text_column_for_the_plane_is_a_400(server):
    _, answer = upload(server, GOOD_CSV)
    status, error = post_error(
        server,
        "/api/config",
        {
            "data": {
                "kind": "csv",
                "upload": answer["upload"]["id"],
                "target": "kind",
                "shown": ["size", "colour"],
            }
        },
    )
    assert status == 400 and "colour" in error["error"]


def test_an_oversized_upload_is_a_413(server):
    status, error = upload(server, b"a,b\n" + b"1,2\n" * (MAX_UPLOAD_BYTES // 4 + 1))
    assert status == 413 and error["code"] == "too_large"


def test_the_server_writes_no_file(server, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    _, answer = upload(server, GOOD_CSV)
    api(
        server,
        "/api/config",
        {"data": {"kind": "csv", "upload": answer["upload"]["id"], "target": "kind"}},
    )
    steps(server, 1)
    assert request(server, "/api/export/model")[0] == 200
    assert request(server, "/api/export/script")[0] == 200
    assert list(tmp_path.iterdir()) == []


# -- export -------------------------------------------------------------------------------
def run_script(script: bytes, folder: Path) -> np.ndarray:
    """Run an exported script in ``folder``; the weights it saves, as one flat array."""
    (folder / "playground_run.py").write_bytes(script)
    env = {**os.environ, "PYTHONPATH": SRC}
    done = subprocess.run(
        [sys.executable, "playground_run.py", "--save", "run.ffnn"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "training loss after" in done.stdout
    model = ffnn.load(folder / "run.ffnn")
    return np.concatenate([w.ravel() for w in model.get_weights()])


def exported_model(server: PlaygroundServer, folder: Path) -> Any:
    status, headers, body = request(server, "/api/export/model")
    assert status == 200 and headers["Content-Type"] == "application/octet-stream"
    assert "playground.ffnn" in headers["Content-Disposition"]
    (folder / "served.ffnn").write_bytes(body)
    return ffnn.load(folder / "served.ffnn")


@pytest.mark.parametrize(
    ("config", "n_steps"),
    [
        ({}, 37),  # the tutorial, full batch
        (
            {
                "data": {"kind": "moons", "test_ratio": 0.2, "seed": 3},
                "network": {
                    "hidden": [
                        {"units": 6, "activation": "tanh"},
                        {"units": 5, "activation": "relu"},
                    ],
                    "optimizer": "adam",
                    "learning_rate": 0.01,
                    "batch_size": 16,
                    "dropout": 0.2,
                    "l2": 0.001,
                    "seed": 7,
                    "init": "default",
                },
            },
            53,  # 15 batches an epoch: played past 53, then 3 single steps
        ),
        (
            {
                "data": {"kind": "gaussians", "classes": 3},
                "network": {"optimizer": "momentum", "batch_size": 50, "init": "default"},
            },
            20,
        ),
    ],
)
def test_the_exported_script_reproduces_the_weights_exactly(
    server, tmp_path, monkeypatch, config, n_steps
):
    # the run's thread calls fit for 3 epochs at a time; the script calls it once
    monkeypatch.setattr(trainer_module, "CHUNK_EPOCHS", 3)
    api(server, "/api/config", config)
    if n_steps > 40:  # played, then stepped: wherever in an epoch the run stops
        play_until(server, n_steps)
        n_steps = steps(server, 3)["step"]
    else:
        steps(server, n_steps)
    status, headers, script = request(server, "/api/export/script")
    assert status == 200 and headers["Content-Type"].startswith("text/x-python")
    assert "playground_run.py" in headers["Content-Disposition"]
    assert f"STEPS = {n_steps}" in script.decode()
    served = exported_model(server, tmp_path)
    flat = np.concatenate([w.ravel() for w in served.get_weights()])
    np.testing.assert_array_equal(run_script(script, tmp_path), flat)


def test_the_exported_script_of_an_uploaded_csv_reads_the_same_file(server, tmp_path):
    _, answer = upload(server, GOOD_CSV)
    api(
        server,
        "/api/config",
        {
            "data": {
                "kind": "csv",
                "upload": answer["upload"]["id"],
                "target": "kind",
                "test_ratio": 0.2,
            },
            "network": {"batch_size": 10, "init": "default"},
        },
    )
    steps(server, 7)
    (tmp_path / "fruit.csv").write_bytes(GOOD_CSV)
    script = request(server, "/api/export/script")[2]
    served = exported_model(server, tmp_path)
    flat = np.concatenate([w.ravel() for w in served.get_weights()])
    np.testing.assert_array_equal(run_script(script, tmp_path), flat)


def test_the_exported_model_predicts_as_the_session(server, tmp_path):
    api(
        server,
        "/api/config",
        {
            "data": {"kind": "xor", "test_ratio": 0.2},
            "network": {"init": "default", "optimizer": "adam", "learning_rate": 0.05},
        },
    )
    play_until(server, 200)
    frame = api(server, "/api/frame")
    model = exported_model(server, tmp_path)
    data = server.session.dataset
    np.testing.assert_array_equal(model.get_weights()[0], frame["weights"][0]["W"])
    accuracy = np.mean(model.predict(data.X_test).ravel() == data.y_test)
    assert accuracy == pytest.approx(frame["test_accuracy"])
    assert model.epochs_trained == frame["epoch"]


# -- safety -------------------------------------------------------------------------------
def test_a_missing_or_wrong_token_is_a_403(server):
    assert request(server, "/api/state", token=None)[0] == 403
    status, _, body = request(
        server, "/api/state", token=None, headers={"X-FFNN-Token": server.token[:-1] + "x"}
    )
    assert status == 403 and json.loads(body)["code"] == "bad_token"
    assert request(server, "/?token=nope", token=None)[0] == 403
    assert request(server, "/api/run", {"action": "play"}, token=None)[0] == 403
    assert server.session.run_state()["state"] == "paused"
    assert request(server, "/api/state", token="query")[0] == 200


def test_a_foreign_host_header_is_a_403(server):
    for host in ("evil.example:%d", "127.0.0.1:1", "evil.example"):
        name = host % server.port if "%d" in host else host
        status, _, body = request(server, "/api/state", headers={"Host": name})
        assert status == 403 and json.loads(body)["code"] == "bad_host"
    assert request(server, "/api/state", headers={"Host": f"localhost:{server.port}"})[0] == 200


def test_every_answer_carries_the_safety_headers(server):
    for path, token in (("/api/state", "header"), ("/api/state", None), ("/nothing", "query")):
        _, headers, _ = request(server, path, token=token)
        assert headers["Cache-Control"] == "no-store"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Content-Security-Policy"] == "default-src 'self'"


def test_bodies_over_the_limit_are_a_413(server):
    status, _, body = request(server, "/api/config", raw=b" " * (64 * 1024 + 1))
    assert status == 413 and json.loads(body)["code"] == "too_large"


def test_static_files_come_only_from_the_static_folder(server, tmp_path, monkeypatch):
    (tmp_path / "index.html").write_text("<p>playground</p>")
    (tmp_path / "app.js").write_text("let a = 1;")
    (tmp_path.parent / "secret.js").write_text("secret")
    monkeypatch.setattr(server_module, "STATIC", tmp_path)
    status, headers, body = request(server, "/", token="query")
    assert (status, body) == (200, b"<p>playground</p>")
    assert headers["Content-Type"].startswith("text/html")
    status, headers, body = request(server, "/static/app.js", token="query")
    assert status == 200 and headers["Content-Type"].startswith("text/javascript")
    for path in (
        "/static/../secret.js",
        "/static/%2e%2e/secret.js",
        "/static/..%2fsecret.js",
        "/static//etc/passwd",
        "/static/",
        "/secret.js",
        "/static/missing.js",
    ):
        assert request(server, path, token="query")[0] == 404, path
    assert request(server, "/static/app.js", token=None)[0] == 403


def test_the_package_ships_the_page():
    assert (server_module.STATIC / "index.html").is_file()


def test_unknown_routes_and_methods(server):
    assert request(server, "/api/nothing")[0] == 404
    assert request(server, "/api/state", {"x": 1})[0] == 405
    assert request(server, "/api/run", method="GET")[0] == 405
    assert request(server, "/api/state", method="DELETE")[0] == 405


def test_only_loopback_addresses_are_served():
    for host in ("0.0.0.0", "192.168.1.2", "example.com"):
        with pytest.raises(ValueError, match="loopback"):
            PlaygroundServer(host, 0)
    assert main(["playground", "--host", "0.0.0.0", "--no-browser"]) == 2


def test_the_command_prints_the_address_and_stops_on_ctrl_c():
    env = {**os.environ, "PYTHONPATH": SRC}
    process = subprocess.Popen(
        [sys.executable, "-m", "ffnn", "playground", "--no-browser"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        selector = selectors.DefaultSelector()
        selector.register(process.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + 60
        assert selector.select(deadline - time.monotonic()), "no address printed"
        line = process.stdout.readline()
        url = line.split()[-1]
        assert url.startswith("http://127.0.0.1:") and "/?token=" in url
        port, token = url.split(":")[2].split("/")[0], url.split("token=")[1]
        req = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/state", headers={"X-FFNN-Token": token}
        )
        with urllib.request.urlopen(req, timeout=30) as answer:
            assert json.load(answer)["run"]["step"] == 0
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
        assert process.returncode == 0
        assert stderr.strip().splitlines() == ["ffnn playground: stopped"]
    finally:
        if process.poll() is None:
            process.kill()
