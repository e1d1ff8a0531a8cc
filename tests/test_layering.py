"""The house: imports inside ffnn flow one way (see docs/architecture.md).

The import graph is read from the sources with `ast`, not by importing them: every `import` and
`from ... import` anywhere in a module (at the top, inside functions, inside `try` blocks) and
every `importlib.import_module("...")` / `__import__("...")` call with a string constant counts.
Only `if TYPE_CHECKING:` blocks are left out: they never run. Importing a submodule also runs its
parent package's `__init__`; that implicit edge is not counted (every module would otherwise
"import" the facade).

The checker is a pair of plain functions (`import_edges`, `violations`) so that the tests below can
feed it small synthetic packages and see it fail.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import types
from dataclasses import dataclass
from pathlib import Path

import pytest

import ffnn

PACKAGE_DIR = Path(__file__).resolve().parents[1] / "src" / "ffnn"

# The parts of the package and their levels, from the ground up (DESIGN.md, "The house"). A module
# may import modules of its own level or below, never above. A subpackage takes its parent's level
# (ffnn.sklearn._base is "outer" because ffnn.sklearn is). This table is the one place that says
# where a module lives: a new top-level module must be added here, or the test fails naming it.
LEVELS = {"ground": 0, "components": 1, "model": 2, "training": 3, "outer": 4, "facade": 5}
PARTS = {
    # ground: argument checks, the registries, and the small objects components are made of
    "_checks": "ground",
    "_registry": "ground",
    "_version": "ground",
    "_special": "ground",
    "initializers": "ground",
    "regularizers": "ground",
    "schedules": "ground",
    # components: what a network is built from
    "layers": "components",
    "activations": "components",
    "normalization": "components",
    "losses": "components",
    "metrics": "components",
    "optimizers": "components",
    # model: Sequential (forward, backward, parameters, predict), never the loop
    "model": "model",
    # training: the one loop, History, batching, callbacks
    "training": "training",
    "callbacks": "training",
    # outer parts: plug into the core by registration
    "sklearn": "outer",
    "io": "outer",
    "onnx": "outer",
    "cli": "outer",
    "plotting": "outer",
    "glassbox": "outer",
    "gradcheck": "outer",
    "tutorial": "outer",
    "datasets": "outer",
    "idx": "outer",
    "csvdata": "outer",
    "preprocessing": "outer",
    "playground": "outer",
    # the facade: `import ffnn` and `python -m ffnn` may import anything
    "__main__": "facade",
}
CORE_PARTS = {"ground", "components", "model", "training"}
# Third-party packages the core must not import (NumPy is the core's only dependency; tqdm is
# allowed for progress bars).
CORE_FORBIDDEN = {
    "sklearn",
    "scipy",
    "matplotlib",
    "onnx",
    "onnxruntime",
    "pandas",
    "dask",
    "distributed",
}


# The target of an `importlib.import_module(name)` or `__import__(name)` whose name is not a
# string literal: the reader cannot tell what it imports, so the test refuses it.
COMPUTED = "<computed name>"


@dataclass(frozen=True)
class Import:
    """One import statement or call: `source` imports `target` at `path:line`."""

    source: str
    target: str  # a module of the package, or the top-level name of a third-party package
    line: int
    text: str  # the source line, for the message
    path: str

    def where(self) -> str:
        return f"{self.path}:{self.line}: {self.text.strip()}"


def read_package(package_dir: Path, name: str = "ffnn") -> dict[str, tuple[str, bool, str]]:
    """Module name -> (source, is_package, path) for every .py file under `package_dir`."""
    modules = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = list(path.relative_to(package_dir).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        module = ".".join([name, *parts])
        rel = path.relative_to(package_dir.parent).as_posix()
        modules[module] = (path.read_text(encoding="utf-8"), is_package, rel)
    return modules


def _is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


class _Collector(ast.NodeVisitor):
    """Collects (module string, imported names or None, level, line) from one module."""

    def __init__(self) -> None:
        self.found: list[tuple[str, list[str] | None, int, int]] = []

    def visit_If(self, node: ast.If) -> None:
        if _is_type_checking(node.test):
            for child in node.orelse:  # `else:` of a TYPE_CHECKING block does run
                self.visit(child)
            return
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.found.append((alias.name, None, 0, node.lineno))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        names = [alias.name for alias in node.names]
        self.found.append((node.module or "", names, node.level, node.lineno))

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name in ("import_module", "__import__") and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                text = first.value
                level = len(text) - len(text.lstrip("."))
                self.found.append((text.lstrip("."), None, level, node.lineno))
            else:  # a name computed at run time: no reader can follow it
                self.found.append((COMPUTED, None, 0, node.lineno))
        self.generic_visit(node)


def _resolve(name: str, modules: dict) -> str | None:
    """The longest prefix of `name` that is a module of the package, or None."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in modules:
            return candidate
        parts.pop()
    return None


def import_edges(modules: dict[str, tuple[str, bool, str]], root: str = "ffnn") -> list[Import]:
    """Every import in `modules` (as `read_package` returns them) that runs."""
    edges = []
    for module, (source, is_package, path) in modules.items():
        lines = source.splitlines()
        collector = _Collector()
        collector.visit(ast.parse(source, filename=path))
        package = module if is_package else module.rpartition(".")[0]
        for name, names, level, line in collector.found:
            if level:
                base = package.split(".")
                base = base[: len(base) - (level - 1)]
                name = ".".join([*base, name] if name else base)
            text = lines[line - 1] if line <= len(lines) else ""
            if name == COMPUTED:
                edges.append(Import(module, COMPUTED, line, text, path))
                continue
            if name != root and not name.startswith(root + "."):
                top = name.split(".")[0]
                edges.append(Import(module, top, line, text, path))
                continue
            targets = []
            if names is None:
                targets.append(_resolve(name, modules))
            else:
                for imported in names:
                    submodule = f"{name}.{imported}"
                    # `from ffnn import layers` imports ffnn.layers; `from ffnn import Dense`
                    # imports the facade ffnn itself.
                    targets.append(submodule if submodule in modules else _resolve(name, modules))
            for target in dict.fromkeys(targets):
                if target is not None:
                    edges.append(Import(module, target, line, text, path))
    return edges


def part_of(module: str, root: str = "ffnn") -> str | None:
    """The part a module of the package belongs to; None when PARTS does not list it."""
    if module == root:
        return "facade"
    return PARTS.get(module.split(".")[1])


def _cycles(nodes: list[str], edges: list[Import]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), and self-imports."""
    graph: dict[str, list[str]] = {node: [] for node in nodes}
    for edge in edges:
        if edge.target in graph:
            graph[edge.source].append(edge.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph[node]:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


def violations(modules: dict[str, tuple[str, bool, str]], root: str = "ffnn") -> list[str]:
    """Every breach of the house's rules, one message each, naming modules and import lines."""
    edges = import_edges(modules, root)
    problems = []
    for module in sorted(modules):
        if part_of(module, root) is None:
            problems.append(
                f"{module} is in no part of the house: add {module.split('.')[1]!r} to PARTS "
                "in tests/test_layering.py (and to docs/architecture.md)"
            )
    internal = [edge for edge in edges if edge.target in modules]
    for component in _cycles(sorted(modules), internal):
        members = set(component)
        lines = [
            f"  {e.source} -> {e.target} ({e.where()})"
            for e in internal
            if e.source in members and e.target in members
        ]
        problems.append("import circle among " + ", ".join(component) + ":\n" + "\n".join(lines))
    for edge in edges:
        source_part = part_of(edge.source, root)
        if edge.target == COMPUTED:
            problems.append(
                f"{edge.source} imports a module by a computed name (register the class "
                f"instead; nothing is imported by name): {edge.where()}"
            )
            continue
        if edge.target not in modules:
            if source_part in CORE_PARTS and edge.target in CORE_FORBIDDEN:
                problems.append(
                    f"core module {edge.source} ({source_part}) imports {edge.target}: "
                    f"{edge.where()}"
                )
            continue
        if edge.target == root and edge.source not in (root, f"{root}.__main__"):
            problems.append(
                f"{edge.source} imports the facade {root} (import the submodule instead): "
                f"{edge.where()}"
            )
            continue
        target_part = part_of(edge.target, root)
        if source_part is None or target_part is None:
            continue
        if LEVELS[target_part] > LEVELS[source_part]:
            problems.append(
                f"{edge.source} ({source_part}) imports {edge.target} ({target_part}), a higher "
                f"level: {edge.where()}"
            )
    return problems


def reaches(modules: dict[str, tuple[str, bool, str]], start: str, goal: str) -> bool:
    """Whether `start` imports `goal` or one of its submodules, directly or through others."""
    edges = [edge for edge in import_edges(modules) if edge.target in modules]
    seen, todo = {start}, [start]
    while todo:
        current = todo.pop()
        for edge in edges:
            if edge.source == current and edge.target not in seen:
                if edge.target == goal or edge.target.startswith(goal + "."):
                    return True
                seen.add(edge.target)
                todo.append(edge.target)
    return False


# --- the real package -------------------------------------------------------------------------


def test_the_package_follows_the_house():
    problems = violations(read_package(PACKAGE_DIR))
    assert not problems, f"{len(problems)} layering violation(s):\n" + "\n".join(problems)


def test_sequential_does_not_import_the_training_loop():
    modules = read_package(PACKAGE_DIR)
    from ffnn.model import Sequential

    home = Sequential.__module__
    assert home in modules
    assert not reaches(modules, home, "ffnn.training")


def test_the_reader_sees_every_module_of_the_package():
    modules = read_package(PACKAGE_DIR)
    assert {"ffnn", "ffnn.model", "ffnn.layers", "ffnn.sklearn"} <= set(modules)
    edges = import_edges(modules)
    # the facade imports Sequential from its module: the reader must see that edge
    assert any(e.source == "ffnn" and e.target == "ffnn.model" for e in edges)


# --- the checker itself can fail -------------------------------------------------------------


def _package(**sources: str) -> dict[str, tuple[str, bool, str]]:
    """A synthetic package `ffnn`: keyword `model="..."` is ffnn/model.py (`init` is __init__)."""
    modules = {"ffnn": ("", True, "ffnn/__init__.py")}
    for name, source in sources.items():
        if name == "init":
            modules["ffnn"] = (source, True, "ffnn/__init__.py")
        else:
            dotted = name.replace("__", ".")  # sklearn__base -> ffnn.sklearn.base
            modules[f"ffnn.{dotted}"] = (source, False, f"ffnn/{dotted.replace('.', '/')}.py")
    return modules


def test_checker_finds_a_circle_through_a_function_level_import():
    problems = violations(
        _package(
            layers="from ffnn import activations\n",
            activations="def get():\n    from ffnn.layers import Dense\n    return Dense\n",
        )
    )
    circles = [p for p in problems if p.startswith("import circle")]
    assert len(circles) == 1
    assert "ffnn.activations, ffnn.layers" in circles[0]
    assert "ffnn/activations.py:2: from ffnn.layers import Dense" in circles[0]


def test_checker_finds_a_module_importing_itself():
    problems = violations(_package(losses="import ffnn.losses\n"))
    assert any(p.startswith("import circle among ffnn.losses:") for p in problems)


def test_checker_reads_importlib_and_dunder_import_strings():
    problems = violations(
        _package(
            losses='import importlib\nimportlib.import_module("ffnn.sklearn")\n',
            optimizers='__import__("ffnn.io")\n',
            sklearn="",
            io="",
        )
    )
    assert any("ffnn.losses (components) imports ffnn.sklearn (outer)" in p for p in problems)
    assert any("ffnn.optimizers (components) imports ffnn.io (outer)" in p for p in problems)


def test_checker_refuses_an_import_by_a_computed_name():
    problems = violations(
        _package(losses="import importlib\n\ndef find(n):\n    return importlib.import_module(n)\n")
    )
    assert problems == [
        "ffnn.losses imports a module by a computed name (register the class instead; nothing "
        "is imported by name): ffnn/losses.py:4: return importlib.import_module(n)"
    ]


def test_checker_finds_a_core_module_importing_an_outer_part_or_a_higher_level():
    problems = violations(
        _package(
            callbacks="try:\n    from ffnn.io import save\nexcept ImportError:\n    pass\n",
            io="",
            layers="from . import model\n",
            model="",
        )
    )
    assert any(
        "ffnn.callbacks (training) imports ffnn.io (outer)" in p
        and "ffnn/callbacks.py:2: from ffnn.io import save" in p
        for p in problems
    )
    assert any("ffnn.layers (components) imports ffnn.model (model)" in p for p in problems)


def test_checker_finds_the_core_importing_a_heavy_third_party_package():
    problems = violations(
        _package(
            metrics="def f():\n    import scipy.special\n",
            training="import tqdm\n",
            plotting="import matplotlib.pyplot\n",
        )
    )
    assert any("core module ffnn.metrics (components) imports scipy" in p for p in problems)
    assert not any("tqdm" in p for p in problems)  # allowed
    assert not any("matplotlib" in p for p in problems)  # plotting is an outer part


def test_checker_finds_a_module_importing_the_facade():
    problems = violations(
        _package(
            glassbox="from ffnn import Dense\n",
            gradcheck="import ffnn\n",
            tutorial="from ffnn import layers\n",
            layers="",
        )
    )
    assert any(p.startswith("ffnn.glassbox imports the facade ffnn") for p in problems)
    assert any(p.startswith("ffnn.gradcheck imports the facade ffnn") for p in problems)
    assert not any("ffnn.tutorial" in p for p in problems)  # a submodule, not the facade


def test_checker_resolves_relative_imports_in_subpackages():
    modules = _package(sklearn__base="from ..training import fit\nfrom . import helpers\n")
    modules["ffnn.sklearn"] = ("from .base import X\n", True, "ffnn/sklearn/__init__.py")
    modules["ffnn.sklearn.helpers"] = ("", False, "ffnn/sklearn/helpers.py")
    modules["ffnn.training"] = ("from ffnn.sklearn.base import Y\n", False, "ffnn/training.py")
    edges = {(e.source, e.target) for e in import_edges(modules)}
    assert ("ffnn.sklearn.base", "ffnn.training") in edges
    assert ("ffnn.sklearn.base", "ffnn.sklearn.helpers") in edges
    assert ("ffnn.sklearn", "ffnn.sklearn.base") in edges
    problems = violations(modules)
    assert any("ffnn.training (training) imports ffnn.sklearn.base (outer)" in p for p in problems)
    assert any("import circle among ffnn.sklearn.base, ffnn.training" in p for p in problems)


def test_checker_ignores_type_checking_blocks_only():
    problems = violations(
        _package(
            model=(
                "from typing import TYPE_CHECKING\n"
                "import typing\n"
                "if TYPE_CHECKING:\n"
                "    from ffnn.training import History\n"
                "if typing.TYPE_CHECKING:\n"
                "    import matplotlib\n"
                "else:\n"
                "    from ffnn import io\n"
            ),
            training="from ffnn.model import Sequential\n",
            io="",
        )
    )
    assert not any("ffnn.training" in p for p in problems)
    assert not any("matplotlib" in p for p in problems)
    # the `else:` branch runs, so its import counts
    assert any("ffnn.model (model) imports ffnn.io (outer)" in p for p in problems)


def test_checker_asks_for_an_unlisted_module_to_be_added():
    problems = violations(_package(brand_new="x = 1\n"))
    assert problems == [
        "ffnn.brand_new is in no part of the house: add 'brand_new' to PARTS "
        "in tests/test_layering.py (and to docs/architecture.md)"
    ]


def test_checker_reports_nothing_for_a_clean_package():
    modules = _package(
        init="from ffnn.model import Sequential\nfrom ffnn import layers\n",
        layers="from ffnn import _checks\n",
        _checks="import numpy as np\n",
        model="from ffnn.layers import Dense\n",
        training="import tqdm\nfrom ffnn.model import Sequential\n",
    )
    assert violations(modules) == []


def test_reaches_follows_imports_through_other_modules():
    modules = _package(model="from ffnn import layers\n", layers="import ffnn.training\n")
    modules["ffnn.training"] = ("", False, "ffnn/training.py")
    assert reaches(modules, "ffnn.model", "ffnn.training")
    assert not reaches(modules, "ffnn.training", "ffnn.model")


def test_every_part_has_a_known_level():
    assert {part for part in PARTS.values()} | {"facade"} == set(LEVELS)


# --- the facade's namespace -------------------------------------------------------------------

# Public, listed by dir(ffnn), loaded on first use, and kept out of __all__ so that
# `from ffnn import *` never imports scikit-learn. The value is the extra each one needs.
LAZY = {"MLPClassifier": "sklearn", "MLPRegressor": "sklearn", "export_onnx": "onnx"}


def test_dir_of_ffnn_lists_public_names_only():
    public = {name for name in dir(ffnn) if not name.startswith("_")}
    assert "TYPE_CHECKING" not in public
    assert public - set(ffnn.__all__) == {"MLPClassifier", "MLPRegressor"}
    assert len(ffnn.__all__) == len(set(ffnn.__all__))


def test_the_facade_holds_no_stray_public_names():
    # what dir() hides must not be there either: every public attribute is in __all__, one of
    # the lazy names, or a submodule of ffnn that Python set on import
    stray = [
        name
        for name, value in vars(ffnn).items()
        if not name.startswith("_")
        and name not in ffnn.__all__
        and name not in LAZY
        and not (isinstance(value, types.ModuleType) and value.__name__ == f"ffnn.{name}")
    ]
    assert stray == []


@pytest.mark.parametrize("name", sorted({*ffnn.__all__, *LAZY}))
def test_every_public_name_resolves_to_what_it_names(name):
    if name in LAZY:
        pytest.importorskip(LAZY[name])
    value = getattr(ffnn, name)
    if isinstance(value, types.ModuleType):
        assert value.__name__ == f"ffnn.{name}"
    elif name == "__version__":
        assert isinstance(value, str) and value[0].isdigit()
    else:
        assert value.__name__ == name
        assert value.__module__.startswith("ffnn.")


def test_star_import_gives_all_and_imports_no_optional_package():
    code = (
        "import sys\n"
        "from ffnn import *\n"
        "import ffnn\n"
        "missing = [n for n in ffnn.__all__ if n not in globals()]\n"
        "heavy = sorted({'sklearn', 'scipy', 'matplotlib', 'onnx'} & set(sys.modules))\n"
        "print(missing, heavy, 'TYPE_CHECKING' in globals())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.split("\n")[0] == "[] [] False"
