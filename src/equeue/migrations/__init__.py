"""Schema migrations: ordered plain-SQL files shipped in this package.

``NNNN_name.sql`` files are applied in order, each in its own transaction, and recorded
in ``<schema>.migrations``. A session advisory lock makes concurrent callers (several
workers starting at once) apply each file exactly once.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from importlib import resources

from equeue.storage import Connection
from equeue.storage.sql import Queries, render

log = logging.getLogger("equeue.migrations")
_FILE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


def available() -> list[Migration]:
    """Every migration shipped with this version of equeue, in order."""
    found = []
    for entry in resources.files(__name__).iterdir():
        match = _FILE.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    return sorted(found, key=lambda m: m.version)


async def pending(connection: Connection, schema: str) -> list[Migration]:
    """Migrations not yet applied to ``schema`` (all of them if it does not exist)."""
    queries = Queries(schema)
    applied: set[int] = set()
    if await connection.fetchval(queries["migrations_table_exists"]):
        rows = await connection.fetch(queries["applied_migrations"])
        applied = {row["version"] for row in rows}
    return [m for m in available() if m.version not in applied]


async def migrate(connection: Connection, schema: str = "equeue") -> list[int]:
    """Apply pending migrations to ``schema``; returns the versions applied now."""
    queries = Queries(schema)
    lock_key = f"{schema}:migrate"
    await connection.execute(queries["migration_lock"], lock_key)
    try:
        await connection.execute(queries["create_schema"])
        await connection.execute(queries["create_migrations_table"])
        done = {r["version"] for r in await connection.fetch(queries["applied_migrations"])}
        applied = []
        for migration in available():
            if migration.version in done:
                continue
            async with connection.transaction():
                await connection.execute(render(migration.sql, schema))
                await connection.execute(
                    queries["record_migration"], migration.version, migration.name
                )
            log.info(
                "applied migration %04d_%s to schema %s", migration.version, migration.name, schema
            )
            applied.append(migration.version)
        return applied
    finally:
        await connection.execute(queries["migration_unlock"], lock_key)
