"""The worker in this process against a real PostgreSQL: retries, timeouts, cancellation,
shutdown, lost leases."""

from __future__ import annotations

import asyncio
import threading
import time

import asyncpg
import pytest

from equeue import Backoff, JobStatus, Queue
from tests.conftest import running_worker, storage_of, wait_for_status, wait_until


async def test_sync_and_async_tasks_run_with_payload_as_kwargs(queue: Queue) -> None:
    threads: list[str] = []

    @queue.task(name="add")
    def add(a: int, b: int) -> int:
        threads.append(threading.current_thread().name)
        return a + b

    @queue.task(name="shout")
    async def shout(text: str) -> dict[str, str]:
        return {"text": text.upper()}

    one = await queue.enqueue("add", {"a": 2, "b": 3})
    two = await queue.enqueue("shout", {"text": "hi"})
    async with running_worker(queue):
        assert (await wait_for_status(queue, one.id, JobStatus.SUCCEEDED)).result == 5
        assert (await wait_for_status(queue, two.id, JobStatus.SUCCEEDED)).result == {"text": "HI"}
    assert threads and threads[0].startswith("equeue-task")  # plain functions: thread pool


async def test_fails_twice_then_succeeds_with_three_attempts_recorded(queue: Queue) -> None:
    calls = 0

    @queue.task(name="flaky", max_attempts=5, retry=Backoff(base=0.05, jitter=0))
    async def flaky() -> str:
        nonlocal calls
        calls += 1
        if calls <= 2:
            raise ConnectionError(f"try {calls} failed")
        return "finally"

    job = await queue.enqueue("flaky")
    async with running_worker(queue):
        done = await wait_for_status(queue, job.id, JobStatus.SUCCEEDED)
    assert done.attempts == 3 and done.result == "finally"
    assert [a.outcome for a in done.history] == ["failed", "failed", "succeeded"]
    assert "ConnectionError: try 1 failed" in (done.history[0].error or "")
    assert "Traceback" in (done.history[0].error or "")


async def test_always_failing_job_is_dead_lettered_with_growing_backoff(queue: Queue) -> None:
    @queue.task(name="broken", max_attempts=4, retry=Backoff(base=0.3, factor=2, jitter=0))
    def broken() -> None:
        raise ValueError("bad data")

    job = await queue.enqueue("broken")
    async with running_worker(queue, poll_interval=0.05):
        dead = await wait_for_status(queue, job.id, JobStatus.FAILED, timeout=20)
    assert dead.attempts == 4 and dead.last_error == "ValueError: bad data"
    assert [a.outcome for a in dead.history] == ["failed"] * 4
    gaps = [
        (later.started_at - earlier.finished_at).total_seconds()  # type: ignore[operator]
        for earlier, later in zip(dead.history, dead.history[1:], strict=False)
    ]
    # Configured waits are 0.3, 0.6, 1.2 s; each gap is at least its wait and they grow.
    for gap, wait in zip(gaps, [0.3, 0.6, 1.2], strict=True):
        assert gap >= wait - 0.01
    assert gaps[0] < gaps[1] < gaps[2]


async def test_timeout_fails_the_attempt(queue: Queue) -> None:
    @queue.task(name="slow", timeout=0.3, max_attempts=1)
    async def slow() -> None:
        await asyncio.sleep(30)

    job = await queue.enqueue("slow")
    started = time.monotonic()
    async with running_worker(queue):
        dead = await wait_for_status(queue, job.id, JobStatus.FAILED)
    assert time.monotonic() - started < 10
    assert dead.history[0].outcome == "timeout"
    assert "timed out after 0.3s" in (dead.last_error or "")


async def test_cancelling_a_running_job_stops_it(queue: Queue) -> None:
    started = asyncio.Event()
    finished = False

    @queue.task(name="long")
    async def long() -> None:
        nonlocal finished
        started.set()
        await asyncio.sleep(60)
        finished = True

    job = await queue.enqueue("long")
    async with running_worker(queue):
        await asyncio.wait_for(started.wait(), 10)
        flagged = await queue.cancel(job.id)
        assert flagged.cancel_requested
        done = await wait_for_status(queue, job.id, JobStatus.CANCELLED, timeout=5)
    assert not finished
    assert done.history[-1].outcome == "cancelled"


async def test_graceful_shutdown_finishes_short_jobs_and_releases_long_ones(
    queue: Queue,
) -> None:
    started: set[str] = set()

    @queue.task(name="nap")
    async def nap(name: str, seconds: float) -> str:
        started.add(name)
        await asyncio.sleep(seconds)
        return name

    short = await queue.enqueue("nap", {"name": "short", "seconds": 0.3})
    long = await queue.enqueue("nap", {"name": "long", "seconds": 60})
    async with running_worker(queue, shutdown_grace=1.0) as worker:
        await wait_until(lambda: len(started) == 2)
        stop_at = time.monotonic()
        worker.stop()
    assert time.monotonic() - stop_at < 5
    assert (await queue.get_job(short.id)).status is JobStatus.SUCCEEDED
    released = await queue.get_job(long.id)
    assert released.status is JobStatus.QUEUED and released.attempts == 0
    assert released.history[-1].outcome == "released"
    assert released.run_at <= released.history[-1].finished_at  # type: ignore[operator]


async def test_a_worker_that_lost_its_lease_stops_the_job_and_cannot_complete_it(
    queue: Queue, db: asyncpg.Connection
) -> None:
    started = asyncio.Event()
    cancelled = False

    @queue.task(name="held")
    async def held() -> str:
        nonlocal cancelled
        started.set()
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            cancelled = True
            raise
        return "late"

    job = await queue.enqueue("held")
    async with running_worker(queue, lease_seconds=1.0, maintenance=False):
        await asyncio.wait_for(started.wait(), 10)
        # Another party takes the job over (as the rescuer would after an expiry).
        await db.execute(
            f'UPDATE "{queue.schema}".jobs SET lease_token = gen_random_uuid(), '
            "worker_id = 'someone-else' WHERE id = $1",
            job.id,
        )
        await wait_until(lambda: cancelled, timeout=5)
    taken = await queue.get_job(job.id)
    assert taken.status is JobStatus.RUNNING and taken.worker_id == "someone-else"


async def test_bad_results_and_unregistered_tasks_fail_clearly(
    queue: Queue, database_url: str
) -> None:
    @queue.task(name="returns_set", max_attempts=1)
    def returns_set() -> set[int]:
        return {1, 2}

    bad = await queue.enqueue("returns_set")
    producer = Queue(database_url, schema=queue.schema, allow_unknown_tasks=True)
    try:
        ghost = await producer.enqueue("ghost", max_attempts=1)
    finally:
        await producer.close()
    async with running_worker(queue):
        bad_job = await wait_for_status(queue, bad.id, JobStatus.FAILED)
        ghost_job = await wait_for_status(queue, ghost.id, JobStatus.FAILED)
    assert "cannot be stored as JSON" in (bad_job.last_error or "")
    assert "no task named 'ghost'" in (ghost_job.last_error or "")


async def test_idle_worker_picks_up_a_new_job_through_notify(queue: Queue) -> None:
    ran = asyncio.Event()

    @queue.task(name="ping")
    async def ping() -> None:
        ran.set()

    # A long poll interval: only a notification can wake the worker quickly.
    async with running_worker(queue, poll_interval=30):
        await asyncio.sleep(0.3)  # let it go idle
        started = time.monotonic()
        await queue.enqueue("ping")
        await asyncio.wait_for(ran.wait(), 5)
        assert time.monotonic() - started < 1.0


async def test_worker_registers_itself_and_its_tasks(queue: Queue) -> None:
    @queue.task(name="registered.one", queue="q1", priority=3)
    def one() -> None: ...

    async with running_worker(queue, lease_seconds=0.6, queues=["q1"]) as worker:
        storage = await storage_of(queue)

        async def seen() -> bool:
            workers = await storage.list_workers()
            return worker.id in {w["id"] for w in workers}

        await wait_until(seen, timeout=5)
        tasks = {t["name"]: t for t in await storage.list_tasks()}
        assert tasks["registered.one"]["queue"] == "q1"
    assert worker.id not in {w["id"] for w in await storage.list_workers()}


async def test_a_result_postgresql_refuses_fails_that_job_only(queue: Queue) -> None:
    @queue.task(name="echo", max_attempts=1)
    async def echo(value: str) -> str:
        return value

    @queue.task(name="surrogate", max_attempts=1)
    async def surrogate_result() -> str:
        return "\ud800"  # a lone surrogate: fine for json.dumps, refused by jsonb

    good = [await queue.enqueue("echo", {"value": f"ok{i}"}) for i in range(5)]
    surrogate = await queue.enqueue("surrogate")
    async with running_worker(queue, concurrency=20):
        for job in good:
            assert (await wait_for_status(queue, job.id, JobStatus.SUCCEEDED)).result
        bad = await wait_for_status(queue, surrogate.id, JobStatus.FAILED)
    assert "cannot be stored as JSON" in (bad.last_error or "")


async def test_errors_with_nul_characters_are_recorded(queue: Queue) -> None:
    @queue.task(name="nul_error", max_attempts=1)
    def nul_error() -> str:
        raise RuntimeError("bad\x00byte")

    @queue.task(name="nul_result", max_attempts=1)
    def nul_result() -> str:
        return "a\x00b"

    one = await queue.enqueue("nul_error")
    two = await queue.enqueue("nul_result")
    async with running_worker(queue):
        failed = await wait_for_status(queue, one.id, JobStatus.FAILED)
        refused = await wait_for_status(queue, two.id, JobStatus.FAILED)
    assert failed.last_error == "RuntimeError: bad\\x00byte"
    assert "NUL" in (refused.last_error or "")


async def test_tasks_see_their_own_job(queue: Queue) -> None:
    from equeue import current_job

    seen: list[tuple[str, int, int]] = []

    @queue.task(name="ctx.async", max_attempts=3, retry=Backoff(base=0.01, jitter=0))
    async def ctx_async() -> int:
        job = current_job()
        seen.append((job.task, job.attempt, job.max_attempts))
        if job.attempt < 2:
            raise RuntimeError("once more")
        return job.attempt

    @queue.task(name="ctx.sync")
    def ctx_sync() -> str:
        return str(current_job().id)  # a plain function, in the thread pool

    one = await queue.enqueue("ctx.async")
    two = await queue.enqueue("ctx.sync")
    async with running_worker(queue):
        assert (await wait_for_status(queue, one.id, JobStatus.SUCCEEDED)).result == 2
        assert (await wait_for_status(queue, two.id, JobStatus.SUCCEEDED)).result == str(two.id)
    assert seen == [("ctx.async", 1, 3), ("ctx.async", 2, 3)]
    with pytest.raises(LookupError, match="only available inside a running task"):
        current_job()
