"""Screenshots of the playground for docs/playground.md, taken by the tests' headless Chromium.

From the repository root, with Chromium and chromedriver installed (tests/browser.py)::

    python scripts/playground_screenshots.py                  # into docs/images/
    python scripts/playground_screenshots.py --out-dir /tmp/shots

It writes ``playground-tutorial.png`` (the tutorial preset after training),
``playground-spiral.png`` (the spiral learnt by a deeper network), ``playground-glassbox.png``
(the glass box after one step) and ``playground-zh.png`` (the page in Chinese), 1280x800 each,
reduced to 256 colours with Pillow (matplotlib's dependency) when it is there so each stays small.
Chinese text needs a CJK font on the machine (Debian: ``fonts-wqy-microhei``).
"""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

from tests.browser import (  # noqa: E402
    Playground,
    chromium,
    js,
    open_page,
    playground_server,
    wait_js,
    wait_until,
)

SPIRAL = {
    "data": {"kind": "spiral", "n_points": 400, "noise": 0.1, "test_ratio": 0.2, "seed": 0},
    "network": {
        "hidden": [{"units": 8, "activation": "tanh"} for _ in range(3)],
        "optimizer": "adam",
        "learning_rate": 0.01,
        "batch_size": 0,
        "l2": 0.0,
        "dropout": 0.0,
        "seed": 42,
        "init": "default",  # ffnn's own initial weights (the tutorial's suit one small layer)
    },
}


def _state(server: Playground) -> dict[str, Any]:
    return dict(server.api("/api/state")["run"])


def _train_to(driver: Any, server: Playground, steps: int) -> None:
    """Play until the page has drawn step ``steps`` or more, then pause and let it draw."""
    driver.find_element("id", "play-pause").click()
    wait_js(
        driver,
        f"window.ffnnPlayground.lastFrame.step >= {steps}",
        f"never reached step {steps}",
        timeout=120,
    )
    driver.find_element("id", "play-pause").click()
    wait_until(driver, lambda d: _state(server)["state"] == "paused", "never paused")
    stopped = _state(server)["step"]
    wait_js(driver, f"window.ffnnPlayground.lastFrame.step === {stopped}", "no final frame")


def _tutorial(driver: Any, server: Playground) -> None:
    open_page(driver, server.url)
    driver.find_element("id", "preset-tutorial").click()
    wait_js(
        driver,
        "window.ffnnPlayground.lastFrame.step === 0 && "
        "Math.abs(window.ffnnPlayground.lastFrame.train_loss - 0.693156) < 1e-6",
        "the tutorial preset never loaded",
    )


def tutorial_trained(driver: Any, server: Playground) -> None:
    _tutorial(driver, server)
    _train_to(driver, server, 1500)


def spiral(driver: Any, server: Playground) -> None:
    open_page(driver, server.url)
    server.api("/api/config", SPIRAL)
    open_page(driver, server.url)  # the page reads the new settings
    _train_to(driver, server, 3000)


def glassbox(driver: Any, server: Playground) -> None:
    _tutorial(driver, server)
    driver.find_element("id", "one-step").click()
    wait_js(
        driver,
        "document.getElementById('explain-text').textContent.includes('Z1 = X @ W1 + b1')",
        "the glass box never opened",
    )
    js(driver, "document.getElementById('explain-panel').scrollIntoView({block: 'start'})")


def chinese(driver: Any, server: Playground) -> None:
    from selenium.webdriver.support.ui import Select

    tutorial_trained(driver, server)
    Select(driver.find_element("id", "language")).select_by_value("zh")
    wait_js(driver, "document.documentElement.lang.startsWith('zh')", "never switched to Chinese")
    js(driver, "window.scrollTo(0, 0)")


SHOTS: dict[str, Callable[[Any, Playground], None]] = {
    "playground-tutorial.png": tutorial_trained,
    "playground-spiral.png": spiral,
    "playground-glassbox.png": glassbox,
    "playground-zh.png": chinese,
}


def _small_png(png: bytes) -> bytes:
    """The screenshot in 256 colours (about a fifth of the size); as it is without Pillow."""
    try:
        from PIL import Image
    except ImportError:
        return png
    image = Image.open(io.BytesIO(png)).convert("RGB")
    out = io.BytesIO()
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(out, "PNG", optimize=True)
    return out.getvalue()


def take(out_dir: Path, names: list[str] | None = None) -> list[Path]:
    """Take the screenshots (all, or those ``names``) into ``out_dir``; returns the files."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with playground_server() as server, chromium() as driver:
        for name, arrange in SHOTS.items():
            if names and name not in names:
                continue
            arrange(driver, server)
            path = out_dir / name
            path.write_bytes(_small_png(driver.get_screenshot_as_png()))
            written.append(path)
            # the next shot starts from the default settings, in English
            server.api("/api/config", {"language": "en"})
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out-dir", type=Path, default=ROOT / "docs" / "images")
    parser.add_argument("names", nargs="*", help=f"some of {', '.join(SHOTS)} (default all)")
    args = parser.parse_args(argv)
    for path in take(args.out_dir, args.names or None):
        print(f"{path} ({path.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
