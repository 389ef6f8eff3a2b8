"""Progress reported by running tasks: stored on the job, throttled, fenced by the lease."""

from __future__ import annotations

import asyncio
import threading
import uuid

import asyncpg
import pytest

from equeue import JobStatus, Queue, progress
from equeue.api.events import decode
from equeue.storage.api import events_channel
from tests.conftest import running_worker, storage_of, wait_for_status, wait_until


async def test_a_running_task_reports_progress_and_the_last_value_is_kept(queue: Queue) -> None:
    release = asyncio.Event()

    @queue.task(name="resize")
    async def resize(n: int) -> int:
        for i in range(n):
            progress((i + 1) / n, f"resized {i + 1}/{n}")
            if i == n // 2:
                await release.wait()  # hold the job half-way, for the test to look
        return n

    job = await queue.enqueue("resize", {"n": 100})
    async with running_worker(queue):

        async def half_way() -> bool:
            current = (await queue.get_job(job.id)).progress
            return current is not None and current.fraction == pytest.approx(0.51)

        await wait_until(half_way)
        seen = (await queue.get_job(job.id)).progress
        assert seen is not None and seen.message == "resized 51/100" and seen.attempt == 1
        release.set()
        done = await wait_for_status(queue, job.id, JobStatus.SUCCEEDED)
    # The last report came well within the throttle window of the one before: kept all
    # the same, written before the job's success.
    assert done.progress is not None
    assert (done.progress.fraction, done.progress.message) == (1.0, "resized 100/100")


async def test_a_plain_task_reports_progress_from_its_thread(queue: Queue) -> None:
    threads: list[str] = []

    @queue.task(name="count")
    def count(n: int) -> None:
        threads.append(threading.current_thread().name)
        for i in range(n):
            progress(i / n)
        progress(1, "counted")

    job = await queue.enqueue("count", {"n": 1000})
    async with running_worker(queue):
        done = await wait_for_status(queue, job.id, JobStatus.SUCCEEDED)
    assert threads and threads[0] != threading.main_thread().name
    assert done.progress is not None and (done.progress.fraction, done.progress.message) == (
        1.0,
        "counted",
    )


async def test_invalid_progress_fails_the_attempt_with_a_clear_error(queue: Queue) -> None:
    @queue.task(name="overshoot", max_attempts=1)
    async def overshoot() -> None:
        progress(1.5)

    job = await queue.enqueue("overshoot")
    async with running_worker(queue):
        failed = await wait_for_status(queue, job.id, JobStatus.FAILED)
    assert failed.last_error is not None
    assert "progress must be a number from 0 to 1" in failed.last_error


async def test_progress_outside_a_task_is_refused() -> None:
    with pytest.raises(LookupError, match="only available inside a running task"):
        progress(0.5)


async def test_a_stale_lease_cannot_write_progress(queue: Queue) -> None:
    storage = await storage_of(queue)
    queue.allow_unknown_tasks = True
    job = await queue.enqueue("t")
    [claimed] = await storage.claim("w1", None, 1, 30.0)
    assert claimed.id == job.id
    assert await storage.write_progress(job.id, claimed.lease_token, 0.25, "first")
    assert not await storage.write_progress(job.id, uuid.uuid4(), 0.75, "stale token")
    # The job is taken back and claimed again: the first lease is dead.
    await storage.release([(job.id, claimed.lease_token)])
    [again] = await storage.claim("w2", None, 1, 30.0)
    assert not await storage.write_progress(job.id, claimed.lease_token, 0.9, "old lease")
    current = (await queue.get_job(job.id)).progress
    assert current is not None and (current.fraction, current.message) == (0.25, "first")
    assert await storage.write_progress(job.id, again.lease_token, 0.5, "second")
    current = (await queue.get_job(job.id)).progress
    assert current is not None and (current.fraction, current.attempt) == (0.5, 1)


async def test_many_reports_from_a_real_worker_make_few_writes(
    queue: Queue, db: asyncpg.Connection
) -> None:
    @queue.task(name="chatty")
    async def chatty() -> None:
        for i in range(1, 2001):
            progress(i / 2000, f"{i}/2000")
            if i % 200 == 0:
                await asyncio.sleep(0.1)  # 2,000 reports over about a second

    # While events are watched, every progress write sends one notification: count them.
    await queue.admin.watch_events("test", 60)
    writes: list[str] = []
    await db.add_listener(
        events_channel(queue.schema),
        lambda *args: writes.extend(e for e in decode(str(args[3])) if e[1] == "progress"),
    )
    job = await queue.enqueue("chatty")
    async with running_worker(queue):
        done = await wait_for_status(queue, job.id, JobStatus.SUCCEEDED)
    await wait_until(lambda: len(writes) >= 2)
    assert 2 <= len(writes) <= 6  # about one per half second, not 2,000
    assert {job_id for job_id, _ in writes} == {job.id}
    assert done.progress is not None
    assert (done.progress.fraction, done.progress.message) == (1.0, "2000/2000")
