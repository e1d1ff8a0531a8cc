"""The documentation runs as written: README.md and every page of docs/.

Each ```python block is executed; a page's blocks run in order in one namespace (a later block
may use what an earlier one defined), in a fresh working directory, with matplotlib's
non-interactive Agg backend. A ```text output block right after a python block is what that
block must print (trailing spaces and blank edges aside). A page whose code imports
scikit-learn, matplotlib (or ffnn.plotting) or PyTorch is skipped when that is not installed.

Other fenced blocks are shown, not run: ```text (formulas, tables, shell output) in docs/, and
```sh in README.md.
"""

from __future__ import annotations

import contextlib
import io
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]

# A fence: ```info at the start of a line, the body, ``` at the start of a line.
FENCE = re.compile(r"^```(?P<info>[^\n`]*)\n(?P<body>.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
# Imports of optional packages, and the pip name each belongs to (for the skip message).
OPTIONAL_IMPORT = re.compile(
    r"^\s*(?:import|from)\s+(sklearn|matplotlib|torch|onnxruntime|onnx|distributed|dask)\b"
    r"|^\s*(?:import|from)\s+ffnn\.plotting\b|^\s*from\s+ffnn\s+import\s+.*\bplotting\b",
    re.MULTILINE,
)
# Pages that point to others rather than explain a concept: no python example required.
OVERVIEWS = {"index.md", "examples.md"}
LINK = re.compile(r"\[[^\]]*\]\((?P<target>[^)\s]+)\)")


def fenced_blocks(path: Path) -> list[tuple[str, str, int]]:
    """``(info, body, line)`` of every fenced block, ``line`` the 1-based line of its body."""
    text = path.read_text(encoding="utf-8")
    return [
        (m["info"].strip(), m["body"], text.count("\n", 0, m.start("body")) + 1)
        for m in FENCE.finditer(text)
    ]


def runnable_blocks(path: Path) -> list[tuple[str, int, str | None]]:
    """``(code, line, expected_output or None)`` for every python block, in page order."""
    blocks = fenced_blocks(path)
    runs = []
    for index, (info, body, line) in enumerate(blocks):
        if info != "python":
            continue
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        expected = following[1] if following and following[0] == "text output" else None
        runs.append((body, line, expected))
    return runs


PAGES_WITH_CODE = [page for page in PAGES if runnable_blocks(page)]


def normalised(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


def skip_without_optional_packages(code: str) -> None:
    for match in OPTIONAL_IMPORT.finditer(code):
        package = match.group(1) or "matplotlib"  # the other branches: ffnn.plotting
        pytest.importorskip(package, reason=f"this page's code needs {package}")


@pytest.mark.parametrize("page", PAGES_WITH_CODE, ids=[p.name for p in PAGES_WITH_CODE])
def test_every_python_block_runs_and_prints_what_the_page_says(
    page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs = runnable_blocks(page)
    skip_without_optional_packages("\n".join(code for code, _, _ in runs))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    if "matplotlib" in sys.modules:
        sys.modules["matplotlib"].use("Agg")
    namespace: dict[str, object] = {"__name__": f"docs_{page.stem}"}
    try:
        for code, line, expected in runs:
            # Padded so that a traceback names the line of the page itself.
            compiled = compile("\n" * (line - 1) + code, str(page), "exec")
            printed = io.StringIO()
            with contextlib.redirect_stdout(printed):
                exec(compiled, namespace)
            if expected is not None:
                assert normalised(printed.getvalue()) == normalised(expected), (
                    f"{page.name}, the block at line {line} printed something else than the "
                    "```text output block after it"
                )
    finally:
        if "matplotlib.pyplot" in sys.modules:
            sys.modules["matplotlib.pyplot"].close("all")


@pytest.mark.parametrize("page", sorted(DOCS.glob("*.md")), ids=lambda p: p.name)
def test_docs_blocks_are_python_to_run_or_text_to_read(page: Path) -> None:
    if page.name not in OVERVIEWS:
        assert runnable_blocks(page), f"{page.name} explains a concept without a python example"
    blocks = fenced_blocks(page)
    infos = {info for info, _, _ in blocks}
    assert infos <= {"python", "text", "text output"}, f"{page.name} has fences {infos}"
    for index, (info, _, line) in enumerate(blocks):
        if info == "text output":
            assert index > 0 and blocks[index - 1][0] == "python", (
                f"{page.name}: the output block at line {line} follows no python block"
            )


def test_the_index_links_every_page_and_every_relative_link_resolves() -> None:
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    linked = {m["target"].split("#")[0] for m in LINK.finditer(index)}
    pages = {p.name for p in DOCS.glob("*.md")} - {"index.md"}
    assert pages <= linked, f"docs/index.md does not link {sorted(pages - linked)}"
    for page in PAGES:
        for match in LINK.finditer(page.read_text(encoding="utf-8")):
            target = match["target"].split("#")[0]
            if not target or "://" in target or target.startswith("mailto:"):
                continue
            assert (page.parent / target).exists(), f"{page.name} links to missing {target}"


def test_the_readme_points_to_the_docs_and_the_examples() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "## Documentation" in readme
    for target in ["docs/index.md", "examples/two_moons.py", "examples/digits.py"]:
        assert f"({target})" in readme, f"README.md does not link {target}"
