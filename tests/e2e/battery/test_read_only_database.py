"""A database that turns read-only under an API server and a worker (as a primary demoted
to a standby does): every enqueue is refused with a clear 503 and Retry-After, nothing is
half-written, and both serve again by themselves once it is writable again.

The fault is set on a database created for this test alone (``ALTER DATABASE ... SET
default_transaction_read_only``), never on the shared server. A database setting reaches
only new sessions, so each switch also ends the sessions open on it, as a failover does.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest

from equeue import Queue
from tests.conftest import wait_until
from tests.e2e.battery.api_server import api_server
from tests.e2e.battery.battery_app import MAX_ATTEMPTS
from tests.e2e.battery.conftest import Fleet
from tests.e2e.battery.invariants import assert_holds, check

pytestmark = pytest.mark.battery
SCHEMA = "battery"
WORK = {"type": "battery.work", "payload": {"seconds": 0.05}, "max_attempts": MAX_ATTEMPTS}


@pytest.fixture
async def own_database(database_url: str) -> AsyncIterator[str]:
    """The URL of a database created for this test, dropped after it."""
    name = f"equeue_battery_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(database_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield urlunsplit(urlsplit(database_url)._replace(path=f"/{name}"))
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def set_read_only(admin_url: str, database: str, read_only: bool) -> None:
    """Switch the database, then end its sessions: their successors get the new setting."""
    admin = await asyncpg.connect(admin_url)
    try:
        if read_only:
            await admin.execute(
                f'ALTER DATABASE "{database}" SET default_transaction_read_only = on'
            )
        else:
            await admin.execute(f'ALTER DATABASE "{database}" RESET default_transaction_read_only')
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1",
            database,
        )
    finally:
        await admin.close()


async def enqueue_until_accepted(api: httpx.AsyncClient, count: int) -> set[uuid.UUID]:
    """``count`` jobs through the API, each tried again after a 503 until it is 201."""
    accepted: set[uuid.UUID] = set()
    deadline = time.monotonic() + 60
    while len(accepted) < count:
        answer = await api.post("/v1/jobs", json=WORK)
        if answer.status_code == 201:
            accepted.add(uuid.UUID(answer.json()["id"]))
        else:
            assert answer.status_code == 503, answer.text
            assert time.monotonic() < deadline, "the API never served again"
    return accepted


async def test_a_read_only_database_refuses_enqueues_with_503_and_recovers(
    database_url: str, own_database: str, tmp_path: Path
) -> None:
    database = urlsplit(own_database).path.lstrip("/")
    async with Queue(own_database, schema=SCHEMA) as queue:
        await queue.migrate()
    fleet = Fleet(own_database, SCHEMA, tmp_path)
    try:
        fleet.spawn("--concurrency", "10", "--lease", "2")
        with api_server(own_database, SCHEMA, tmp_path, pool_max_size=4) as server:
            async with server.client() as api:
                committed = await enqueue_until_accepted(api, 20)
                await set_read_only(database_url, database, True)
                refused, codes = await _refused_while_read_only(api, own_database)
                await set_read_only(database_url, database, False)
                cleared = time.monotonic()
                committed |= await enqueue_until_accepted(api, 20)
        async with Queue(own_database, schema=SCHEMA) as queue:
            await wait_until(partial(_all_succeeded, queue, len(committed)), timeout=60)
        recovery = time.monotonic() - cleared
        report = await check(own_database, SCHEMA, committed, tmp_path)
    finally:
        fleet.kill_all()
    assert_holds(f"read-only database ({refused} enqueues refused)", report, 1, recovery)
    assert report.statuses == {"succeeded": len(committed)}
    assert "read_only" in codes


async def _refused_while_read_only(api: httpx.AsyncClient, url: str) -> tuple[int, set[str]]:
    """Single and batch enqueues while the database is read-only: each answered 503 with
    Retry-After (the first ones may meet a session that was just ended), none written."""
    before = await _count_jobs(url)
    codes: set[str] = set()
    refused = 0
    while "read_only" not in codes or refused < 10:
        single = await api.post("/v1/jobs", json=WORK)
        batch = await api.post("/v1/jobs/batch", json={"jobs": [WORK] * 50})
        for answer in (single, batch):
            assert answer.status_code == 503, answer.text
            assert int(answer.headers["retry-after"]) > 0
            codes.add(answer.json()["error"]["code"])
            refused += 1
        assert codes <= {"read_only", "unavailable"}, codes
    assert await _count_jobs(url) == before  # nothing half-written
    return refused, codes


async def _count_jobs(url: str) -> int:
    connection = await asyncpg.connect(url)
    try:
        return int(await connection.fetchval(f'SELECT count(*) FROM "{SCHEMA}".any_jobs'))
    finally:
        await connection.close()


async def _all_succeeded(queue: Queue, total: int) -> bool:
    return (await queue.counts()).get("default", {}).get("succeeded", 0) == total
