"""Loads the named SQL statements of ``storage/queries/*.sql``.

A file holds blocks that start with ``-- name: <query_name>``; the comment lines right
after it describe the statement. ``{schema}`` in a statement becomes the quoted schema
name and ``{channel}`` the quoted NOTIFY channel, both fixed per :class:`Queue`, so no
value a caller sends is ever formatted into SQL: values always travel as ``$n`` bind
parameters.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

_NAME = re.compile(r"^-- name: ([a-z0-9_]+)\s*$", re.MULTILINE)
_SCHEMA_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,50}$")


def quote_ident(name: str) -> str:
    """Quote a SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    """Quote a SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def validate_schema_name(schema: str) -> str:
    """Refuse schema names that would need quoting tricks or overflow the channel name."""
    if not _SCHEMA_NAME.match(schema):
        raise ValueError(
            f"schema name {schema!r} must be a letter or underscore followed by up to 50 "
            "letters, digits or underscores"
        )
    return schema


def channel_name(schema: str) -> str:
    """The LISTEN/NOTIFY channel of one schema's jobs."""
    return f"equeue_{schema}"


def render(template: str, schema: str) -> str:
    """Fill the schema and channel placeholders of a statement."""
    return template.replace("{schema}", quote_ident(schema)).replace(
        "{channel}", quote_literal(channel_name(schema))
    )


@cache
def _templates() -> dict[str, str]:
    found: dict[str, str] = {}
    folder = resources.files("equeue.storage") / "queries"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".sql"):
            continue
        text = entry.read_text(encoding="utf-8")
        parts = _NAME.split(text)
        # parts = [preamble, name1, body1, name2, body2, ...]
        for name, body in zip(parts[1::2], parts[2::2], strict=True):
            if name in found:
                raise RuntimeError(f"query {name!r} is defined twice")
            found[name] = body.strip()
    return found


class Queries:
    """The statements of one schema, rendered once."""

    def __init__(self, schema: str) -> None:
        self.schema = validate_schema_name(schema)
        self._rendered = {name: render(body, schema) for name, body in _templates().items()}

    def __getitem__(self, name: str) -> str:
        return self._rendered[name]

    def names(self) -> list[str]:
        return sorted(self._rendered)
