"""The shape of the import graph of gateway/, replay/ and policies/, as grimp (import-linter's graph library) reads it,
imports under TYPE_CHECKING included:

- no module reaches itself through its imports (an import circle: modules that can only change together);
- nothing but the command line imports the app (handlers import the shared state, gateway.state, never the app).

The layering itself (policies <- replay <- gateway) is import-linter's contract in pyproject.toml, run by `make lint`.
"""

from __future__ import annotations

import re
from collections import deque
from pathlib import Path

import grimp
import pytest

PACKAGES = ("gateway", "replay", "policies")


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph(*PACKAGES, exclude_type_checking_imports=False)


def _loops(graph: grimp.ImportGraph) -> list[set[str]]:
    """The groups of two or more modules that all reach each other (strongly connected components, Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(group)

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def import_cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """One circle per loop, as the imports that close it: [a, b, ..., a], shortest from the loop's first module."""
    cycles = []
    for group in _loops(graph):
        start = min(group)
        came_from: dict[str, str] = {}
        queue = deque([start])
        while start not in came_from:
            module = queue.popleft()
            for imported in sorted(graph.find_modules_directly_imported_by(module) & group):
                if imported not in came_from:
                    came_from[imported] = module
                    queue.append(imported)
        chain = [start]
        while chain[-1] != start or len(chain) == 1:
            chain.append(came_from[chain[-1]])
        cycles.append(chain[::-1])
    return sorted(cycles)


def test_no_module_imports_itself_through_others(graph: grimp.ImportGraph) -> None:
    cycles = import_cycles(graph)
    assert not cycles, "import circles:\n" + "\n".join("  " + " -> ".join(cycle) for cycle in cycles)


def test_only_the_command_line_imports_the_app(graph: grimp.ImportGraph) -> None:
    assert graph.find_modules_that_directly_import("gateway.app") <= {"gateway.cli", "gateway.__main__"}


def test_a_circle_is_found_and_named_by_the_imports_that_close_it() -> None:
    graph = grimp.ImportGraph()
    for module in ("app", "app.a", "app.b", "app.c", "app.d", "app.e"):
        graph.add_module(module)
    for importer, imported in (("app.a", "app.b"), ("app.b", "app.c"), ("app.c", "app.a"), ("app.c", "app.d"),
                               ("app.b", "app.a"), ("app.d", "app.e")):
        graph.add_import(importer=importer, imported=imported)
    assert import_cycles(graph) == [["app.a", "app.b", "app.a"]]  # the shortest circle through app.a

    graph.remove_import(importer="app.b", imported="app.a")
    assert import_cycles(graph) == [["app.a", "app.b", "app.c", "app.a"]]

    graph.remove_import(importer="app.c", imported="app.a")
    assert import_cycles(graph) == []


# ARCHITECTURE.md's module map: every module of the three packages is named there, and every name there is a real file.
# In a table row, a bare `name.py` belongs to the first `folder/` named in the row.

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = tuple(f"{package}/" for package in PACKAGES)


def _named_in_architecture() -> set[str]:
    named: set[str] = set()
    for line in (ROOT / "ARCHITECTURE.md").read_text().splitlines():
        tokens = re.findall(r"`([^`\s]+)`", line)
        folder = next((t for t in tokens if t.endswith("/") and t.startswith(FOLDERS)), None)
        for token in tokens:
            if token.startswith(FOLDERS):
                named.add(token.rstrip("/"))
            elif line.startswith("|") and folder and token.endswith(".py") and "/" not in token:
                named.add(folder + token)
    return named


def _modules() -> set[str]:
    found: set[str] = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            relative = path.relative_to(ROOT)
            if path.name == "__init__.py":
                found.add(str(relative.parent))
            else:
                found.add(str(relative))
    return found


def test_architecture_names_every_module() -> None:
    missing = sorted(_modules() - _named_in_architecture())
    assert not missing, f"modules missing from ARCHITECTURE.md's module map: {missing}"


def test_architecture_names_only_real_modules() -> None:
    stale = sorted(name for name in _named_in_architecture() if not (ROOT / name).exists())
    assert not stale, f"ARCHITECTURE.md names what does not exist: {stale}"
