"""A task's own writes and its job's success in one transaction (``job.transaction()``),
against a real PostgreSQL: they commit together, roll back together, and a lost lease
keeps the task's writes out."""

from __future__ import annotations

import asyncio
import logging
import uuid

import asyncpg
import pytest

from equeue import Backoff, JobStatus, LeaseLostError, Queue, current_job
from tests.conftest import running_worker, storage_of, wait_for_status, wait_until

#: The heartbeat would notice a lost lease and cancel the task before its transaction
#: ends; these tests take the lease away themselves, and want the commit to find out.
QUIET_HEARTBEAT = {"heartbeat_interval": 600.0, "maintenance": False}


@pytest.fixture
async def orders(queue: Queue, db: asyncpg.Connection) -> str:
    """The application's table, in the queue's database (dropped with its schema)."""
    table = f'"{queue.schema}".orders'
    await db.execute(f"CREATE TABLE {table} (job uuid, attempt int, item text)")
    return table


async def rows(db: asyncpg.Connection, table: str) -> list[tuple[int, str]]:
    return [(r["attempt"], r["item"]) for r in await db.fetch(f"SELECT * FROM {table}")]


async def test_the_tasks_row_and_the_jobs_success_commit_together(
    queue: Queue, db: asyncpg.Connection, orders: str, caplog: pytest.LogCaptureFixture
) -> None:
    written, go_on = asyncio.Event(), asyncio.Event()

    @queue.task(name="order.place")
    async def place(item: str) -> str:
        job = current_job()
        async with job.transaction(result={"placed": item}) as conn:
            await conn.execute(f"INSERT INTO {orders} VALUES ($1, $2, $3)", job.id, 1, item)
            written.set()
            await go_on.wait()
        return "ignored: the transaction gave the result"

    caplog.set_level(logging.INFO, logger="equeue")
    job = await queue.enqueue("order.place", {"item": "book"})
    async with running_worker(queue, **QUIET_HEARTBEAT):
        await asyncio.wait_for(written.wait(), 15)
        # Written but not committed: neither the row nor the success is visible.
        assert await rows(db, orders) == []
        assert (await queue.get_job(job.id)).status is JobStatus.RUNNING
        go_on.set()
        done = await wait_for_status(queue, job.id, JobStatus.SUCCEEDED)
    assert await rows(db, orders) == [(1, "book")]
    assert done.result == {"placed": "book"}
    assert [a.outcome for a in done.history] == ["succeeded"]
    # The worker wrote no second outcome (it would have been refused, and said so).
    assert "refused" not in caplog.text
    assert "succeeded (in its transaction)" in caplog.text


async def test_an_exception_inside_rolls_both_back_and_the_job_is_retried(
    queue: Queue, db: asyncpg.Connection, orders: str
) -> None:
    @queue.task(name="order.flaky", max_attempts=3, retry=Backoff(base=0.05, jitter=0))
    async def flaky() -> None:
        job = current_job()
        async with job.transaction(result=job.attempt) as conn:
            await conn.execute(f"INSERT INTO {orders} VALUES ($1, $2, 'x')", job.id, job.attempt)
            if job.attempt == 1:
                raise RuntimeError("the payment service said no")

    job = await queue.enqueue("order.flaky")
    async with running_worker(queue):
        done = await wait_for_status(queue, job.id, JobStatus.SUCCEEDED)
    assert await rows(db, orders) == [(2, "x")]  # the first attempt's row was rolled back
    assert done.result == 2
    assert [a.outcome for a in done.history] == ["failed", "succeeded"]
    assert "the payment service said no" in (done.history[0].error or "")


async def test_a_lost_lease_keeps_the_tasks_write_out(
    queue: Queue, db: asyncpg.Connection, orders: str
) -> None:
    written, go_on = asyncio.Event(), asyncio.Event()
    raised: list[BaseException] = []
    runs = 0

    @queue.task(name="order.slow", max_attempts=3, retry=Backoff(base=0.05, jitter=0))
    async def slow() -> None:
        nonlocal runs
        runs += 1
        run, job = runs, current_job()
        try:
            async with job.transaction() as conn:
                await conn.execute(f"INSERT INTO {orders} VALUES ($1, $2, 'x')", job.id, run)
                if run == 1:
                    written.set()
                    await go_on.wait()
        except BaseException as exc:
            raised.append(exc)
            raise

    job = await queue.enqueue("order.slow")
    async with running_worker(queue, **QUIET_HEARTBEAT):
        await asyncio.wait_for(written.wait(), 15)
        # Paused meanwhile, so the job is claimed again only after the first attempt has
        # ended (a worker never runs two attempts of one job at once).
        await queue.pause_queue("default")
        await _lease_lapses_and_is_rescued(queue, job.id)
        go_on.set()
        await wait_until(lambda: raised)
        await queue.resume_queue("default")
        done = await wait_for_status(queue, job.id, JobStatus.SUCCEEDED)
    assert [type(exc) for exc in raised] == [LeaseLostError]
    assert await rows(db, orders) == [(2, "x")]  # the first run's insert never committed
    assert [a.outcome for a in done.history] == ["lease_expired", "succeeded"]


async def _lease_lapses_and_is_rescued(queue: Queue, job_id: uuid.UUID) -> None:
    """The lease runs out (as when the worker froze) and maintenance takes the job back."""
    storage = await storage_of(queue)
    await storage.pool.execute(
        f"UPDATE \"{queue.schema}\".jobs SET lease_expires_at = now() - interval '1 s' "
        "WHERE id = $1",
        job_id,
    )
    rescued = await storage.run_duty("rescue", "rescue_expired_leases", 10)
    assert [(r["id"], r["status"]) for r in rescued or []] == [(job_id, "retrying")]


async def test_a_committed_transaction_cannot_be_opened_again(queue: Queue) -> None:
    outcome: list[str] = []

    @queue.task(name="order.twice")
    async def twice() -> None:
        job = current_job()
        async with job.transaction(result="first"):
            pass
        try:
            async with job.transaction(result="second"):
                pass
        except RuntimeError as exc:
            outcome.append(str(exc))

    job = await queue.enqueue("order.twice")
    async with running_worker(queue):
        done = await wait_for_status(queue, job.id, JobStatus.SUCCEEDED)
    assert done.result == "first"
    assert outcome and "committed" in outcome[0]


def test_outside_a_worker_there_is_no_transaction() -> None:
    from equeue import JobContext

    context = JobContext(uuid.uuid4(), "t", "default", 1, 1)
    with pytest.raises(RuntimeError, match="only available in a task a worker runs"):
        context.transaction()
