"""What the installed package holds: the engine, not the tools used to develop it."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import equeue

PACKAGE = Path(equeue.__file__).resolve().parent
_DROP_SCHEMA = re.compile(r"drop\s+schema", re.IGNORECASE)


def _shipped_sources() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*") if p.suffix in {".py", ".sql"})


def test_no_shipped_file_can_drop_a_schema() -> None:
    sources = _shipped_sources()
    assert any(p.suffix == ".sql" for p in sources)  # the walk does see the queries
    dropping = [str(p.relative_to(PACKAGE)) for p in sources if _DROP_SCHEMA.search(p.read_text())]
    assert dropping == []


def test_the_benchmark_is_not_installed() -> None:
    for module in ("equeue.benchmark", "equeue.benchmark_http", "equeue.storage.benchmark"):
        assert importlib.util.find_spec(module) is None, module
