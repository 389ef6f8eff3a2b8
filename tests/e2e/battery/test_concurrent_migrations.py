"""A new release's migration applied by two processes at the same moment, on a schema in
use: enqueues and reads go on throughout (they wait on the migration's locks, none
fails), the migration is applied once, both processes succeed, and the new workers then
run every job."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import asyncpg
import pytest

from equeue import Queue
from equeue.migrations import available
from equeue.storage.sql import Queries, render
from tests.conftest import wait_until
from tests.e2e.battery.battery_app import MAX_ATTEMPTS
from tests.e2e.battery.conftest import ROOT, Fleet
from tests.e2e.battery.invariants import assert_holds, check

pytestmark = pytest.mark.battery
WORK = {"type": "battery.work", "payload": {"seconds": 0.01}, "max_attempts": MAX_ATTEMPTS}


async def at_previous_release(url: str, schema: str) -> int:
    """The schema as the release before this one left it: every migration but the
    newest. Returns the newest one's version."""
    *previous, newest = available()
    queries = Queries(schema)
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(queries["create_schema"])
        await connection.execute(queries["create_migrations_table"])
        await connection.execute(queries["add_migrations_breaks_older"])
        for migration in previous:
            async with connection.transaction():
                await connection.execute(render(migration.sql, schema))
                await connection.execute(
                    queries["record_migration"],
                    migration.version,
                    migration.name,
                    migration.breaks_older,
                )
    finally:
        await connection.close()
    return newest.version


class Traffic:
    """An application at work on the schema: enqueues, and reads of what it enqueued.

    The reads are the previous release's own (``SELECT *`` of the jobs table): this
    release reads jobs through the view the newest migration makes."""

    def __init__(self, queue: Queue, reader: asyncpg.Connection) -> None:
        self.queue = queue
        self.reader = reader
        self.committed: set[uuid.UUID] = set()
        self.reads = 0
        self.running = True

    async def run(self) -> None:
        while self.running:  # an error fails the test
            jobs = await self.queue.enqueue_many([WORK] * 10)
            self.committed |= {job.id for job in jobs}
            table = f'"{self.queue.schema}".jobs'
            # SELECT *: the table may just have got a column, or a table made like it.
            await self.reader.fetchrow(f"SELECT * FROM {table} WHERE id = $1", jobs[0].id)
            self.reads += 1
            await asyncio.sleep(0.01)


async def migrate_in_a_process(url: str, schema: str, log: Path) -> int:
    """``equeue migrate`` in a process of its own; its exit code."""
    env = {**os.environ, "EQUEUE_DATABASE_URL": url, "EQUEUE_SCHEMA": schema}
    with open(log, "wb") as output:
        proc = subprocess.Popen(
            [sys.executable, "-m", "equeue", "migrate"],
            env=env,
            cwd=ROOT,
            stdout=output,
            stderr=output,
        )
        return await asyncio.to_thread(proc.wait, 60)


async def test_two_processes_migrate_at_once_while_the_schema_is_in_use(
    database_url: str, schema_name: str, tmp_path: Path, db: asyncpg.Connection
) -> None:
    newest = await at_previous_release(database_url, schema_name)
    fleet = Fleet(database_url, schema_name, tmp_path)
    queue = Queue(database_url, schema=schema_name, allow_unknown_tasks=True)
    try:
        traffic = Traffic(queue, db)
        working = asyncio.create_task(traffic.run())
        await wait_until(lambda: traffic.reads >= 20, timeout=30)
        started = time.monotonic()
        logs = [tmp_path / f"migrate{i}.log" for i in (1, 2)]
        codes = await asyncio.gather(
            *(migrate_in_a_process(database_url, schema_name, log) for log in logs)
        )
        migrated_in = time.monotonic() - started
        reads = traffic.reads
        await wait_until(lambda: traffic.reads >= reads + 20, timeout=30)  # still at work
        traffic.running = False
        await working
        assert codes == [0, 0], [log.read_text() for log in logs]
        versions = await db.fetch(
            f'SELECT version FROM "{schema_name}".migrations WHERE version = $1', newest
        )
        assert len(versions) == 1  # applied once, by one of the two

        fleet.spawn("--concurrency", "20")  # the new release's worker

        async def all_done() -> bool:
            counts = (await queue.counts()).get("default", {})
            return counts.get("succeeded", 0) == len(traffic.committed)

        await wait_until(all_done, timeout=60)
        report = await check(database_url, schema_name, traffic.committed, tmp_path)
    finally:
        fleet.kill_all()
        await queue.close()
        await db.execute(f'DROP SCHEMA IF EXISTS "{schema_name}" CASCADE')
    assert_holds("concurrent migrations under traffic", report, 2, migrated_in)
    assert report.statuses == {"succeeded": len(traffic.committed)}
