"""A worker process at start: against a schema a newer release migrated (rolling
deploy), one with migrations it needs not applied, and a database that is not up yet."""

from __future__ import annotations

import subprocess
import time
from functools import partial
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from equeue import Queue, migrations
from equeue.storage.sql import Queries, render
from tests.conftest import wait_until
from tests.e2e.battery.conftest import Fleet
from tests.e2e.battery.proxy import CuttableProxy
from tests.e2e.test_api_http import free_port

pytestmark = pytest.mark.battery

NEWEST = migrations.available()[-1]
WORK = {"type": "battery.work", "payload": {"seconds": 0.01}}


async def test_a_schema_a_newer_release_migrated_is_run_on_unless_it_breaks_older_code(
    battery_queue: Queue, fleet: Fleet, database_url: str
) -> None:
    await _record(database_url, fleet.schema, NEWEST.version + 1, "next_release", False)
    goes_on = fleet.spawn()
    job = await battery_queue.enqueue("battery.work", {"seconds": 0.01})
    await wait_until(partial(_status_is, battery_queue, job.id, "succeeded"), timeout=20)
    assert goes_on.poll() is None
    assert (
        f"is at migration {NEWEST.version + 1}; this worker knows up to {NEWEST.version} "
        f"({NEWEST.version + 1:04d}_next_release applied by a newer release): going on"
    ) in _log(fleet, 0)

    await _record(database_url, fleet.schema, NEWEST.version + 2, "breaking_release", True)
    refuses = fleet.spawn()
    assert await _exit_status(refuses) == 1
    assert (
        f"is at migration {NEWEST.version + 2}; this worker knows up to {NEWEST.version}, "
        f"and {NEWEST.version + 2:04d}_breaking_release breaks the code of earlier releases: "
        "upgrade the worker"
    ) in _flat(_log(fleet, 1))
    assert goes_on.poll() is None  # a running worker checks only at start


async def test_a_schema_with_migrations_pending_is_refused_or_migrated(
    battery_queue: Queue, fleet: Fleet, database_url: str
) -> None:
    older = [m for m in migrations.available() if m.version <= 11]
    pending = [f"{m.version:04d}_{m.name}" for m in migrations.available() if m.version > 11]
    await _schema_at(database_url, fleet.schema, older)

    refuses = fleet.spawn("--no-migrate")
    assert await _exit_status(refuses) == 1
    assert (
        f"lacks migrations this worker needs: {', '.join(pending)}; apply them first "
        "(`equeue migrate`)"
    ) in _flat(_log(fleet, 0))

    fleet.spawn()  # the default: it applies them, then works
    # This release's enqueue needs the schema it knows: enqueue once the worker migrated.
    await wait_until(partial(_migrated_to, database_url, fleet.schema, NEWEST.version), 30)
    job = await battery_queue.enqueue("battery.work", {"seconds": 0.01})
    await wait_until(partial(_status_is, battery_queue, job.id, "succeeded"), timeout=20)


async def test_a_worker_waits_for_a_database_that_is_not_up_yet(
    battery_queue: Queue, fleet: Fleet
) -> None:
    port = free_port()  # nothing listens there yet: every connection is refused
    proxy = CuttableProxy(fleet.url)
    parts = urlsplit(fleet.url)
    down_url = urlunsplit(parts._replace(netloc=f"{parts.username}@127.0.0.1:{port}"))
    worker = fleet.spawn(env={"EQUEUE_DATABASE_URL": down_url})
    try:
        await wait_until(partial(_tries_logged, fleet, 3), timeout=20)
        assert worker.poll() is None
        job = await battery_queue.enqueue("battery.work", {"seconds": 0.01})
        await proxy.start(port)  # the database comes up
        opened = time.monotonic()
        await wait_until(partial(_status_is, battery_queue, job.id, "succeeded"), timeout=20)
        took = time.monotonic() - opened
    finally:
        await proxy.close()
    log = _log(fleet, 0)
    assert "cannot reach the database at start (DatabaseUnavailableError: [Errno 111]" in log
    assert "; trying again in " in log
    assert "the database answered after" in log
    print(
        f"BATTERY worker start, database down: waited {log.count('trying again')} tries, "
        f"ran its job {took:.1f}s after the database came up"
    )


async def _record(url: str, schema: str, version: int, name: str, breaks: bool) -> None:
    """A migration row as a newer release's runner writes it."""
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(
            f'INSERT INTO "{schema}".migrations (version, name, breaks_older) VALUES ($1, $2, $3)',
            version,
            name,
            breaks,
        )
    finally:
        await connection.close()


async def _schema_at(url: str, schema: str, applied: list[migrations.Migration]) -> None:
    """``schema`` as a release that shipped only ``applied`` left it (and its runner: the
    migrations table without the column added since)."""
    queries = Queries(schema)
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await connection.execute(queries["create_schema"])
        await connection.execute(
            f'CREATE TABLE "{schema}".migrations (version integer PRIMARY KEY, name text NOT '
            "NULL, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        for migration in applied:
            await connection.execute(render(migration.sql, schema))
            await connection.execute(
                f'INSERT INTO "{schema}".migrations (version, name) VALUES ($1, $2)',
                migration.version,
                migration.name,
            )
    finally:
        await connection.close()


async def _exit_status(process: subprocess.Popen[bytes]) -> int:
    await wait_until(lambda: process.poll() is not None, timeout=30)
    return process.returncode


async def _status_is(queue: Queue, job_id: object, status: str) -> bool:
    return (await queue.get_job(job_id)).status == status  # type: ignore[arg-type]


async def _tries_logged(fleet: Fleet, tries: int) -> bool:
    return _log(fleet, 0).count("cannot reach the database at start") >= tries


def _log(fleet: Fleet, index: int) -> str:
    fleet.logs[index].flush()
    return fleet.log_path(index).read_text(errors="replace")


def _flat(text: str) -> str:
    """The log with the line breaks a terminal-width message got undone."""
    return " ".join(text.split())


async def _migrated_to(url: str, schema: str, version: int) -> bool:
    connection = await asyncpg.connect(url)
    try:
        newest = await connection.fetchval(f'SELECT max(version) FROM "{schema}".migrations')
        return bool(newest is not None and newest >= version)
    finally:
        await connection.close()
