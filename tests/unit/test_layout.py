"""The package's shape: the layers import only downwards, and imports form no cycle.

Imports are read from the source (nothing is executed), every ``import`` and ``from ...
import`` statement, relative ones resolved. ``from package import name`` counts as an
import of ``package.name`` when that is a module of ours, else of ``package``. The implicit
import of a module's parent packages is not counted: Python runs them first whatever the
module does, so they can never close a cycle that is not already there.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
PACKAGE = SRC / "equeue"
#: The layers above the engine: they reach the database through Queue and its façade only.
UPPER_LAYERS = ("api", "cli", "dashboard")
FORBIDDEN = ("equeue.storage", "asyncpg")


@dataclass(frozen=True)
class Import:
    target: str  #: the module imported, as a dotted name
    line: int
    top_level: bool  #: run when the module is imported (not in a function, not type-only)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def our_modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imports_of(path: Path, known: set[str] | None = None, name: str | None = None) -> list[Import]:
    """Every import statement of a module, wherever it stands."""
    known = set(our_modules()) if known is None else known
    name = name or module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[Import] = []
    for node, top_level in _walk(ast.parse(path.read_text(encoding="utf-8")), True):
        if isinstance(node, ast.Import):
            found += [Import(alias.name, node.lineno, top_level) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(package, node.module, node.level)
            for alias in node.names:
                full = f"{base}.{alias.name}"
                found.append(Import(full if full in known else base, node.lineno, top_level))
    return found


def _walk(node: ast.AST, top_level: bool) -> Iterator[tuple[ast.AST, bool]]:
    for child in ast.iter_child_nodes(node):
        yield child, top_level
        inner = top_level and not isinstance(
            child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
        )
        if isinstance(child, ast.If) and _is_type_checking(child.test):
            # Type-only imports run never; their else branch runs always.
            for grandchild in child.body:
                yield from [(grandchild, False), *_walk(grandchild, False)]
            for grandchild in child.orelse:
                yield from [(grandchild, inner), *_walk(grandchild, inner)]
            continue
        yield from _walk(child, inner)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _resolve(package: str, module: str | None, level: int) -> str:
    if not level:
        return module or ""
    parts = package.split(".")
    base = parts[: len(parts) - level + 1]
    return ".".join([*base, module] if module else base)


def import_graph(*, top_level_only: bool) -> dict[str, set[str]]:
    """Which of our modules each of our modules imports."""
    modules = our_modules()
    known = set(modules)
    return {
        name: {
            i.target
            for i in imports_of(path, known)
            if i.target in known and i.target != name and (i.top_level or not top_level_only)
        }
        for name, path in modules.items()
    }


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def upper_layer_files() -> list[Path]:
    """Every module of the API, the command line (a module or a package) and the dashboard."""
    files: list[Path] = []
    for layer in UPPER_LAYERS:
        files += sorted((PACKAGE / layer).rglob("*.py"))
        if (PACKAGE / f"{layer}.py").exists():
            files.append(PACKAGE / f"{layer}.py")
    return files


def test_the_walker_sees_every_kind_of_import(tmp_path: Path) -> None:
    # The checks below are only as good as this: a miss would hide an import.
    source = tmp_path / "probe.py"
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "import asyncpg.pool\n"
        "from . import storage\n"
        "from .storage import sql\n"
        "if TYPE_CHECKING:\n"
        "    from equeue.queue import Queue\n"
        "def later():\n"
        "    from equeue.storage.api import ApiStorage\n"
        "class Holder:\n"
        "    import json\n",
        encoding="utf-8",
    )
    found = {(i.target, i.top_level) for i in imports_of(source, name="equeue.probe")}
    assert found == {
        ("typing", True),
        ("asyncpg.pool", True),
        ("equeue.storage", True),
        ("equeue.storage.sql", True),
        ("equeue.queue", False),
        ("equeue.storage.api", False),
        ("json", True),
    }


def test_cycles_are_found() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_module_imports_another_that_imports_it_back_at_import_time() -> None:
    assert cycles(import_graph(top_level_only=True)) == []


@pytest.mark.parametrize("path", upper_layer_files(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_layers_above_the_engine_reach_the_database_only_through_queue(path: Path) -> None:
    offending = [
        f"line {i.line}: {i.target}"
        for i in imports_of(path)
        if any(i.target == f or i.target.startswith(f + ".") for f in FORBIDDEN)
    ]
    assert offending == [], f"{path.relative_to(PACKAGE)} imports below Queue: {offending}"


def test_every_upper_layer_is_checked() -> None:
    checked = {p.relative_to(PACKAGE).parts[0] for p in upper_layer_files()}
    assert {"api", "dashboard"} <= checked
    assert "cli.py" in checked or "cli" in checked


def test_the_job_state_model_is_pure() -> None:
    # It calls itself pure: the standard library only, no driver, no other layer.
    path = PACKAGE / "job" / "states.py"
    assert "This module is pure" in path.read_text(encoding="utf-8")
    imported = {i.target.partition(".")[0] for i in imports_of(path)}
    assert imported <= {"__future__", "dataclasses", "datetime", "enum", "typing", "uuid"}
