"""A database that cannot take a request now: an exhausted pool fails fast, a read-only
database refuses writes; the caller gets one of equeue's errors (the API a 503 with
Retry-After), and nothing is written."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest

from equeue import Queue
from equeue.api import ApiSettings, create_app
from equeue.errors import DatabaseBusyError, DatabaseReadOnlyError, DatabaseUnavailableError
from tests.conftest import storage_of

KEY = f"refusals-{uuid.uuid4().hex}"


@pytest.fixture
async def small_pool(queue: Queue) -> AsyncIterator[Queue]:
    """A queue on the same schema whose one pooled connection callers wait 0.3 s for."""
    narrow = Queue(queue.dsn, schema=queue.schema, pool_max_size=1, pool_wait_seconds=0.3)
    narrow.allow_unknown_tasks = True
    await narrow.open()
    yield narrow
    await narrow.close()


async def count_jobs(db: asyncpg.Connection, schema: str) -> int:
    return int(await db.fetchval(f'SELECT count(*) FROM "{schema}".jobs'))


async def test_an_exhausted_pool_fails_fast_and_writes_nothing(
    small_pool: Queue, db: asyncpg.Connection
) -> None:
    storage = await storage_of(small_pool)
    async with storage.pool.acquire():  # its only connection, held elsewhere
        started = time.monotonic()
        with pytest.raises(DatabaseBusyError, match="every pooled connection is in use"):
            await small_pool.enqueue("t", {})
        assert time.monotonic() - started < 5  # waited its 0.3 s, not for ever
    assert await count_jobs(db, small_pool.schema) == 0
    await small_pool.enqueue("t", {})  # the connection is back: served at once
    assert await count_jobs(db, small_pool.schema) == 1


async def test_the_api_answers_503_with_retry_after_while_the_pool_is_exhausted(
    small_pool: Queue, db: asyncpg.Connection
) -> None:
    app = create_app(small_pool, ApiSettings(api_key=KEY))
    storage = await storage_of(small_pool)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://127.0.0.1", headers={"x-api-key": KEY}
    ) as api:
        async with storage.pool.acquire():
            busy = await api.post("/v1/jobs", json={"type": "t", "payload": {}})
        assert busy.status_code == 503, busy.text
        assert busy.headers["retry-after"] == "1"
        assert busy.json()["error"]["code"] == "busy"
        assert await count_jobs(db, small_pool.schema) == 0
        served = await api.post("/v1/jobs", json={"type": "t", "payload": {}})
        assert served.status_code == 201, served.text


async def test_a_read_only_transaction_refuses_the_enqueue_clearly(
    queue: Queue, database_url: str, db: asyncpg.Connection
) -> None:
    queue.allow_unknown_tasks = True
    connection = await asyncpg.connect(database_url)
    try:
        await connection.execute("SET default_transaction_read_only = on")
        async with connection.transaction():
            with pytest.raises(DatabaseReadOnlyError, match="read-only transaction"):
                await queue.enqueue("t", {}, connection=connection)
    finally:
        await connection.close()
    assert await count_jobs(db, queue.schema) == 0


async def test_sessions_ended_under_the_pool_fail_as_unavailable_then_serve_again(
    small_pool: Queue, db: asyncpg.Connection
) -> None:
    """The server ends every pooled session (a failover, an operator's
    ``pg_terminate_backend``) and enqueues follow at once: each fails as
    :class:`DatabaseUnavailableError` (the API's 503 with Retry-After), never as an
    unknown error, and the next try is served on a fresh connection."""
    storage = await storage_of(small_pool)
    failures: list[Exception] = []
    for _ in range(30):
        async with storage.pool.acquire() as connection:
            pid = connection.get_server_pid()
        await db.execute("SELECT pg_terminate_backend($1)", pid)
        try:
            await small_pool.enqueue("t", {})
        except DatabaseUnavailableError:
            pass
        except Exception as exc:  # any other kind is what this test finds
            failures.append(exc)
        await small_pool.enqueue("t", {})
    assert failures == []
