"""How a stopping worker drains: against an in-memory storage."""

from __future__ import annotations

import asyncio
import time

from tests.conftest import wait_until
from tests.unit.fake_storage import FakeStorage
from tests.unit.worker_harness import make_queue, serving


async def test_stop_lets_running_jobs_finish_within_the_grace_then_releases_the_rest() -> None:
    queue = make_queue()
    gate = asyncio.Event()
    grace = 1.0

    @queue.task(name="finishes")
    async def finishes() -> str:
        await gate.wait()
        return "in time"

    @queue.task(name="forever")
    async def forever() -> None:
        await asyncio.Event().wait()

    storage = FakeStorage()
    quick, slow = storage.add("finishes"), storage.add("forever")
    async with serving(queue, storage, shutdown_grace=grace) as worker:
        await wait_until(lambda: quick.status == slow.status == "running")
        claims = len(storage.calls_of("claim"))
        started = time.monotonic()
        worker.stop()
        gate.set()  # the quick one finishes during the grace period
        await wait_until(lambda: quick.status == "succeeded")
        assert slow.status == "running"  # still given its grace
    waited = time.monotonic() - started
    assert grace * 0.9 <= waited < grace + 5
    assert slow.status == "queued" and slow.attempts == 0  # given back, attempt not counted
    assert storage.calls_of("release") == [1]
    assert len(storage.calls_of("claim")) == claims  # no claim after the stop
    assert worker.jobs_done == 2


async def test_a_second_stop_releases_running_jobs_at_once() -> None:
    queue = make_queue()

    @queue.task(name="forever")
    async def forever() -> None:
        await asyncio.Event().wait()

    storage = FakeStorage()
    jobs = [storage.add("forever") for _ in range(3)]
    started = 0.0
    async with serving(queue, storage, shutdown_grace=60) as worker:
        await wait_until(lambda: all(job.status == "running" for job in jobs))
        started = time.monotonic()
        worker.stop()
        worker.stop()
    assert time.monotonic() - started < 10  # far below the 60 s grace
    assert {job.status for job in jobs} == {"queued"}
    assert storage.calls_of("release") == [3]


async def test_a_job_asked_to_stop_while_draining_ends_cancelled_not_released() -> None:
    queue = make_queue()

    @queue.task(name="forever")
    async def forever() -> None:
        await asyncio.Event().wait()

    storage = FakeStorage()
    job = storage.add("forever")
    async with serving(queue, storage, shutdown_grace=30) as worker:
        await wait_until(lambda: job.status == "running")
        worker.stop()
        job.cancel_requested = True
        worker.on_heartbeat(set(), {job.id})
        await wait_until(lambda: job.status == "cancelled")
    assert storage.calls_of("mark_cancelled") == [1]
    assert storage.calls_of("release") == []
