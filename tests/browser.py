"""Headless Chromium for the playground: the browser tests' fixtures, also used by the benchmark
(benchmarks/playground.py) and the screenshots (scripts/playground_screenshots.py).

Debian's ``chromium`` is driven through Debian's ``chromedriver`` by Selenium; the driver's path
is given, so Selenium Manager never looks for one on the network. The playground's server runs in
a thread of this process (``ffnn.playground.serve``). Without Chromium, chromedriver or Selenium
the tests skip with what to install, except under ``CI``, where they fail: CI must run them.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

INSTALL_HINT = (
    "install Debian's browser and its driver (apt-get install chromium chromium-driver) "
    "and Selenium (pip install -e '.[test]')"
)
WINDOW = (1280, 800)
DEFAULT_TIMEOUT = 30.0  # seconds a wait may take before it fails; a loaded CI machine is slow
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-default-apps",
    "--disable-extensions",
)


def _which(env: str, names: tuple[str, ...], fallback: str) -> str | None:
    given = os.environ.get(env)
    if given:
        return given if os.access(given, os.X_OK) else None
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return fallback if os.access(fallback, os.X_OK) else None


def browser_paths() -> tuple[str, str] | str:
    """``(chromium, chromedriver)``, or why they cannot be used (a message with what to install).

    ``FFNN_CHROMIUM`` and ``FFNN_CHROMEDRIVER`` override the search of PATH and /usr/bin.
    """
    missing = []
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("the selenium package")
    chromium = _which(
        "FFNN_CHROMIUM", ("chromium", "chromium-browser", "google-chrome"), "/usr/bin/chromium"
    )
    driver = _which("FFNN_CHROMEDRIVER", ("chromedriver",), "/usr/bin/chromedriver")
    if chromium is None:
        missing.append("chromium")
    if driver is None:
        missing.append("chromedriver")
    if missing or chromium is None or driver is None:
        return f"browser tests need {', '.join(missing)}: {INSTALL_HINT}"
    return chromium, driver


def require_browser() -> tuple[str, str]:
    """The browser's paths; else skip with the reason, or fail when ``CI`` is set."""
    import pytest

    found = browser_paths()
    if isinstance(found, str):
        if os.environ.get("CI"):
            pytest.fail(f"CI is set, so the browser tests may not skip: {found}", pytrace=False)
        pytest.skip(found)
    return found


@contextlib.contextmanager
def chromium(width: int = WINDOW[0], height: int = WINDOW[1]) -> Iterator[Any]:
    """A headless Chromium WebDriver with a fresh profile and a ``width`` x ``height`` page
    (a laptop's screen), quit and its profile removed on exit."""
    found = browser_paths()
    if isinstance(found, str):
        raise RuntimeError(found)
    binary, driver_path = found
    os.environ.setdefault("SE_OFFLINE", "1")  # Selenium Manager: never the network
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    with tempfile.TemporaryDirectory(prefix="ffnn-chromium-") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = binary
        for flag in CHROMIUM_FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={profile}")
        options.add_argument(f"--window-size={width},{height}")
        options.add_argument("--lang=en-US")
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
        try:
            driver.set_window_size(width, height)
            # the window holds the browser's own bars: grow it so the page sees width x height
            inner = driver.execute_script("return [window.innerWidth, window.innerHeight]")
            driver.set_window_size(2 * width - inner[0], 2 * height - inner[1])
            driver.set_page_load_timeout(DEFAULT_TIMEOUT)
            driver.set_script_timeout(DEFAULT_TIMEOUT)
            yield driver
        finally:
            driver.quit()


class Playground:
    """A running playground server and a small urllib client with its token."""

    def __init__(self, server: Any) -> None:
        self.server = server
        self.url: str = server.url
        parts = urllib.parse.urlsplit(self.url)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.token = urllib.parse.parse_qs(parts.query)["token"][0]

    def request(self, path: str, body: Any = None, *, raw: bytes | None = None) -> bytes:
        """The body of ``GET path`` (or ``POST`` with ``body`` as JSON, or ``raw`` bytes)."""
        headers = {"X-FFNN-Token": self.token}
        data = None
        if raw is not None:
            data = raw
            headers["Content-Type"] = "text/csv"
        elif body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.origin + path, data=data, headers=headers)
        with urllib.request.urlopen(request, timeout=DEFAULT_TIMEOUT) as response:
            return bytes(response.read())

    def api(self, path: str, body: Any = None) -> Any:
        return json.loads(self.request(path, body))


@contextlib.contextmanager
def playground_server() -> Iterator[Playground]:
    """The playground served on 127.0.0.1 in a thread of this process, shut down on exit."""
    from ffnn.playground import serve

    server = serve(port=0, open_browser=False)
    try:
        yield Playground(server)
    finally:
        server.shutdown()


# --- waiting on the page (conditions with deadlines, never sleeps) ---------------------------


def js(driver: Any, expression: str, *args: Any) -> Any:
    """The value of a JavaScript expression in the page (``arguments[i]`` are ``args``)."""
    return driver.execute_script(f"return ({expression});", *args)


def wait_until(
    driver: Any,
    condition: Callable[[Any], Any],
    message: str,
    timeout: float = DEFAULT_TIMEOUT,
) -> Any:
    """Wait until ``condition(driver)`` is truthy and return it; at the deadline fail with
    ``message``, the page's ``lastError`` and its last console errors."""
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.05).until(condition)
    except TimeoutException:
        error = js(driver, "window.ffnnPlayground && window.ffnnPlayground.lastError")
        console = console_errors(driver)[-5:]
        raise AssertionError(
            f"{message} (after {timeout:g} s; the page's lastError: {error!r}; "
            f"console errors: {console})"
        ) from None


def wait_js(driver: Any, expression: str, message: str, timeout: float = DEFAULT_TIMEOUT) -> Any:
    """Wait until a JavaScript expression is truthy in the page and return its value."""
    return wait_until(driver, lambda d: js(d, expression), message, timeout)


def open_page(driver: Any, url: str) -> None:
    """Load the page and wait until it says it is ready (``window.ffnnPlayground.ready``)."""
    driver.get(url)
    wait_js(
        driver,
        "window.ffnnPlayground && window.ffnnPlayground.ready && window.ffnnPlayground.lastFrame",
        "the page never became ready",
    )


def frame(driver: Any) -> dict[str, Any]:
    """The latest frame the page drew (``window.ffnnPlayground.lastFrame``)."""
    return dict(js(driver, "window.ffnnPlayground.lastFrame"))


def console_errors(driver: Any) -> list[str]:
    """The browser console's SEVERE entries since the last call."""
    return [
        entry["message"] for entry in driver.get_log("browser") if entry.get("level") == "SEVERE"
    ]
