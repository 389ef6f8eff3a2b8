"""Cancelling running jobs: the request is never lost, and an old request never stops a
later run."""

from __future__ import annotations

import asyncio

import asyncpg

from equeue import JobStatus, Queue
from tests.conftest import running_worker, wait_for_status


async def test_a_job_failing_after_its_cancel_was_requested_ends_cancelled(
    queue: Queue,
) -> None:
    started = asyncio.Event()

    @queue.task(name="messy", max_attempts=3)
    async def messy() -> None:
        started.set()
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            raise RuntimeError("could not clean up") from None

    job = await queue.enqueue("messy")
    async with running_worker(queue):
        await asyncio.wait_for(started.wait(), 10)
        await queue.cancel(job.id)
        done = await wait_for_status(
            queue, job.id, JobStatus.CANCELLED, JobStatus.RETRYING, JobStatus.QUEUED
        )
    assert done.status is JobStatus.CANCELLED
    assert done.finished_at is not None
    assert done.history[-1].outcome == "failed"  # what the attempt did
    assert "could not clean up" in (done.last_error or "")


async def test_a_replayed_job_is_not_stopped_by_the_cancel_of_an_earlier_run(
    queue: Queue, db: asyncpg.Connection
) -> None:
    runs = 0

    @queue.task(name="steady", max_attempts=1)
    async def steady() -> str:
        nonlocal runs
        runs += 1
        if runs == 1:
            raise RuntimeError("first run fails")
        await asyncio.sleep(1)  # long enough for several heartbeats
        return "done"

    job = await queue.enqueue("steady")
    async with running_worker(queue, heartbeat_interval=0.1):
        await wait_for_status(queue, job.id, JobStatus.FAILED)
        # Dead-lettered jobs written by earlier versions can carry a cancel request.
        await db.execute(
            f'UPDATE "{queue.schema}".jobs SET cancel_requested = true WHERE id = $1', job.id
        )
        assert await queue.replay_failed() == 1
        done = await wait_for_status(queue, job.id, JobStatus.SUCCEEDED, JobStatus.CANCELLED)
    assert done.status is JobStatus.SUCCEEDED, done.history
    assert not done.cancel_requested
