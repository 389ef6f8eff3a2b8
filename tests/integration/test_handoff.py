"""Direct hand-off of single enqueues to idle workers (migration 0004), against a real
PostgreSQL: who gets a job handed over, who never does, and how a job whose notification
went missing is still taken exactly once."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Callable
from typing import Any

import asyncpg
import pytest

from equeue import JobStatus, Queue, Worker
from equeue.storage import Claimed, Offer, Storage
from tests.conftest import running_worker, wait_for_status, wait_until


@pytest.fixture
async def storage(queue: Queue) -> Storage:
    queue.allow_unknown_tasks = True
    return await queue.open()


def offer_is_open(db: asyncpg.Connection, queue: Queue, worker: Worker) -> Callable[[], Any]:
    """A check for wait_until: the worker has offered itself for a hand-off."""

    async def check() -> bool:
        row = await db.fetchrow(
            f'SELECT open FROM "{queue.schema}".idle_workers WHERE worker_id = $1', worker.id
        )
        return row is not None and bool(row["open"])

    return check


async def open_offer(storage: Storage, worker_id: str, listener_pid: int) -> None:
    """What an idle worker's claim statement does: nothing to claim, so offer itself."""
    assert await storage.claim(worker_id, None, 5, 30.0, Offer(listener_pid)) == []


async def test_an_idle_worker_is_handed_a_single_job_at_once(
    queue: Queue, db: asyncpg.Connection
) -> None:
    ran: list[int] = []

    @queue.task(name="note")
    async def note(n: int) -> int:
        ran.append(n)
        return n * 2

    async with running_worker(queue, poll_interval=30) as worker:
        await wait_until(offer_is_open(db, queue, worker))
        current = await queue.enqueue("note", {"n": 21})
        # Written already claimed by the idle worker: no claim round trip was needed.
        assert current.status is JobStatus.RUNNING
        assert current.worker_id == worker.id and current.attempts == 1
        done = await wait_for_status(queue, current.id, JobStatus.SUCCEEDED)
        assert done.result == 42 and ran == [21]
        assert [a.outcome for a in done.history] == ["succeeded"]
        # The worker offers itself again for the next one (the poll is 30 s away).
        await wait_until(offer_is_open(db, queue, worker))
        again = await queue.enqueue("note", {"n": 1})
        assert again.status is JobStatus.RUNNING
        assert (await wait_for_status(queue, again.id, JobStatus.SUCCEEDED)).result == 2


async def test_jobs_that_must_wait_or_join_a_transaction_are_never_handed_over(
    queue: Queue, storage: Storage, db: asyncpg.Connection
) -> None:
    await queue.pause_queue("paused")
    await open_offer(storage, "idle", db.get_server_pid())
    other_queue = await queue.enqueue("t", queue="paused")
    delayed = await queue.enqueue("t", delay=60)
    deduped = await queue.enqueue("t", dedupe_key="k")
    async with (await queue.open()).pool.acquire() as conn, conn.transaction():
        in_transaction = await queue.enqueue("t", connection=conn)
    assert other_queue.status is JobStatus.QUEUED
    assert delayed.status is JobStatus.SCHEDULED
    assert deduped.status is JobStatus.QUEUED
    assert in_transaction.status is JobStatus.QUEUED
    # The offer is still open, and the next plain job takes it.
    handed = await queue.enqueue("t")
    assert handed.status is JobStatus.RUNNING and handed.worker_id == "idle"
    assert (await queue.enqueue("t")).status is JobStatus.QUEUED  # one job per offer


async def test_an_offer_for_some_queues_only_takes_jobs_of_those(
    queue: Queue, storage: Storage, db: asyncpg.Connection
) -> None:
    assert await storage.claim("mail", ["mail"], 5, 30.0, Offer(db.get_server_pid())) == []
    assert (await queue.enqueue("t", queue="reports")).status is JobStatus.QUEUED
    handed = await queue.enqueue("t", queue="mail")
    assert handed.status is JobStatus.RUNNING and handed.worker_id == "mail"


async def test_an_offer_whose_listen_connection_is_gone_is_passed_over(
    queue: Queue, storage: Storage, database_url: str
) -> None:
    listener = await asyncpg.connect(database_url)
    pid = listener.get_server_pid()
    await open_offer(storage, "gone", pid)
    await listener.close()
    watcher = await storage.pool.acquire()
    try:

        async def backend_ended() -> bool:
            return not await watcher.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE pid = $1", pid
            )

        await wait_until(backend_ended)
    finally:
        await storage.pool.release(watcher)
    job = await queue.enqueue("t")
    assert job.status is JobStatus.QUEUED and job.worker_id is None


async def test_an_offer_not_renewed_in_time_is_passed_over(
    queue: Queue, storage: Storage, db: asyncpg.Connection
) -> None:
    """A worker cut off from the database keeps its backend alive for a long while; it no
    longer renews its offer with each poll, so the offer lapses."""
    brief = Offer(db.get_server_pid(), seconds=0.2)
    assert await storage.claim("cut-off", None, 5, 30.0, brief) == []
    await asyncio.sleep(0.4)
    assert (await queue.enqueue("t")).status is JobStatus.QUEUED


async def test_the_notification_carries_the_job_and_the_claim_collects_it_if_lost(
    queue: Queue, storage: Storage, db: asyncpg.Connection
) -> None:
    heard: asyncio.Queue[str] = asyncio.Queue()
    await db.add_listener(storage.channel, lambda *args: heard.put_nowait(args[3]))
    await open_offer(storage, "w", db.get_server_pid())
    job = await queue.enqueue("t", {"x": [1, "two"]}, priority=3, timeout=9.5)

    message = await asyncio.wait_for(heard.get(), 5)
    kind, _, rest = message.partition(":")
    generation, worker, body = rest.split(" ", 2)
    assert (kind, generation, worker) == ("h", "0", "w")
    handed = Claimed.from_handoff(body)
    assert (handed.id, handed.task, handed.priority, handed.timeout) == (job.id, "t", 3, 9.5)
    assert json.loads(handed.payload) == {"x": [1, "two"]} and handed.attempts == 1

    # Had the notification been lost, the worker's next claim statement brings the job,
    # with the same lease; one it has seen is not brought again.
    seen = Offer(db.get_server_pid(), may_be_open=True, seen=job.id, next_generation=1)
    assert await storage.claim("w", None, 5, 30.0, seen) == []
    await open_offer(storage, "w", db.get_server_pid())
    second = await queue.enqueue("t")
    missed = Offer(db.get_server_pid(), may_be_open=True, next_generation=2)
    [collected] = await storage.claim("w", None, 5, 30.0, missed)
    assert collected.id == second.id and collected.attempts == 1
    row = await storage.pool.fetchrow(
        f'SELECT lease_token, worker_id FROM "{queue.schema}".jobs WHERE id = $1', second.id
    )
    assert (row["lease_token"], row["worker_id"]) == (collected.lease_token, "w")


async def test_a_job_handed_to_a_stopping_worker_goes_back_to_the_queue(
    queue: Queue, storage: Storage, db: asyncpg.Connection
) -> None:
    await open_offer(storage, "leaving", db.get_server_pid())
    job = await queue.enqueue("t")
    assert job.status is JobStatus.RUNNING
    late = await storage.withdraw_offer("leaving", seen=None)
    assert [job_id for job_id, _ in late] == [job.id]
    await storage.release(late)
    back = await queue.get_job(job.id)
    assert back.status is JobStatus.QUEUED and back.attempts == 0
    assert (await queue.enqueue("t")).status is JobStatus.QUEUED  # no offer left


async def test_a_one_slot_worker_runs_handed_and_claimed_jobs_one_at_a_time_exactly_once(
    queue: Queue, db: asyncpg.Connection
) -> None:
    runs: Counter[int] = Counter()
    active = 0
    most = 0

    @queue.task(name="step")
    async def step(n: int) -> None:
        nonlocal active, most
        active += 1
        most = max(most, active)
        runs[n] += 1
        await asyncio.sleep(0.002)
        active -= 1

    statuses: Counter[JobStatus] = Counter()
    async with running_worker(queue, concurrency=1, poll_interval=0.5) as worker:
        await wait_until(offer_is_open(db, queue, worker))

        async def producer(first: int) -> None:
            for n in range(first, first + 60):
                statuses[(await queue.enqueue("step", {"n": n})).status] += 1
                await asyncio.sleep(0.005 * (n % 4))

        await asyncio.gather(*(producer(k * 100) for k in range(3)))
        await queue.enqueue_many([{"type": "step", "payload": {"n": 1000 + n}} for n in range(40)])

        async def all_ran() -> bool:
            return (await queue.counts()).get("default", {}).get("succeeded", 0) == 220

        await wait_until(all_ran, timeout=30)
    expected = [*range(0, 60), *range(100, 160), *range(200, 260), *range(1000, 1040)]
    assert sorted(runs) == expected
    assert set(runs.values()) == {1}
    assert most == 1
    assert statuses[JobStatus.RUNNING] > 0  # some were handed over, the rest claimed
