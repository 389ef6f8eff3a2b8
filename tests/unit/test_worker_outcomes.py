"""How the worker writes outcomes and acts on cancels, against an in-memory storage."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence

import pytest

from equeue.storage import Executor
from equeue.storage.seam import Ack
from equeue.worker.stats import COUNTER, REFUSED
from tests.conftest import wait_until
from tests.unit.fake_storage import FakeStorage
from tests.unit.worker_harness import make_queue, serving


async def test_outcomes_that_end_together_are_written_in_one_statement() -> None:
    queue = make_queue()
    gate = asyncio.Event()

    @queue.task(name="gated")
    async def gated() -> str:
        await gate.wait()
        return "done"

    storage = FakeStorage()
    jobs = [storage.add("gated") for _ in range(50)]
    async with serving(queue, storage, concurrency=50) as worker:
        await wait_until(lambda: all(job.status == "running" for job in jobs))
        gate.set()
        await wait_until(lambda: worker.jobs_done == 50)
    assert storage.calls_of("complete") == [50]
    assert {job.status for job in jobs} == {"succeeded"}
    assert {job.result for job in jobs} == {'"done"'}


async def test_a_write_that_fails_keeps_every_outcome_for_the_next_try() -> None:
    queue = make_queue()
    gate = asyncio.Event()

    @queue.task(name="gated")
    async def gated() -> None:
        await gate.wait()

    @queue.task(name="broken", max_attempts=3)
    async def broken() -> None:
        await gate.wait()
        raise RuntimeError("no luck")

    storage = FakeStorage()
    ok = [storage.add("gated") for _ in range(3)]
    bad = [storage.add("broken", max_attempts=3) for _ in range(2)]
    storage.fail_next("complete")
    async with serving(queue, storage, concurrency=5) as worker:
        await wait_until(lambda: all(job.status == "running" for job in ok + bad))
        gate.set()
        await wait_until(lambda: worker.jobs_done == 5)
    assert storage.calls_of("complete") == [3, 3]
    assert storage.calls_of("fail") == [2]
    assert {job.status for job in ok} == {"succeeded"}
    assert {job.status for job in bad} == {"retrying"}
    assert {job.error for job in bad} == {"RuntimeError: no luck"}


@pytest.mark.parametrize("route", ["notification", "heartbeat"])
async def test_a_cancel_request_stops_the_task_and_writes_cancelled(route: str) -> None:
    queue = make_queue()
    stopped = asyncio.Event()

    @queue.task(name="forever")
    async def forever() -> None:
        try:
            await asyncio.Event().wait()
        finally:
            stopped.set()

    storage = FakeStorage()
    job = storage.add("forever")
    async with serving(queue, storage) as worker:
        await wait_until(lambda: job.status == "running")
        job.cancel_requested = True
        if route == "notification":
            worker.on_notification(f"c:{job.id}")
        else:
            worker.on_heartbeat(set(), {job.id})
        await wait_until(lambda: job.status == "cancelled")
        assert stopped.is_set()
        assert worker.jobs_done == 1
    assert storage.calls_of("mark_cancelled") == [1]
    assert storage.calls_of("release") == []  # nothing left to give back


async def test_a_cancel_notification_without_a_request_stops_nothing() -> None:
    """Anyone may send a notification: the worker checks the table first."""
    queue = make_queue()
    gate = asyncio.Event()

    @queue.task(name="gated")
    async def gated() -> None:
        await gate.wait()

    storage = FakeStorage()
    job = storage.add("gated")
    async with serving(queue, storage) as worker:
        await wait_until(lambda: job.status == "running")
        worker.on_notification(f"c:{job.id}")
        await wait_until(lambda: storage.calls_of("cancel_is_requested") == [1])
        gate.set()
        await wait_until(lambda: job.status == "succeeded")
    assert storage.calls_of("mark_cancelled") == []


async def test_a_cancel_that_fails_to_write_is_written_on_a_later_try() -> None:
    queue = make_queue()

    @queue.task(name="forever")
    async def forever() -> None:
        await asyncio.Event().wait()

    storage = FakeStorage()
    job = storage.add("forever")
    storage.fail_next("mark_cancelled", times=2)
    async with serving(queue, storage) as worker:
        await wait_until(lambda: job.status == "running")
        job.cancel_requested = True
        worker.on_heartbeat(set(), {job.id})
        await wait_until(lambda: len(storage.calls_of("mark_cancelled")) >= 1)
        # Still held while unwritten: its slot stays taken and its lease renewed.
        assert worker.jobs_done == 0
        await wait_until(lambda: job.status == "cancelled")
        assert worker.jobs_done == 1
    assert storage.calls_of("mark_cancelled") == [1, 1, 1]


async def test_a_late_outcome_refused_by_the_fence_is_counted() -> None:
    queue = make_queue()
    gate = asyncio.Event()

    @queue.task(name="gated")
    async def gated() -> None:
        await gate.wait()

    storage = FakeStorage()
    jobs = [storage.add("gated") for _ in range(3)]
    async with serving(queue, storage, concurrency=3) as worker:
        await wait_until(lambda: all(job.status == "running" for job in jobs))
        jobs[0].token = uuid.uuid4()  # taken over meanwhile: another lease now
        gate.set()
        await wait_until(lambda: worker.jobs_done == 3)
    # Written with the other statistics, at the latest as the worker stops.
    refused = [row for row in storage.stats if row[2] == REFUSED]
    assert refused == [("default", "gated", REFUSED, COUNTER, 1, 0.0)]
    assert [job.status for job in jobs] == ["running", "succeeded", "succeeded"]


class SlowWrites(FakeStorage):
    """A database that takes successes only once ``writable`` is set."""

    def __init__(self) -> None:
        super().__init__()
        self.writable = asyncio.Event()

    async def complete(
        self, done: Sequence[Ack], *, executor: Executor | None = None
    ) -> set[uuid.UUID]:
        await self.writable.wait()
        return await super().complete(done, executor=executor)


async def test_outcomes_waiting_on_a_slow_database_hold_back_claims() -> None:
    """Bounded memory: with writes stuck, a worker of concurrency 4 holds at most 8 jobs
    (4 running, 4 ended whose outcome waits), and claims nothing more until they land."""
    queue = make_queue()

    @queue.task(name="instant")
    async def instant() -> None: ...

    storage = SlowWrites()
    jobs = [storage.add("instant") for _ in range(40)]
    async with serving(queue, storage, concurrency=4, poll_interval=0.01) as worker:
        await wait_until(lambda: sum(job.status == "running" for job in jobs) == 8)
        await asyncio.sleep(0.3)  # 30 poll intervals: time for claims, were any allowed
        assert sum(job.status == "running" for job in jobs) == 8
        assert worker.jobs_done == 0
        storage.writable.set()
        await wait_until(lambda: all(job.status == "succeeded" for job in jobs))
    assert max(storage.calls_of("complete")) <= 8
