"""docs/api.md cannot drift from the API: its endpoint table and the OpenAPI schema the
app serves must name the same routes."""

from __future__ import annotations

import re
from pathlib import Path

from equeue import Queue
from equeue.api import create_app

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
_ROUTE = re.compile(r"\b(GET|POST|PUT|PATCH|DELETE) (/[^\s`?]*)")


def documented_routes() -> set[tuple[str, str]]:
    table = DOC.read_text().split("## Endpoints", 1)[1].split("\n## ", 1)[0]
    routes = set()
    for line in table.splitlines():
        if line.startswith("| `"):
            first_cell = line.split("|")[1]
            routes |= set(_ROUTE.findall(first_cell))
    return routes


def served_routes() -> set[tuple[str, str]]:
    schema = create_app(Queue("postgresql://unused/unused")).openapi()
    return {
        (method.upper(), re.sub(r"\{[a-z_]*id\}", "{id}", path))
        for path, operations in schema["paths"].items()
        for method in operations
    }


def test_every_served_route_is_documented_and_every_documented_one_served() -> None:
    documented, served = documented_routes(), served_routes()
    assert served - documented == set(), "routes missing from docs/api.md"
    assert documented - served == set(), "docs/api.md names routes the API does not serve"
