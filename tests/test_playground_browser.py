"""The playground in a real headless Chromium: the page, driven as a learner drives it.

One server and one browser for the module (tests/browser.py); each test loads the page afresh.
Without Chromium, chromedriver or Selenium these tests skip and say what to install; with ``CI``
set they fail instead (.ci/run sets it).
"""

from __future__ import annotations

import importlib.util
import os
import struct
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from browser import (
    Playground,
    browser_paths,
    chromium,
    console_errors,
    frame,
    js,
    open_page,
    playground_server,
    require_browser,
    wait_js,
    wait_until,
)

from ffnn import tutorial
from ffnn.datasets import tutorial_blobs
from ffnn.io import load

REPO = Path(__file__).resolve().parents[1]

# the page's stable element ids (listed at the top of src/ffnn/playground/static/index.html)
PLAY = "play-pause"  # one button: play, and pause while playing
STEP = "one-step"
RESET = "reset"
PRESET_TUTORIAL = "preset-tutorial"
LANGUAGE = "language"
BOUNDARY = "boundary-canvas"
GLASSBOX = "explain-text"
MESSAGE = "message"
DATA_KIND = "data-kind"
UPLOAD = "csv-file"
TARGET = "csv-target"
SHOWN_X = "csv-shown-x"
SHOWN_Y = "csv-shown-y"
CSV_APPLY = "csv-apply"
TRAIN_LOSS = "train-loss"


@pytest.fixture(scope="module")
def playground() -> Iterator[Playground]:
    require_browser()
    with playground_server() as running:
        yield running


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    require_browser()
    with chromium() as running:
        yield running


def tutorial_losses(iterations: int) -> list[float]:
    """The tutorial's loss before each of its first ``iterations`` updates (it prints every
    100th as ``Iteration i, Loss: x.xxxxxx``), from ffnn.tutorial's own functions."""
    X, y = tutorial_blobs()
    parameters = tutorial.initialize_parameters(2, 4, 1, seed=42)
    losses = []
    for _ in range(iterations):
        y_hat, cache = tutorial.forward_propagation(X, parameters)
        losses.append(tutorial.compute_loss(y, y_hat))
        gradients = tutorial.backward_propagation(X, y, cache, parameters)
        parameters = tutorial.update_parameters(parameters, gradients, 0.1)
    return losses


def run_state(playground: Playground) -> dict[str, Any]:
    return dict(playground.api("/api/state")["run"])


def click(driver: Any, element_id: str) -> None:
    from selenium.webdriver.common.by import By

    element = wait_until(
        driver,
        lambda d: (e := d.find_element(By.ID, element_id)).is_enabled() and e,
        f"#{element_id} is never enabled",
    )
    element.click()


def frame_step(driver: Any) -> int:
    return int(js(driver, "window.ffnnPlayground.lastFrame.step"))


def wait_step(driver: Any, condition: str, message: str) -> int:
    """Wait until the page's latest frame has a step for which ``condition`` (JS, ``s``) holds."""
    return int(
        wait_js(
            driver,
            f"(f => f && ((s) => ({condition}))(f.step) && f.step + 1)"
            "(window.ffnnPlayground.lastFrame)",
            message,
        )
        - 1
    )


def load_tutorial(driver: Any, playground: Playground) -> None:
    """A fresh page with the tutorial preset chosen through its button, paused at step 0."""
    open_page(driver, playground.url)
    click(driver, PRESET_TUTORIAL)
    wait_js(
        driver,
        "(f => f && f.step === 0 && Math.abs(f.train_loss - 0.693156) < 1e-6)"
        "(window.ffnnPlayground.lastFrame)",
        "the tutorial preset never showed the tutorial's first loss",
    )
    assert run_state(playground)["state"] == "paused"


def play_until(driver: Any, playground: Playground, steps: int) -> int:
    """Press play, wait until the page has drawn a frame at ``steps`` or more, press pause;
    returns the step the run stopped at."""
    click(driver, PLAY)
    wait_step(driver, f"s >= {steps}", f"the page never reached step {steps}")
    click(driver, PLAY)  # the same button pauses
    wait_until(driver, lambda d: run_state(playground)["state"] == "paused", "never paused")
    stopped = int(run_state(playground)["step"])
    wait_step(driver, f"s === {stopped}", "the page never drew the paused run's last frame")
    return stopped


# --- without a browser ----------------------------------------------------------------------


def test_without_chromium_they_skip_saying_what_to_install_but_fail_under_ci(monkeypatch, tmp_path):
    monkeypatch.setenv("FFNN_CHROMIUM", str(tmp_path / "no-chromium"))
    reason = browser_paths()
    assert isinstance(reason, str)
    assert "need chromium" in reason and "apt-get install chromium chromium-driver" in reason
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install chromium chromium-driver"):
        require_browser()
    monkeypatch.setenv("CI", "1")
    with pytest.raises(pytest.fail.Exception, match="CI is set, so the browser tests may not skip"):
        require_browser()


def test_ci_installs_the_browser_and_make_test_reports_skips():
    ci = (REPO / ".ci" / "run").read_text()
    assert "apt-get install -y -qq chromium chromium-driver" in ci
    assert 'export CI="${CI:-1}"' in ci
    assert ci.index("apt-get install") < ci.index("make test")
    pyproject = (REPO / "pyproject.toml").read_text()
    assert 'addopts = "-ra"' in pyproject  # the summary lists each skip and its reason
    assert '"selenium>=' in pyproject


# --- in the browser ------------------------------------------------------------------------


def test_page_loads_with_no_console_errors(driver, playground):
    console_errors(driver)  # drop what came before
    open_page(driver, playground.url)
    assert js(driver, "window.ffnnPlayground.lastError") in (None, "")
    assert console_errors(driver) == []
    # the tutorial's blobs are the default: 300 points, two classes, at step 0
    state = playground.api("/api/state")
    assert state["config"]["data"]["kind"] == "blobs"
    assert frame(driver)["step"] == 0
    assert js(driver, f"document.getElementById('{BOUNDARY}').width") > 0


def test_tutorial_preset_shows_the_tutorials_losses(driver, playground):
    load_tutorial(driver, playground)
    # the page shows the loss as the tutorial prints it: "Iteration 0, Loss: 0.693156"
    wait_until(
        driver,
        lambda d: d.find_element("id", TRAIN_LOSS).text.strip() == "0.693156",
        f"#{TRAIN_LOSS} never showed 0.693156",
    )
    stopped = play_until(driver, playground, 300)
    expected = tutorial_losses(stopped + 1)
    # every point of the page's loss curve is the tutorial's loss at that step (the curve is
    # thinned past 500 points, so which steps it keeps depends on where the run stopped) ...
    curve = frame(driver)["curve"]
    assert curve["step"][0] == 0 and len(curve["step"]) > 10
    for step, loss in zip(curve["step"], curve["train"], strict=True):
        assert loss == pytest.approx(expected[step], rel=1e-9, abs=1e-12), step
    if stopped < 500:  # not thinned: the tutorial's printed iterations are all there
        assert {0, 100, 200, 300} <= set(curve["step"])
    # ... and so is the loss shown at the step the run stopped at, to the tutorial's 6 decimals
    assert frame(driver)["train_loss"] == pytest.approx(expected[stopped], rel=1e-9)
    wait_until(
        driver,
        lambda d: d.find_element("id", TRAIN_LOSS).text.strip() == f"{expected[stopped]:.6f}",
        f"#{TRAIN_LOSS} never showed the tutorial's loss at step {stopped}",
    )


def test_playing_changes_the_boundary_picture(driver, playground):
    load_tutorial(driver, playground)
    before_picture = js(driver, f"document.getElementById('{BOUNDARY}').toDataURL()")
    before_values = frame(driver)["boundary"]["values"]
    play_until(driver, playground, 200)
    wait_until(
        driver,
        lambda d: js(d, f"document.getElementById('{BOUNDARY}').toDataURL()") != before_picture,
        "the boundary picture never changed while playing",
    )
    after = frame(driver)["boundary"]
    assert after["nx"] * after["ny"] == len(after["values"])
    assert np.abs(np.subtract(after["values"], before_values)).max() > 0.05


def test_pause_one_step_reset_and_the_glass_box(driver, playground):
    load_tutorial(driver, playground)
    stopped = play_until(driver, playground, 5)
    assert run_state(playground)["step"] == stopped
    # one step: exactly one optimizer step, and the glass box shows its arrays and formulas
    click(driver, STEP)
    wait_step(driver, f"s === {stopped + 1}", "one step did not advance the run by one")
    state = run_state(playground)
    assert (state["step"], state["state"]) == (stopped + 1, "paused")
    text = wait_until(
        driver,
        lambda d: "Z1 = X @ W1 + b1" in (t := d.find_element("id", GLASSBOX).text) and t,
        "the glass box never showed the step's formulas",
    )
    assert "W1" in text and "relu" in text
    assert js(driver, f"document.getElementById('{GLASSBOX}').offsetParent !== null")
    # the loss after one more step is the tutorial's at that step
    assert frame(driver)["train_loss"] == pytest.approx(
        tutorial_losses(stopped + 2)[stopped + 1], rel=1e-9
    )
    click(driver, RESET)
    wait_step(driver, "s === 0", "reset did not go back to step 0")
    assert run_state(playground)["step"] == 0
    assert frame(driver)["train_loss"] == pytest.approx(0.6931561, abs=1e-6)


GOOD_CSV = "\n".join(
    ["height;weight;colour;kind"]
    + [
        f"{1.5 + 0.01 * i:.2f};{50 + (i * 7) % 40};{('red', 'blue')[i % 2]};"
        + ("b" if i % 3 == 0 else "a")
        for i in range(60)
    ]
)


def upload(driver: Any, tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    driver.find_element("id", UPLOAD).send_keys(str(path))


def test_upload_a_good_csv_then_a_broken_one(driver, playground, tmp_path):
    from selenium.webdriver.support.ui import Select

    open_page(driver, playground.url)
    Select(driver.find_element("id", DATA_KIND)).select_by_value("csv")
    wait_until(driver, lambda d: d.find_element("id", UPLOAD).is_displayed(), "no file input")
    upload(driver, tmp_path, "people.csv", GOOD_CSV.encode())
    wait_js(
        driver,
        f"document.getElementById('{TARGET}').options.length >= 4",
        "the columns of the uploaded file never appeared",
    )
    Select(driver.find_element("id", TARGET)).select_by_visible_text("kind")
    # the feature checkboxes, in column order: height, weight (colour stays out)
    for index, wanted in enumerate((True, True, False, False)):
        box = driver.find_element("id", f"csv-feature-{index}")
        if box.is_enabled() and box.is_selected() != wanted:
            box.click()
    Select(driver.find_element("id", SHOWN_X)).select_by_visible_text("height")
    Select(driver.find_element("id", SHOWN_Y)).select_by_visible_text("weight")
    click(driver, CSV_APPLY)
    wait_until(
        driver,
        lambda d: (
            (state := playground.api("/api/state"))["config"]["data"]["kind"] == "csv"
            and state["data"]["task"] == "binary"
        ),
        "choosing a target and features never trained on the file",
    )
    state = playground.api("/api/state")
    assert sorted(map(str, state["data"]["classes"])) == ["a", "b"]
    assert state["config"]["data"]["target"] == "kind"
    assert sorted(state["config"]["data"]["features"]) == ["height", "weight"]
    assert len(state["data"]["train"]["x"]) + len(state["data"]["test"]["x"]) == 60
    wait_js(driver, "window.ffnnPlayground.lastFrame.boundary", "no boundary for the file")
    assert js(driver, f"document.getElementById('{MESSAGE}').textContent.trim()") == ""
    # a broken file: a message in the page, and the page still works
    upload(driver, tmp_path, "broken.csv", b"\x00\x01\x02 not a table\xff\xfe")
    message = wait_until(
        driver,
        lambda d: d.find_element("id", MESSAGE).text.strip(),
        "a broken file gave no message",
    )
    assert "Traceback" not in message
    drawn = js(driver, "window.ffnnPlayground.framesDrawn")
    step = run_state(playground)["step"]
    click(driver, STEP)
    wait_step(driver, f"s === {step + 1}", "one step did nothing after a broken file")
    assert js(driver, "window.ffnnPlayground.framesDrawn") > drawn
    assert playground.api("/api/state")["config"]["data"]["target"] == "kind"


def test_language_switch_to_chinese_and_back(driver, playground):
    from selenium.webdriver.support.ui import Select

    open_page(driver, playground.url)
    label = driver.find_element("id", PLAY).text
    Select(driver.find_element("id", LANGUAGE)).select_by_value("zh")
    wait_until(
        driver,
        lambda d: d.find_element("id", PLAY).text not in ("", label),
        "the play button's text never changed to Chinese",
    )
    chinese = driver.find_element("id", PLAY).text
    assert any("\u4e00" <= c <= "\u9fff" for c in chinese), chinese
    assert js(driver, "document.documentElement.lang").startswith("zh")
    Select(driver.find_element("id", LANGUAGE)).select_by_value("en")
    wait_until(driver, lambda d: d.find_element("id", PLAY).text == label, "never back to English")


def test_keyboard_tab_reaches_play_and_space_starts_it(driver, playground):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    load_tutorial(driver, playground)
    js(driver, "document.activeElement && document.activeElement.blur()")
    for _ in range(60):
        ActionChains(driver).send_keys(Keys.TAB).perform()
        if js(driver, "document.activeElement.id") == PLAY:
            break
    else:
        pytest.fail("60 presses of Tab never reached the play button")
    ActionChains(driver).send_keys(Keys.SPACE).perform()
    wait_until(driver, lambda d: run_state(playground)["state"] == "playing", "Space did not play")
    wait_step(driver, "s > 0", "playing from the keyboard drew no new frame")
    ActionChains(driver).send_keys(Keys.ENTER).perform()  # the focused button again: pause
    wait_until(driver, lambda d: run_state(playground)["state"] == "paused", "Enter did not pause")


@pytest.mark.parametrize(
    "settings",
    [
        pytest.param(None, id="tutorial"),
        pytest.param(
            {
                "data": {"kind": "moons", "n_points": 200, "noise": 0.2, "test_ratio": 0.25},
                "network": {
                    "hidden": [
                        {"units": 6, "activation": "tanh"},
                        {"units": 5, "activation": "relu"},
                    ],
                    "optimizer": "adam",
                    "learning_rate": 0.03,
                    "batch_size": 32,
                    "dropout": 0.1,
                    "l2": 0.001,
                    "seed": 7,
                },
            },
            id="moons-adam-minibatch-dropout",
        ),
    ],
)
def test_exported_script_reproduces_the_served_model(driver, playground, tmp_path, settings):
    load_tutorial(driver, playground)
    if settings is not None:
        playground.api("/api/config", settings)
        open_page(driver, playground.url)  # the page reads the new settings
    stopped = play_until(driver, playground, 40)
    click(driver, STEP)
    wait_step(driver, f"s === {stopped + 1}", "one step did not advance the run")
    script = playground.request("/api/export/script").decode()
    model_bytes = playground.request("/api/export/model")
    assert run_state(playground)["step"] == stopped + 1
    (tmp_path / "playground_run.py").write_text(script)
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    done = subprocess.run(
        [sys.executable, "playground_run.py", "--save"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip()
    (tmp_path / "served.ffnn").write_bytes(model_bytes)
    served = load(tmp_path / "served.ffnn")
    rebuilt = load(tmp_path / "playground_run.ffnn")
    served_weights = served.get_weights()
    rebuilt_weights = rebuilt.get_weights()
    assert len(served_weights) == len(rebuilt_weights) > 0
    for a, b in zip(served_weights, rebuilt_weights, strict=True):
        np.testing.assert_allclose(b, a, rtol=0, atol=1e-12)
    grid = np.random.default_rng(0).uniform(-3, 3, size=(50, served_weights[0].shape[0]))
    np.testing.assert_allclose(rebuilt.predict(grid), served.predict(grid), rtol=0, atol=1e-12)


def test_the_screenshot_script_writes_small_pngs_of_the_page(tmp_path):
    require_browser()
    spec = importlib.util.spec_from_file_location(
        "playground_screenshots", REPO / "scripts" / "playground_screenshots.py"
    )
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    names = ["playground-glassbox.png", "playground-zh.png"]
    written = script.take(tmp_path, names)
    assert [path.name for path in written] == names
    for path in written:
        png = path.read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", png[16:24])  # the IHDR chunk
        assert (width, height) == (1280, 800)
        assert len(png) < 200_000, f"{path.name} is {len(png)} bytes"
