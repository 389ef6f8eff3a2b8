"""Migrations: idempotent, safe when many processes start at once, one schema per app."""

from __future__ import annotations

import asyncio

import asyncpg

from equeue import Queue
from equeue.migrations import available, migrate, pending
from tests.conftest import storage_of


async def test_concurrent_migrations_apply_each_file_once(
    database_url: str, schema_name: str
) -> None:
    connections = [await asyncpg.connect(database_url) for _ in range(6)]
    try:
        results = await asyncio.gather(*(migrate(c, schema_name) for c in connections))
        versions = [m.version for m in available()]
        # Exactly one caller applied everything; the others found nothing to do.
        assert sorted(map(tuple, results)) == [()] * 5 + [tuple(versions)]
        assert await pending(connections[0], schema_name) == []
        assert await migrate(connections[0], schema_name) == []
        recorded = await connections[0].fetch(
            f'SELECT version FROM "{schema_name}".migrations ORDER BY version'
        )
        assert [r["version"] for r in recorded] == versions
    finally:
        await connections[0].execute(f'DROP SCHEMA IF EXISTS "{schema_name}" CASCADE')
        for c in connections:
            await c.close()


async def test_two_schemas_in_one_database_do_not_see_each_other(
    queue: Queue, database_url: str, schema_name: str
) -> None:
    other = Queue(database_url, schema=schema_name + "_b", allow_unknown_tasks=True)
    try:
        await other.migrate()
        await other.enqueue("t", {})
        queue.allow_unknown_tasks = True
        await queue.enqueue("t", {})
        await queue.enqueue("t", {})
        assert (await other.counts())["default"]["queued"] == 1
        assert (await queue.counts())["default"]["queued"] == 2
    finally:
        storage = await storage_of(other)
        await storage.pool.execute(f'DROP SCHEMA "{schema_name}_b" CASCADE')
        await other.close()
