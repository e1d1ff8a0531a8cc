"""The Simplified Chinese documentation keeps in step with the English one.

``README.zh-CN.md`` translates ``README.md`` and ``docs/zh/X.md`` translates ``docs/X.md``. For
every pair this checks that

- each English page has its Chinese page and each Chinese page its English one;
- the fenced blocks (code, its comments, the outputs) are copied byte for byte, in the same
  order and number: only the prose, the headings and the table text are translated;
- the two pages have the same outline: the same sequence of heading levels, as many table rows
  and as many list items (nothing dropped or summarised);
- right after the title, the English page links to its Chinese page and the Chinese page back;
- the Chinese page is written in Chinese (a share of CJK characters against the English words);
- every relative link of a Chinese page resolves to an existing file, points to the Chinese
  version of another docs page, and an ``#anchor`` into a Markdown file names one of its
  headings (GitHub's slug rule, CJK characters kept);
- ``docs/zh/index.md`` lists every Chinese page, and ``README.zh-CN.md`` points to it and to the
  examples.

The Chinese pages' code is not run here, nor by ``tests/test_docs.py``: that module collects
``README.md`` and ``DOCS.glob("*.md")``, which is not recursive, so ``docs/zh/`` is left out on
purpose. Since every fenced block of a Chinese page is byte-identical to its English page's,
whose python blocks ``tests/test_docs.py`` executes and compares with their outputs, running
them again would check nothing new.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from pathlib import Path
from urllib.parse import unquote

import pytest
from test_docs import DOCS, FENCE, LINK, ROOT

ZH = DOCS / "zh"
README, README_ZH = ROOT / "README.md", ROOT / "README.zh-CN.md"
ENGLISH = [README, *sorted(DOCS.glob("*.md"))]
CHINESE = [page for page in [README_ZH, *sorted(ZH.glob("*.md"))] if page.exists()]

# An ATX heading: one to six '#', a space, the text (a closing run of '#' dropped).
HEADING = re.compile(r"^(?P<level>#{1,6})[ \t]+(?P<text>.*?)(?:[ \t]+#+)?[ \t]*$", re.MULTILINE)
# An inline code span: a run of backticks, the code, the same run (may cross a line break).
INLINE_CODE = re.compile(r"(?P<ticks>`+).+?(?P=ticks)", re.DOTALL)
TABLE_ROW = re.compile(r"^\|.*\|[ \t]*$", re.MULTILINE)
BULLET = re.compile(r"^[ \t]*(?:[-+*])[ \t]+\S")
ORDERED = re.compile(r"^[ \t]*(?P<number>\d{1,9})[.)][ \t]+\S")
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
ENGLISH_WORD = re.compile(r"[A-Za-z]{2,}")
# Characters per English word a translated page must reach (a full translation has ~1.5-2).
CJK_PER_ENGLISH_WORD = 0.8


def chinese_of(english: Path) -> Path:
    return README_ZH if english == README else ZH / english.name


def english_of(chinese: Path) -> Path:
    return README if chinese == README_ZH else DOCS / chinese.name


def name(page: Path) -> str:
    return page.relative_to(ROOT).as_posix()


def link_lines(english: Path) -> tuple[str, str]:
    """The line under the English title and the line under the Chinese title."""
    if english == README:
        return "*[简体中文](README.zh-CN.md)*", "*[English](README.md)*"
    return f"*[简体中文](zh/{english.name})*", f"*[English](../{english.name})*"


def read(page: Path) -> str:
    return page.read_text(encoding="utf-8")


def fences(page: Path) -> list[tuple[str, int]]:
    """Every fenced block, fences and info string included, with the line it opens on."""
    text = read(page)
    return [(m.group(0), text.count("\n", 0, m.start()) + 1) for m in FENCE.finditer(text)]


def prose(text: str) -> str:
    """The page without its fenced blocks and inline code: what a translator translates."""
    return INLINE_CODE.sub(" ", FENCE.sub("\n", text))


def plain_heading(text: str) -> str:
    """A heading's text as GitHub renders it: code spans, links and images reduced to text."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return INLINE_CODE.sub(lambda m: m.group(0).strip("`").strip(), text)


def github_slug(heading: str) -> str:
    """GitHub's anchor for a heading: lowercased, every character that is not a letter, a mark,
    a decimal digit, '_', '-' or a space dropped (CJK characters are letters and stay), each
    space turned into '-'."""
    kept = (
        char
        for char in plain_heading(heading).strip().lower()
        if char in "-_ "
        or unicodedata.category(char) in {"Nd", "Pc"}
        or unicodedata.category(char)[0] in "LM"
    )
    return "".join(kept).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """The anchors of a page's headings; a repeated slug gets -1, -2, ... as on GitHub."""
    seen: dict[str, int] = {}
    result = set()
    for match in HEADING.finditer(FENCE.sub("", read(page))):
        slug = github_slug(match["text"])
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        result.add(slug if count == 0 else f"{slug}-{count}")
    return result


def list_items(text: str) -> int:
    """How many list items Markdown sees: a bullet always starts one; a number other than 1
    only after a blank line, a heading or inside a list (it does not interrupt a paragraph, so
    a wrapped line that happens to begin with "10." is prose)."""
    count, in_list, previous = 0, False, ""
    for line in text.splitlines():
        ordered = ORDERED.match(line)
        if BULLET.match(line) or (
            ordered
            and (
                ordered["number"] == "1"
                or in_list
                or not previous.strip()
                or previous.startswith("#")
            )
        ):
            count, in_list = count + 1, True
        elif line.strip() and not previous.strip() and not line[0].isspace():
            in_list = False
        previous = line
    return count


def outline(page: Path) -> dict[str, object]:
    text = FENCE.sub("", read(page))
    return {
        "heading levels": [len(m["level"]) for m in HEADING.finditer(text)],
        "table rows": len(TABLE_ROW.findall(text)),
        "list items": list_items(text),
    }


def title_and_link_line(page: Path) -> tuple[str, str | None]:
    """The first line (the H1 title) and the first non-blank line after it."""
    lines = read(page).splitlines()
    following = next((line.strip() for line in lines[1:] if line.strip()), None)
    return (lines[0] if lines else ""), following


@pytest.mark.parametrize("english", ENGLISH, ids=name)
def test_every_english_page_has_a_chinese_page(english: Path) -> None:
    assert chinese_of(english).exists(), (
        f"{name(english)} has no Chinese translation {name(chinese_of(english))}"
    )


@pytest.mark.parametrize("chinese", CHINESE, ids=name)
def test_every_chinese_page_translates_an_english_page(chinese: Path) -> None:
    assert english_of(chinese).exists(), (
        f"{name(chinese)} translates {name(english_of(chinese))}, which does not exist"
    )


def pair(english: Path) -> Path:
    chinese = chinese_of(english)
    if not chinese.exists():
        pytest.skip(f"{name(chinese)} is missing (test_every_english_page_has_a_chinese_page)")
    return chinese


@pytest.mark.parametrize("english", ENGLISH, ids=name)
def test_fenced_blocks_are_copied_byte_for_byte(english: Path) -> None:
    chinese = pair(english)
    original, translated = fences(english), fences(chinese)
    for index, ((block, line), (other, other_line)) in enumerate(
        zip(original, translated, strict=False)
    ):
        if block != other:
            diff = "\n".join(
                difflib.unified_diff(
                    block.splitlines(),
                    other.splitlines(),
                    name(english),
                    name(chinese),
                    lineterm="",
                    n=1,
                )
            )
            pytest.fail(
                f"fenced block {index + 1} differs: {name(english)} line {line} vs "
                f"{name(chinese)} line {other_line}\n{diff}"
            )
    if len(original) != len(translated):
        common = min(len(original), len(translated))
        longer, blocks = (
            (english, original) if len(original) > len(translated) else (chinese, translated)
        )
        pytest.fail(
            f"{name(english)} has {len(original)} fenced blocks, {name(chinese)} "
            f"{len(translated)}: the first unmatched one is at {name(longer)} line "
            f"{blocks[common][1]}"
        )


@pytest.mark.parametrize("english", ENGLISH, ids=name)
def test_the_translation_has_the_same_outline(english: Path) -> None:
    chinese = pair(english)
    original, translated = outline(english), outline(chinese)
    for what, count in original.items():
        assert translated[what] == count, (
            f"{what}: {name(english)} has {count}, {name(chinese)} {translated[what]}"
        )


@pytest.mark.parametrize("english", ENGLISH, ids=name)
def test_the_two_pages_link_to_each_other_under_the_title(english: Path) -> None:
    chinese = pair(english)
    to_chinese, to_english = link_lines(english)
    for page, expected in [(english, to_chinese), (chinese, to_english)]:
        title, following = title_and_link_line(page)
        assert title.startswith("# "), f"{name(page)} does not start with its H1 title"
        assert following == expected, (
            f"{name(page)}: the line after the title is {following!r}, expected {expected!r}"
        )


@pytest.mark.parametrize("english", ENGLISH, ids=name)
def test_the_chinese_page_is_written_in_chinese(english: Path) -> None:
    chinese = pair(english)
    words = len(ENGLISH_WORD.findall(prose(read(english))))
    characters = len(CJK.findall(prose(read(chinese))))
    assert characters >= CJK_PER_ENGLISH_WORD * words, (
        f"{name(chinese)} has {characters} CJK characters outside code for the {words} "
        f"English words of {name(english)}: is part of it untranslated?"
    )


@pytest.mark.parametrize("chinese", CHINESE, ids=name)
def test_the_relative_links_of_a_chinese_page_resolve(chinese: Path) -> None:
    for match in LINK.finditer(prose(read(chinese))):
        target = match["target"]
        if "://" in target or target.startswith("mailto:"):
            continue
        path, _, fragment = target.partition("#")
        fragment = unquote(fragment)  # GitHub also accepts a percent-encoded CJK anchor
        resolved = (chinese.parent / path).resolve() if path else chinese
        assert resolved.exists(), f"{name(chinese)} links to missing {target}"
        if resolved.parent == DOCS and resolved.suffix == ".md":
            assert resolved == english_of(chinese), (
                f"{name(chinese)} links to the English {target}: link the Chinese page in "
                f"docs/zh/ instead"
            )
        if fragment and resolved.suffix == ".md":
            assert fragment in anchors(resolved), (
                f"{name(chinese)} links to {target}, but no heading of "
                f"{resolved.relative_to(ROOT).as_posix()} has the anchor #{fragment}"
            )


def targets(page: Path) -> set[str]:
    return {m["target"].split("#")[0] for m in LINK.finditer(prose(read(page)))}


def test_the_chinese_index_lists_every_chinese_page() -> None:
    index = ZH / "index.md"
    assert index.exists(), "docs/zh/index.md is missing"
    pages = {page.name for page in ZH.glob("*.md")} - {"index.md"}
    missing = pages - targets(index)
    assert not missing, f"docs/zh/index.md does not link {sorted(missing)}"


def test_the_chinese_readme_points_to_the_chinese_docs_and_the_examples() -> None:
    assert README_ZH.exists(), "README.zh-CN.md is missing"
    linked = targets(README_ZH)
    for target in ["docs/zh/index.md", "examples/two_moons.py", "examples/digits.py"]:
        assert target in linked, f"README.zh-CN.md does not link {target}"


def test_the_slug_rule() -> None:
    assert github_slug("How Sequential picks the initial weights") == (
        "how-sequential-picks-the-initial-weights"
    )
    assert github_slug("Sequential 如何选择初始权重") == "sequential-如何选择初始权重"
    assert (
        github_slug("查看模型：repr、summary、layer_outputs") == "查看模型reprsummarylayer_outputs"
    )
    assert github_slug("Coming from scikit-learn: `MLPClassifier`") == (
        "coming-from-scikit-learn-mlpclassifier"
    )
    assert github_slug("The [format](format.md), v1.0") == "the-format-v10"
