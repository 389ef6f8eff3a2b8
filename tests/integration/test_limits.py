"""Fleet-wide queue limits (migration 0014) against a real PostgreSQL: many claimers at
once never run more of a queue than its concurrency, start more than its rate allows, or
run more of a group than its group concurrency; a full group does not hold up the
others; limits changed at runtime hold from the next claim; an enqueue never hands a job
straight to a worker past a limit."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

import asyncpg
import pytest

from equeue import JobStatus, Queue
from equeue.limits import LimitValueError, QueueLimits
from equeue.storage import Claimed, Storage
from tests.conftest import running_worker, storage_of, wait_for_status, wait_until


@pytest.fixture
async def storage(queue: Queue) -> Storage:
    queue.allow_unknown_tasks = True
    return await storage_of(queue)


def most_at_once(intervals: Sequence[tuple[float | datetime, float | datetime]]) -> int:
    """The most intervals (start, end) that overlap at any instant; one that ends at the
    instant another starts does not overlap it."""
    events = sorted([(start, 1) for start, _ in intervals] + [(end, -1) for _, end in intervals])
    running = peak = 0
    for _, step in events:  # at equal times, ends (-1) sort before starts (+1)
        running += step
        peak = max(peak, running)
    return peak


def most_in_window(times: Sequence[datetime], seconds: float) -> int:
    """The most of ``times`` in any window of ``seconds`` (start included, end not)."""
    ordered = sorted(times)
    width = timedelta(seconds=seconds)
    most = first = 0
    for last, at in enumerate(ordered):
        while ordered[first] <= at - width:
            first += 1
        most = max(most, last - first + 1)
    return most


async def enqueue(queue: Queue, name: str, count: int, group: str | None = None) -> None:
    items = [{"type": "t", "queue": name, "group": group} for _ in range(count)]
    await queue.enqueue_many(items)


async def claim_and_finish(
    storage: Storage, worker: str, queues: list[str], stop: asyncio.Event, hold: float
) -> int:
    """A claimer: claims small batches, holds each job a random while, completes it."""
    done = 0
    while not stop.is_set():
        jobs = await storage.claim(worker, queues, 3, 30.0)
        if not jobs:
            await asyncio.sleep(min(0.05, storage.limit_wait(worker) or 0.005))
            continue
        await asyncio.sleep(random.uniform(0, hold))
        await storage.complete([(job.id, job.lease_token, "null") for job in jobs])
        done += len(jobs)
    return done


async def run_claimers(storage: Storage, queues: list[str], n: int, until: asyncio.Event) -> None:
    claimers = [
        asyncio.create_task(claim_and_finish(storage, f"w{i}", queues, until, 0.02))
        for i in range(n)
    ]
    await asyncio.gather(*claimers)


async def started_and_finished(
    db: asyncpg.Connection, queue: Queue, name: str
) -> list[asyncpg.Record]:
    return await db.fetch(
        f'SELECT started_at, finished_at, group_key FROM "{queue.schema}".jobs'
        " WHERE queue = $1 AND status = 'succeeded'",
        name,
    )


def all_succeeded(db: asyncpg.Connection, queue: Queue, name: str) -> Callable[[], Any]:
    """A check for wait_until: every job of queue ``name`` succeeded."""

    async def check() -> bool:
        left = await db.fetchval(
            f'SELECT count(*) FROM "{queue.schema}".jobs WHERE queue = $1 AND status <> $2',
            name,
            "succeeded",
        )
        return bool(left == 0)

    return check


@pytest.fixture
async def wide_queue(database_url: str, queue: Queue) -> AsyncIterator[Queue]:
    """The same schema through a pool wide enough for many claims at once."""
    wide = Queue(database_url, schema=queue.schema, pool_max_size=16)
    wide.allow_unknown_tasks = True
    yield wide
    await wide.close()


async def test_concurrency_holds_under_many_concurrent_claimers(
    wide_queue: Queue, db: asyncpg.Connection
) -> None:
    await wide_queue.admin.set_queue_limits("capped", QueueLimits(concurrency=3))
    await enqueue(wide_queue, "capped", 150)
    storage = await storage_of(wide_queue)
    stop = asyncio.Event()
    claimers = asyncio.create_task(run_claimers(storage, ["capped"], 12, stop))
    await wait_until(all_succeeded(db, wide_queue, "capped"), timeout=60)
    stop.set()
    await claimers
    rows = await started_and_finished(db, wide_queue, "capped")
    assert len(rows) == 150
    # Database times: a job runs from its claim's statement to its completion's.
    assert most_at_once([(r["started_at"], r["finished_at"]) for r in rows]) == 3


async def test_rate_holds_over_every_window(wide_queue: Queue, db: asyncpg.Connection) -> None:
    await wide_queue.admin.set_queue_limits("paced", QueueLimits(rate=20, burst=2))
    await enqueue(wide_queue, "paced", 50)
    storage = await storage_of(wide_queue)
    stop = asyncio.Event()
    claimers = asyncio.create_task(run_claimers(storage, ["paced"], 8, stop))
    await wait_until(all_succeeded(db, wide_queue, "paced"), timeout=60)
    stop.set()
    await claimers
    started = [r["started_at"] for r in await started_and_finished(db, wide_queue, "paced")]
    # A bucket of 2 refilled at 20/s: at most 2 + 20·w jobs start in any w seconds.
    assert most_in_window(started, 1.0) <= 22
    assert most_in_window(started, 0.5) <= 12
    assert most_in_window(started, 0.1) <= 4
    # ... and the rate is reached, not merely respected: 48 jobs beyond the bucket at 20/s.
    span = (max(started) - min(started)).total_seconds()
    assert 48 / 20 - 0.1 <= span <= 48 / 20 + 1.0


async def test_group_concurrency_holds_and_other_groups_keep_flowing(
    storage: Storage, queue: Queue, db: asyncpg.Connection
) -> None:
    await queue.admin.set_queue_limits("tenants", QueueLimits(group_concurrency=2))
    await enqueue(queue, "tenants", 200, group="big")  # ahead of the others, in claim order
    await enqueue(queue, "tenants", 5, group="small-a")
    await enqueue(queue, "tenants", 5, group="small-b")
    await enqueue(queue, "tenants", 3)  # no group: no group limit
    first = await storage.claim("w1", ["tenants"], 20, 30.0)
    groups = sorted(str(job_group) for job_group in await groups_of(db, queue, first))
    # The backlog of the full group does not stop the claim reaching the others' jobs.
    assert groups == ["None"] * 3 + ["big"] * 2 + ["small-a"] * 2 + ["small-b"] * 2
    assert await storage.claim("w2", ["tenants"], 20, 30.0) == []
    # One of small-a's ends: one more of small-a, and nothing of the others.
    first_groups = await groups_of(db, queue, first)
    ended = next(job for job, g in zip(first, first_groups, strict=True) if g == "small-a")
    await storage.complete([(ended.id, ended.lease_token, "null")])
    again = await storage.claim("w2", ["tenants"], 20, 30.0)
    assert await groups_of(db, queue, again) == ["small-a"]


async def groups_of(
    db: asyncpg.Connection, queue: Queue, jobs: Sequence[Claimed]
) -> list[str | None]:
    rows = await db.fetch(
        f'SELECT id, group_key FROM "{queue.schema}".jobs WHERE id = ANY($1::uuid[])',
        [job.id for job in jobs],
    )
    by_id = {row["id"]: row["group_key"] for row in rows}
    return [by_id[job.id] for job in jobs]


async def test_group_limit_holds_under_many_claimers(
    wide_queue: Queue, db: asyncpg.Connection
) -> None:
    await wide_queue.admin.set_queue_limits("shared", QueueLimits(group_concurrency=2))
    for group in ("a", "b", "c", "d"):
        await enqueue(wide_queue, "shared", 30, group=group)
    storage = await storage_of(wide_queue)
    stop = asyncio.Event()
    claimers = asyncio.create_task(run_claimers(storage, ["shared"], 12, stop))
    await wait_until(all_succeeded(db, wide_queue, "shared"), timeout=60)
    stop.set()
    await claimers
    rows = await started_and_finished(db, wide_queue, "shared")
    for group in ("a", "b", "c", "d"):
        runs = [(r["started_at"], r["finished_at"]) for r in rows if r["group_key"] == group]
        assert len(runs) == 30
        assert most_at_once(runs) == 2
    # The groups ran side by side: 4 groups of 2 at once.
    assert most_at_once([(r["started_at"], r["finished_at"]) for r in rows]) > 2


async def test_a_limited_queue_does_not_hold_up_an_unlimited_one(
    storage: Storage, queue: Queue
) -> None:
    await queue.admin.set_queue_limits("slow", QueueLimits(concurrency=1))
    await enqueue(queue, "slow", 10)
    await enqueue(queue, "fast", 10)
    claimed = await storage.claim("w1", ["slow", "fast"], 20, 30.0)
    assert sorted(job.queue for job in claimed) == ["fast"] * 10 + ["slow"]


async def test_limits_changed_at_runtime_hold_from_the_next_claim(
    storage: Storage, queue: Queue, database_url: str
) -> None:
    await enqueue(queue, "q", 10)
    # Another process (its own pool and its own list of limited queues) sets the limit.
    other = Queue(database_url, schema=queue.schema)
    try:
        assert await storage.claim("w1", ["q"], 1, 30.0)  # the list of limits is read now
        await other.admin.set_queue_limits("q", QueueLimits(concurrency=2))
        started = time.monotonic()
        claimed = []
        while len(claimed) < 1:
            claimed += await storage.claim("w1", ["q"], 5, 30.0)
            await asyncio.sleep(0.01)
        assert time.monotonic() - started < 3.0  # the next claims, not a refresh later
        assert len(claimed) == 1  # 1 running already: 1 more makes 2
        assert await storage.claim("w1", ["q"], 5, 30.0) == []
        await other.admin.set_queue_limits("q", QueueLimits(concurrency=4))
        await asyncio.sleep(0.6)  # this process's list of limits is read again by now
        assert len(await storage.claim("w1", ["q"], 5, 30.0)) == 2
        await other.admin.set_queue_limits("q", QueueLimits())  # cleared: the usual claim
        assert len(await storage.claim("w1", ["q"], 5, 30.0)) == 5
        assert await other.admin.queue_limits() == {}
    finally:
        await other.close()


async def test_a_worker_waits_for_tokens_not_for_its_poll_interval(queue: Queue) -> None:
    ran: list[float] = []

    @queue.task(name="tick")
    async def tick() -> None:
        ran.append(time.monotonic())

    await queue.admin.set_queue_limits("default", QueueLimits(rate=10, burst=1))
    jobs = [await queue.enqueue("tick") for _ in range(15)]
    async with running_worker(queue, poll_interval=30):
        for job in jobs:
            await wait_for_status(queue, job.id, JobStatus.SUCCEEDED, timeout=10)
    # 14 tokens at 10/s after the first: about 1.4 s (slower on a loaded machine), and no
    # poll interval of 30 s waited.
    assert 1.2 <= ran[-1] - ran[0] <= 10.0


async def test_an_enqueue_hands_no_job_past_a_limit(queue: Queue) -> None:
    release = asyncio.Event()

    @queue.task(name="block")
    async def block() -> None:
        await release.wait()

    await queue.admin.set_queue_limits("default", QueueLimits(concurrency=1))
    async with running_worker(queue, concurrency=4, poll_interval=30):
        first = await queue.enqueue("block")
        await wait_for_status(queue, first.id, JobStatus.RUNNING)
        second = await queue.enqueue("block")  # the worker has free slots, and offers them
        assert second.status is JobStatus.QUEUED
        await asyncio.sleep(0.3)
        assert (await queue.get_job(second.id)).status is JobStatus.QUEUED
        release.set()
        await wait_for_status(queue, second.id, JobStatus.SUCCEEDED)


async def test_a_job_keeps_its_group(queue: Queue) -> None:
    queue.allow_unknown_tasks = True
    job = await queue.enqueue("t", group="customer-42")
    assert job.group == "customer-42"
    assert (await queue.get_job(job.id)).group == "customer-42"
    [batch] = await queue.enqueue_many([{"type": "t", "group": "customer-7"}])
    assert (await queue.get_job(batch.id)).group == "customer-7"


@pytest.mark.parametrize(
    "limits",
    [
        {"concurrency": 0},
        {"concurrency": -1},
        {"rate": 0.0},
        {"rate": 1e-9},
        {"rate": float("nan")},
        {"group_concurrency": 0},
        {"burst": 2.0},
        {"rate": 1.0, "burst": 0.5},
    ],
)
def test_meaningless_limits_are_refused(limits: dict[str, float]) -> None:
    with pytest.raises(LimitValueError):
        QueueLimits(**limits)  # type: ignore[arg-type]


async def test_a_tasks_group_is_its_jobs_default(queue: Queue) -> None:
    @queue.task(name="charge", group="payments-api")
    async def charge() -> None: ...

    single = await queue.enqueue("charge")
    own = await queue.enqueue("charge", group="customer-1")
    batch = await queue.enqueue_many([{"type": "charge"}] * 150)  # written by COPY
    mixed = await queue.enqueue_many([{"type": "charge", "group": f"c{i}"} for i in range(150)])
    assert (await queue.get_job(single.id)).group == "payments-api"
    assert (await queue.get_job(own.id)).group == "customer-1"
    assert {(await queue.get_job(job.id)).group for job in batch} == {"payments-api"}
    assert [(await queue.get_job(job.id)).group for job in mixed] == [f"c{i}" for i in range(150)]
