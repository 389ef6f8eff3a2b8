"""Schema migrations: ordered plain-SQL files shipped in this package.

``NNNN_name.sql`` files are applied in order, each in its own transaction, and recorded
in ``<schema>.migrations``. A session advisory lock makes concurrent callers (several
workers starting at once) apply each file exactly once.

A migration works with the code of the release before it (add first, remove a release
later), so during a rolling deploy the previous release's workers go on against the new
schema. A migration that cannot hold to that says so with a line of its own,
:data:`BREAKS_OLDER`; it is recorded with it, and code that does not know the migration
refuses to start on the schema (:func:`check`).
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
#: The line by which a migration says the code of earlier releases cannot run on it.
BREAKS_OLDER = "-- equeue: breaks older code"


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def breaks_older(self) -> bool:
        return any(line.strip() == BREAKS_OLDER for line in self.sql.splitlines())


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


async def migrate(
    connection: Connection, schema: str = "equeue", *, until: int | None = None
) -> list[int]:
    """Apply pending migrations to ``schema`` (those up to ``until`` only, when given: an
    older release's schema, for upgrade tests); returns the versions applied now."""
    queries = Queries(schema)
    lock_key = f"{schema}:migrate"
    await connection.execute(queries["migration_lock"], lock_key)
    try:
        await connection.execute(queries["create_schema"])
        await connection.execute(queries["create_migrations_table"])
        await connection.execute(queries["add_migrations_breaks_older"])
        done = {r["version"] for r in await connection.fetch(queries["applied_migrations"])}
        applied = []
        for migration in available():
            if migration.version in done or (until is not None and migration.version > until):
                continue
            async with connection.transaction():
                await connection.execute(render(migration.sql, schema))
                await connection.execute(
                    queries["record_migration"],
                    migration.version,
                    migration.name,
                    migration.breaks_older,
                )
            log.info(
                "applied migration %04d_%s to schema %s", migration.version, migration.name, schema
            )
            applied.append(migration.version)
        return applied
    finally:
        await connection.execute(queries["migration_unlock"], lock_key)


@dataclass(frozen=True, slots=True)
class SchemaState:
    """How a schema's migrations compare with the ones this code ships."""

    known: int  #: the newest migration this code ships
    missing: list[str]  #: shipped, not applied (``NNNN_name``)
    newer: list[str]  #: applied, unknown to this code: a newer release migrated it
    breaking: list[str]  #: of ``newer``, those that break the code before them

    @property
    def schema_version(self) -> int:
        """The newest migration applied."""
        return max([self.known, *(int(name[:4]) for name in self.newer)])


async def state(connection: Connection, schema: str) -> SchemaState:
    """Compare ``schema``'s applied migrations with the ones this code ships."""
    queries = Queries(schema)
    rows = []
    if await connection.fetchval(queries["migrations_table_exists"]):
        rows = await connection.fetch(queries["applied_migrations_detail"])
    applied = {row["version"]: row for row in rows}
    shipped = available()
    known = {m.version for m in shipped}
    newer = [row for version, row in applied.items() if version not in known]
    return SchemaState(
        known=max(known),
        missing=[f"{m.version:04d}_{m.name}" for m in shipped if m.version not in applied],
        newer=[f"{row['version']:04d}_{row['name']}" for row in newer],
        breaking=[f"{row['version']:04d}_{row['name']}" for row in newer if row["breaks_older"]],
    )
