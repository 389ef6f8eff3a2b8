"""Cancelling running jobs: the request is never lost, the job never stays held, and an
old request never stops a later run."""

from __future__ import annotations

import asyncio

import asyncpg

from equeue import JobStatus, Queue
from tests.conftest import running_worker, wait_for_status, wait_until


async def refuse_cancels(db: asyncpg.Connection, schema: str) -> None:
    """Make every write of the status 'cancelled' fail, counting the refusals."""
    await db.execute(
        f"""
        CREATE SEQUENCE "{schema}".refused_cancels;
        CREATE FUNCTION "{schema}".refuse_cancel() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM nextval('"{schema}".refused_cancels');
            RAISE EXCEPTION 'the database refuses this cancel';
        END $$;
        CREATE TRIGGER refuse_cancel BEFORE UPDATE ON "{schema}".jobs
           FOR EACH ROW WHEN (NEW.status = 'cancelled')
           EXECUTE FUNCTION "{schema}".refuse_cancel();
        """
    )


async def test_a_cancel_the_database_refuses_is_written_once_it_can_be(
    queue: Queue, db: asyncpg.Connection
) -> None:
    started = asyncio.Event()

    @queue.task(name="long")
    async def long() -> None:
        started.set()
        await asyncio.sleep(60)

    job = await queue.enqueue("long")
    async with running_worker(queue, heartbeat_interval=0.2):
        await asyncio.wait_for(started.wait(), 10)
        await refuse_cancels(db, queue.schema)
        await queue.cancel(job.id)

        async def refused() -> bool:
            query = f'SELECT is_called FROM "{queue.schema}".refused_cancels'
            return bool(await db.fetchval(query))

        await wait_until(refused)
        await db.execute(f'DROP TRIGGER refuse_cancel ON "{queue.schema}".jobs')
        done = await wait_for_status(queue, job.id, JobStatus.CANCELLED)
    assert done.history[-1].outcome == "cancelled"


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


async def test_a_job_released_at_shutdown_after_its_cancel_was_requested_ends_cancelled(
    queue: Queue,
) -> None:
    started = asyncio.Event()

    @queue.task(name="long")
    async def long() -> None:
        started.set()
        await asyncio.sleep(60)

    job = await queue.enqueue("long")
    # The request reaches this worker neither by notification nor by heartbeat in time.
    async with running_worker(queue, listen=False, heartbeat_interval=60) as worker:
        await asyncio.wait_for(started.wait(), 10)
        assert (await queue.cancel(job.id)).cancel_requested
        worker.stop()
        worker.stop()  # at once: the task is stopped and its job given back
    done = await queue.get_job(job.id)
    assert done.status is JobStatus.CANCELLED, done.history
    assert done.history[-1].outcome == "cancelled"
