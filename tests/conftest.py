"""Shared fixtures: every test that touches storage gets a schema of its own in a real
PostgreSQL, so tests run in parallel and never see each other's jobs."""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import asyncpg
import pytest

from equeue import Queue, Worker, WorkerSettings
from equeue.job import JobStatus
from equeue.storage import Storage

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


@pytest.fixture(scope="session")
def database_url() -> str:
    return os.environ.get("EQUEUE_TEST_DATABASE_URL", DEFAULT_URL)


@pytest.fixture
def schema_name() -> str:
    return f"t_{uuid.uuid4().hex[:16]}"


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    """A plain connection for looking at the database directly."""
    connection = await asyncpg.connect(database_url)
    try:
        yield connection
    finally:
        await connection.close()


@pytest.fixture
async def queue(database_url: str, schema_name: str) -> AsyncIterator[Queue]:
    """A migrated queue in a fresh schema, dropped afterwards."""
    q = Queue(database_url, schema=schema_name, pool_max_size=5)
    await q.migrate()
    try:
        yield q
    finally:
        await q.close()
        connection = await asyncpg.connect(database_url)
        try:
            await connection.execute(f'DROP SCHEMA IF EXISTS "{schema_name}" CASCADE')
        finally:
            await connection.close()


@contextlib.asynccontextmanager
async def running_worker(queue: Queue, **settings: Any) -> AsyncIterator[Worker]:
    """Run a worker in this event loop for the duration of the block."""
    settings.setdefault("poll_interval", 0.2)
    worker = Worker(queue, WorkerSettings(**settings))
    task = asyncio.create_task(worker.run())
    try:
        yield worker
    finally:
        if not worker.stopping:
            worker.stop()
        await asyncio.wait_for(task, timeout=30)


async def wait_for_status(
    queue: Queue, job_id: uuid.UUID, *statuses: JobStatus, timeout: float = 15.0
) -> Any:
    """Poll a job until it reaches one of ``statuses``; fail with its last state if not."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        job = await queue.get_job(job_id)
        if job.status in statuses:
            return job
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"job stayed {job.status} (wanted {statuses}): {job}")
        await asyncio.sleep(0.05)


async def wait_until(predicate: Callable[[], Any], timeout: float = 15.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not (await predicate() if asyncio.iscoroutinefunction(predicate) else predicate()):
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


async def storage_of(queue: Queue) -> Storage:
    """The storage layer behind a queue, for tests that look beneath the façade."""
    return await queue._storage()
