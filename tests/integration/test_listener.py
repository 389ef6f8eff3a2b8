"""LISTEN connections outlive their backends: killed for real, each is opened again, what
it carried resumes, and the loss and the recovery are logged (real PostgreSQL)."""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any

import asyncpg
import pytest

from equeue import JobStatus, Queue
from equeue.api.events import EventHub
from equeue.listener import Listener
from tests.conftest import running_worker, wait_for_status, wait_until
from tests.integration.test_handoff import offer_is_open

KILLS = 3


async def kill(db: asyncpg.Connection, application_name: str) -> int:
    """Terminate every backend of that name, as an operator (or a crash) would."""
    killed: int = await db.fetchval(
        "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))"
        "  FROM pg_stat_activity WHERE application_name = $1",
        application_name,
    )
    return killed


def logged(caplog: pytest.LogCaptureFixture, text: str) -> int:
    return sum(text in record.getMessage() for record in caplog.records)


async def test_a_worker_whose_listen_backend_is_killed_logs_it_and_is_handed_jobs_again(
    queue: Queue, db: asyncpg.Connection, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="equeue.worker")

    @queue.task(name="ping")
    async def ping() -> str:
        return "pong"

    offers = f'SELECT listener_pid FROM "{queue.schema}".idle_workers WHERE worker_id = $1'
    # Polls 30 s apart: whatever is picked up below, a notification brought.
    async with running_worker(queue, poll_interval=30, lease_seconds=60) as worker:
        await wait_until(offer_is_open(db, queue, worker))
        for _ in range(KILLS):
            old_pid = await db.fetchval(offers, worker.id)
            assert await kill(db, f"equeue:{queue.schema}:listen") == 1

            async def offered_again(old_pid: int = old_pid) -> bool:
                pid = await db.fetchval(offers + " AND open", worker.id)
                return pid is not None and pid != old_pid

            await wait_until(offered_again, timeout=10)
            job = await queue.enqueue("ping")
            assert job.status is JobStatus.RUNNING  # handed over on the new connection
            assert (await wait_for_status(queue, job.id, JobStatus.SUCCEEDED)).result == "pong"
        # Wake-ups resume too: a batch is never handed over, and is claimed at once.
        batch = await queue.enqueue_many([{"type": "ping"}] * 3)
        for job in batch:
            await wait_for_status(queue, job.id, JobStatus.SUCCEEDED, timeout=10)
    assert logged(caplog, "worker notifier: LISTEN connection lost") == KILLS
    assert logged(caplog, "worker notifier: LISTEN connection re-established") == KILLS


async def test_the_event_hub_whose_listen_backend_is_killed_logs_it_and_its_clients_hear_again(
    queue: Queue, db: asyncpg.Connection, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="equeue.api")
    queue.allow_unknown_tasks = True
    hub = EventHub(queue.admin, batch_seconds=0.02)
    await hub.start()
    try:
        # One client, subscribed before any kill, stays subscribed throughout.
        subscription = await hub.subscribe(None, None)
        await hears_again(queue, subscription)
        for _ in range(KILLS):
            assert await kill(db, f"equeue:{queue.schema}:events") == 1
            await hears_again(queue, subscription)
        assert not subscription.dropped.is_set()
    finally:
        await hub.stop()
    assert logged(caplog, "event hub: LISTEN connection lost") == KILLS
    assert logged(caplog, "event hub: LISTEN connection re-established") == KILLS


async def hears_again(queue: Queue, subscription: Any, timeout: float = 10.0) -> None:
    """Enqueue until the client hears of the job: changes made while the hub reconnects
    are missed, so one try may not be enough."""
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        job = await queue.enqueue("t")
        if await heard_of(subscription, job.id, seconds=0.5):
            return
    raise AssertionError("the client heard no event in time")


async def heard_of(subscription: Any, job_id: uuid.UUID, seconds: float) -> bool:
    deadline = asyncio.get_running_loop().time() + seconds
    while (left := deadline - asyncio.get_running_loop().time()) > 0:
        try:
            frame = await asyncio.wait_for(subscription.frames.get(), left)
        except TimeoutError:
            return False
        if any(event["job_id"] == str(job_id) for event in frame):
            return True
    return False


async def test_a_listener_whose_liveness_check_goes_unanswered_listens_anew(
    database_url: str, db: asyncpg.Connection, caplog: pytest.LogCaptureFixture
) -> None:
    """A broken network closes no socket: the check finds it, and the connection is
    opened again (here the check is made to outlast its timeout)."""
    log = logging.getLogger("equeue.test")
    caplog.set_level(logging.INFO, logger=log.name)
    channel = f"test_{uuid.uuid4().hex}"
    heard: list[str] = []
    listener = Listener(
        database_url,
        channel,
        heard.append,
        name="checked",
        application_name="equeue:test:checked",
        check_query="SELECT pg_sleep(5)",
        log=log,
        check_interval=0.2,
        check_timeout=0.2,
    )
    await listener.start()
    try:
        await wait_until(lambda: logged(caplog, "checked: LISTEN connection re-established"))
        assert logged(caplog, "checked: LISTEN connection lost (liveness check failed") >= 1

        async def hears() -> bool:
            await db.execute("SELECT pg_notify($1, 'ping')", channel)
            return "ping" in heard

        await wait_until(hears)
    finally:
        await listener.stop()
