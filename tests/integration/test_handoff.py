"""Direct hand-off of single enqueues to idle workers (migration 0004), against a real
PostgreSQL: who gets a job handed over, who never does, and how a job whose notification
went missing is still taken exactly once."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

import asyncpg
import pytest

from equeue import JobStatus, Queue, Worker
from equeue.building import build
from equeue.storage import Handoff, Offer, Storage
from tests.conftest import running_worker, storage_of, wait_for_status, wait_until


@pytest.fixture
async def storage(queue: Queue) -> Storage:
    queue.allow_unknown_tasks = True
    return await storage_of(queue)


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
    assert await storage.claim(worker_id, None, 5, 30.0, Offer(listener_pid, seconds=5)) == []


async def test_an_idle_worker_is_handed_a_single_job_at_once(
    queue: Queue, db: asyncpg.Connection
) -> None:
    ran: list[int] = []

    @queue.task(name="note")
    async def note(n: int) -> int:
        ran.append(n)
        return n * 2

    # Polls 30 s apart (leases of 60): whatever happens here, no poll did it.
    async with running_worker(queue, poll_interval=30, lease_seconds=60) as worker:
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
    async with (await storage_of(queue)).pool.acquire() as conn, conn.transaction():
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
    offer = Offer(db.get_server_pid(), seconds=5)
    assert await storage.claim("mail", ["mail"], 5, 30.0, offer) == []
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


async def test_the_notification_names_the_job_which_is_read_from_the_table(
    queue: Queue, storage: Storage, db: asyncpg.Connection
) -> None:
    heard: asyncio.Queue[str] = asyncio.Queue()
    await db.add_listener(storage.channel, lambda *args: heard.put_nowait(args[3]))
    await open_offer(storage, "w", db.get_server_pid())
    job = await queue.enqueue("t", {"x": [1, "two"]}, priority=3, timeout=9.5)

    message = await asyncio.wait_for(heard.get(), 5)
    assert message == f"h:0 {job.id} w"  # ids and numbers only
    handoff = Handoff.parse(message.removeprefix("h:"))
    assert handoff is not None
    handed = await storage.read_handed("w", handoff)
    assert handed is not None
    assert (handed.id, handed.task, handed.priority, handed.timeout) == (job.id, "t", 3, 9.5)
    assert json.loads(handed.payload) == {"x": [1, "two"]} and handed.attempts == 1
    assert handed.lease_token == await storage.pool.fetchval(
        f'SELECT lease_token FROM "{queue.schema}".jobs WHERE id = $1', job.id
    )
    # Anything else is not confirmed: another worker, another opening, another job.
    for other in ("h:0 {job.id} x", "h:1 {job.id} w", "h:0 {other} w"):
        text = other.format(job=job, other=uuid.uuid4()).removeprefix("h:")
        forged = Handoff.parse(text)
        assert forged is not None
        assert await storage.read_handed(forged.worker, forged) is None

    # Had the notification been lost, the worker's next claim statement brings the job,
    # with the same lease; one it has seen is not brought again.
    seen = Offer(db.get_server_pid(), may_be_open=True, seen=job.id, next_generation=1, seconds=5)
    assert await storage.claim("w", None, 5, 30.0, seen) == []
    await open_offer(storage, "w", db.get_server_pid())
    second = await queue.enqueue("t")
    missed = Offer(db.get_server_pid(), may_be_open=True, next_generation=2, seconds=5)
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


async def test_a_large_job_is_handed_over_and_runs_at_once(
    queue: Queue, db: asyncpg.Connection
) -> None:
    @queue.task(name="measure")
    async def measure(text: str) -> int:
        return len(text)

    async with running_worker(queue, poll_interval=30, lease_seconds=60) as worker:
        await wait_until(offer_is_open(db, queue, worker))
        job = await queue.enqueue("measure", {"text": "x" * 20_000})
        assert job.status is JobStatus.RUNNING
        done = await wait_for_status(queue, job.id, JobStatus.SUCCEEDED, timeout=5)
        assert done.result == 20_000 and done.attempts == 1


async def test_a_worker_whose_listen_connection_drops_offers_itself_on_the_new_one(
    queue: Queue, db: asyncpg.Connection
) -> None:
    @queue.task(name="ping")
    async def ping() -> str:
        return "pong"

    async with running_worker(queue, poll_interval=30, lease_seconds=60) as worker:
        await wait_until(offer_is_open(db, queue, worker))
        offers = f'SELECT listener_pid FROM "{queue.schema}".idle_workers WHERE worker_id = $1'
        old_pid = await db.fetchval(offers, worker.id)
        await db.execute("SELECT pg_terminate_backend($1)", old_pid)

        async def offered_again() -> bool:
            pid = await db.fetchval(offers + " AND open", worker.id)
            return pid is not None and pid != old_pid

        await wait_until(offered_again, timeout=10)  # well before the 30 s poll
        job = await queue.enqueue("ping")
        assert job.status is JobStatus.RUNNING
        assert (await wait_for_status(queue, job.id, JobStatus.SUCCEEDED)).result == "pong"


async def test_a_claim_waits_for_a_hand_off_in_flight_and_collects_its_job(
    queue: Queue, storage: Storage, db: asyncpg.Connection, database_url: str
) -> None:
    await open_offer(storage, "w", db.get_server_pid())
    # A batch is never handed over: this one waits, and the claim's one slot goes to the
    # handed job instead.
    await queue.enqueue_many([{"type": "t"}])
    new = build("t", None, {}, {}, queue.limits)
    producer = await asyncpg.connect(database_url)
    try:
        transaction = producer.transaction()
        await transaction.start()
        await producer.fetchrow(
            storage.q["insert_job_handoff"],
            new.id, new.task, new.queue, new.payload_json, new.priority, new.max_attempts,
            new.timeout, None, None,
        )  # fmt: skip
        # The offer is locked by the uncommitted hand-off: the claim waits for it.
        offer = Offer(db.get_server_pid(), may_be_open=True, next_generation=1, seconds=5)
        claim = asyncio.create_task(storage.claim("w", None, 1, 30.0, offer))
        await asyncio.sleep(0.3)
        assert not claim.done()
        await transaction.commit()
    finally:
        await producer.close()
    [collected] = await asyncio.wait_for(claim, 5)
    assert collected.id == new.id
    waiting, _ = await queue.list_jobs(status="queued")
    assert len(waiting) == 1  # the queued job was not claimed: the slot was taken


async def test_the_heartbeat_keeps_the_lease_of_a_job_handed_over_but_not_yet_read(
    queue: Queue, storage: Storage, db: asyncpg.Connection
) -> None:
    """A task blocking the worker's event loop delays reading the notification; the
    heartbeat thread still renews the handed job, so it is not rescued meanwhile."""
    await open_offer(storage, "busy", db.get_server_pid())
    job = await queue.enqueue("t")
    lease = f'SELECT lease_expires_at - now() FROM "{queue.schema}".jobs WHERE id = $1'
    before = await storage.pool.fetchval(lease, job.id)
    rows = await storage.pool.fetch(storage.q["renew_leases"], [], [], 600.0, "busy")
    assert rows == []  # nothing held: nothing to report lost
    assert await storage.pool.fetchval(lease, job.id) > before * 10
    # Once the worker holds it, it is renewed as a held job and reported kept.
    token = await storage.pool.fetchval(
        f'SELECT lease_token FROM "{queue.schema}".jobs WHERE id = $1', job.id
    )
    rows = await storage.pool.fetch(storage.q["renew_leases"], [job.id], [token], 60.0, "busy")
    assert [row["id"] for row in rows] == [job.id]
    # Another worker's heartbeat does not touch it.
    await storage.pool.fetch(storage.q["renew_leases"], [], [], 6000.0, "other")
    assert await storage.pool.fetchval(lease, job.id) < before * 10 * 10
