"""queue.wait: woken by the database when a job finishes, one LISTEN connection for all."""

from __future__ import annotations

import asyncio
import time

import asyncpg
import pytest

from equeue import Backoff, JobNotFoundError, JobStatus, Queue, WaitTimeoutError, listener
from equeue import waiting as waiting_module
from tests.conftest import running_worker, storage_of, wait_until


async def test_wait_returns_the_job_a_real_worker_finished(queue: Queue) -> None:
    go = asyncio.Event()

    @queue.task(name="slow")
    async def slow() -> str:
        await go.wait()
        return "done"

    @queue.task(name="broken", max_attempts=1)
    async def broken() -> None:
        raise RuntimeError("it broke")

    ok, bad = await queue.enqueue("slow"), await queue.enqueue("broken")
    async with running_worker(queue):
        waiting = asyncio.create_task(queue.wait(ok.id, timeout=30))
        await wait_until(lambda: queue.waiters.count == 1)
        await asyncio.sleep(0.2)
        assert not waiting.done()  # the job still runs: the wait goes on
        go.set()
        done = await waiting
        failed = await queue.wait(str(bad.id), timeout=30)
    assert (done.status, done.result) == (JobStatus.SUCCEEDED, "done")
    assert failed.status is JobStatus.FAILED and "it broke" in (failed.last_error or "")
    assert queue.waiters.count == 0


async def test_wait_times_out_with_the_job_as_it_is(queue: Queue) -> None:
    queue.allow_unknown_tasks = True
    job = await queue.enqueue("nobody.runs.this")
    started = time.monotonic()
    with pytest.raises(WaitTimeoutError, match=r"did not finish within 0\.5s") as caught:
        await queue.wait(job.id, timeout=0.5)
    assert 0.5 <= time.monotonic() - started < 5
    assert caught.value.job.status is JobStatus.QUEUED
    assert isinstance(caught.value, TimeoutError)
    assert queue.waiters.count == 0  # the timed-out waiter is gone


async def test_wait_for_a_finished_job_returns_at_once_and_unknown_jobs_are_refused(
    queue: Queue,
) -> None:
    queue.allow_unknown_tasks = True
    job = await queue.enqueue("t")
    await queue.cancel(job.id)
    assert (await queue.wait(job.id, timeout=0)).status is JobStatus.CANCELLED
    with pytest.raises(JobNotFoundError):
        await queue.wait("00000000-0000-0000-0000-000000000000", timeout=1)
    with pytest.raises(JobNotFoundError):
        await queue.wait("not an id", timeout=1)
    assert queue.waiters.count == 0


async def test_a_cancelled_wait_leaves_the_registry(queue: Queue) -> None:
    queue.allow_unknown_tasks = True
    job = await queue.enqueue("t")
    waiting = asyncio.create_task(queue.wait(job.id))
    await wait_until(lambda: queue.waiters.count == 1)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert queue.waiters.count == 0


async def test_a_thousand_waiters_share_one_listening_connection(
    queue: Queue, db: asyncpg.Connection
) -> None:
    queue.allow_unknown_tasks = True
    jobs = await queue.enqueue_many([{"type": "t"} for _ in range(500)])
    # Two waiters per job: 1,000 waits on 500 jobs.
    waits = [asyncio.create_task(queue.wait(job.id, timeout=60)) for job in jobs * 2]
    await wait_until(lambda: queue.waiters.count == 1000, timeout=30)
    # The listening connection opens with the first wait, and may still be connecting.
    await wait_until(lambda: queue.waiters.listener_pid is not None, timeout=30)
    names = await db.fetch(
        "SELECT application_name, count(*) AS n FROM pg_stat_activity"
        " WHERE application_name LIKE $1 GROUP BY application_name",
        f"equeue:{queue.schema}%",
    )
    by_name = {row["application_name"]: row["n"] for row in names}
    assert by_name.pop(f"equeue:{queue.schema}:waits") == 1
    assert sum(by_name.values()) <= 5  # the pool's own, at most pool_max_size
    storage = await storage_of(queue)
    for job in jobs:  # finish them the way an operator would
        await storage.cancel_job(job.id)
    finished = await asyncio.wait_for(asyncio.gather(*waits), timeout=30)
    assert {job.status for job in finished} == {JobStatus.CANCELLED}
    assert queue.waiters.count == 0


async def test_waiters_are_woken_after_the_listening_connection_is_lost(
    queue: Queue, db: asyncpg.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(waiting_module, "SETTLE_SECONDS", 3600)  # only the reconnect may wake it
    # A reconnect a second after the loss, at the earliest: the job finishes meanwhile.
    monkeypatch.setattr(listener, "RECONNECT_BACKOFF", Backoff(base=1.0, factor=1.0, jitter=0))
    queue.allow_unknown_tasks = True
    job = await queue.enqueue("t")
    waiting = asyncio.create_task(queue.wait(job.id, timeout=60))
    await wait_until(lambda: queue.waiters.listener_pid is not None)
    await wait_until(lambda: queue.waiters.count == 1)
    pid = queue.waiters.listener_pid
    # The job finishes while the LISTEN connection is down: its notification is lost.
    assert await db.fetchval("SELECT pg_terminate_backend($1, 10000)", pid)  # waits for it
    await queue.cancel(job.id)
    assert (await asyncio.wait_for(waiting, timeout=30)).status is JobStatus.CANCELLED
    assert queue.waiters.listener_pid not in (None, pid)
