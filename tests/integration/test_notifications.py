"""What crosses LISTEN/NOTIFY is a hint, never a secret nor an order (real PostgreSQL).

PostgreSQL has no privileges on LISTEN and NOTIFY: any role that can connect hears every
notification of a channel and may send its own. So the jobs channel carries ids and
numbers only, and a worker acts on nothing the tables do not confirm."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import asyncpg

from equeue import JobStatus, Queue, Worker
from equeue.storage.sql import channel_name
from tests.conftest import running_worker, storage_of, wait_for_status, wait_until
from tests.integration.test_handoff import offer_is_open


async def listen(db: asyncpg.Connection, queue: Queue) -> list[str]:
    """Everything sent on the queue's jobs channel from now on, as another role would."""
    heard: list[str] = []
    await db.add_listener(channel_name(queue.schema), lambda *args: heard.append(str(args[3])))
    return heard


async def forge(db: asyncpg.Connection, queue: Queue, payload: str) -> None:
    await db.execute("SELECT pg_notify($1, $2)", channel_name(queue.schema), payload)


async def lease_token(db: asyncpg.Connection, queue: Queue, job_id: uuid.UUID) -> Any:
    return await db.fetchval(f'SELECT lease_token FROM "{queue.schema}".jobs WHERE id = $1', job_id)


async def test_a_listener_on_the_jobs_channel_hears_no_payload_and_no_lease_token(
    queue: Queue, db: asyncpg.Connection, database_url: str
) -> None:
    release = asyncio.Event()
    started: list[str] = []

    @queue.task(name="keep")
    async def keep(secret: str) -> str:
        started.append(secret)
        await release.wait()
        return secret[::-1]

    eavesdropper = await asyncpg.connect(database_url)
    try:
        heard = await listen(eavesdropper, queue)
        async with running_worker(queue, poll_interval=30, lease_seconds=60) as worker:
            await wait_until(offer_is_open(db, queue, worker))
            handed = await queue.enqueue("keep", {"secret": "s3cr3t-handed"})
            assert handed.status is JobStatus.RUNNING  # handed over, with a notification
            await wait_until(lambda: started == ["s3cr3t-handed"])
            # And one claimed the usual way, then cancelled: a notification too.
            [claimed] = await queue.enqueue_many(
                [{"type": "keep", "payload": {"secret": "s3cr3t-claimed"}}]
            )
            await wait_for_status(queue, claimed.id, JobStatus.RUNNING)
            tokens = [str(await lease_token(db, queue, j)) for j in (handed.id, claimed.id)]
            await queue.cancel(claimed.id)
            await wait_for_status(queue, claimed.id, JobStatus.CANCELLED)
            release.set()
            assert (await wait_for_status(queue, handed.id, JobStatus.SUCCEEDED)).result == (
                "dednah-t3rc3s"
            )
        assert f"c:{claimed.id}" in heard
        assert any(m.startswith("h:") and str(handed.id) in m for m in heard)
        for message in heard:
            assert "s3cr3t" not in message
            assert not any(token in message for token in tokens)
    finally:
        await eavesdropper.close()


async def test_forged_hand_offs_run_nothing_and_real_ones_still_run(
    queue: Queue, db: asyncpg.Connection
) -> None:
    ran: list[int] = []

    @queue.task(name="record")
    async def record(n: int) -> int:
        ran.append(n)
        return n

    await queue.pause_queue("parked")
    # A real job, but not handed to anyone: it waits in a paused queue.
    parked = await queue.enqueue("record", {"n": 2}, queue="parked")
    async with running_worker(queue, poll_interval=30, lease_seconds=60) as worker:
        await wait_until(offer_is_open(db, queue, worker))
        generation = await open_generation(db, queue, worker)
        # The job itself in the notification, with arguments of the sender's choosing,
        # as hand-offs once carried it...
        forged = [str(uuid.uuid4()), "record", "default", '{"n": 666}', 0, 1, 3, None]
        body = json.dumps([*forged, str(uuid.uuid4())])
        await forge(db, queue, f"h:{generation} {worker.id} {body}")
        # ... a real job that was never handed over, and one that does not exist.
        await forge(db, queue, f"h:{generation} {parked.id} {worker.id}")
        await forge(db, queue, f"h:{generation} {uuid.uuid4()} {worker.id}")

        # Notifications arrive in the order they were sent: the forged ones are read
        # before these real jobs, which still run, each once; and hand-offs go on (an
        # enqueue meeting a claim in flight passes the offer by: try a few times).
        handed = False
        for n in range(1, 6):
            await wait_until(offer_is_open(db, queue, worker))
            real = await queue.enqueue("record", {"n": n})
            handed = real.status is JobStatus.RUNNING
            assert (await wait_for_status(queue, real.id, JobStatus.SUCCEEDED)).attempts == 1
            if handed:
                break
        assert handed
        assert ran == list(range(1, n + 1))
    still = await queue.get_job(parked.id)
    assert still.status is JobStatus.QUEUED and still.attempts == 0


async def open_generation(db: asyncpg.Connection, queue: Queue, worker: Worker) -> int:
    """The opening of the worker's offer: a forger learns it from earlier notifications."""
    generation: int = await db.fetchval(
        f'SELECT generation FROM "{queue.schema}".idle_workers WHERE worker_id = $1', worker.id
    )
    return generation


async def test_a_forged_cancel_stops_nothing_and_a_real_one_is_heard_at_once(
    queue: Queue, db: asyncpg.Connection
) -> None:
    started: set[int] = set()
    release = asyncio.Event()

    @queue.task(name="hold")
    async def hold(n: int) -> int:
        started.add(n)
        await release.wait()
        return n

    # Leases of 60 s: the heartbeat beats every 20 s, so the real cancel below is the
    # notification's doing.
    async with running_worker(queue, concurrency=2, poll_interval=30, lease_seconds=60):
        kept, stopped = await queue.enqueue_many(
            [{"type": "hold", "payload": {"n": n}} for n in (1, 2)]
        )
        await wait_until(lambda: started == {1, 2})
        await forge(db, queue, f"c:{kept.id}")
        await queue.cancel(stopped.id)  # flags the row, then sends the same notification
        cancelled = await wait_for_status(queue, stopped.id, JobStatus.CANCELLED, timeout=10)
        assert cancelled.history[-1].outcome == "cancelled"
        release.set()
        done = await wait_for_status(queue, kept.id, JobStatus.SUCCEEDED, JobStatus.CANCELLED)
        assert done.status is JobStatus.SUCCEEDED and done.result == 1


async def test_a_running_job_is_marked_cancelled_only_if_a_cancel_was_requested(
    queue: Queue,
) -> None:
    storage = await storage_of(queue)
    queue.allow_unknown_tasks = True
    job = await queue.enqueue("t")
    [claimed] = await storage.claim("w", None, 1, 30.0)
    assert await storage.mark_cancelled([(job.id, claimed.lease_token)]) == set()
    assert await storage.cancel_is_requested(job.id, claimed.lease_token) is False
    assert (await queue.get_job(job.id)).status is JobStatus.RUNNING
    await queue.cancel(job.id)
    assert await storage.cancel_is_requested(job.id, uuid.uuid4()) is False  # not its lease
    assert await storage.cancel_is_requested(job.id, claimed.lease_token) is True
    assert await storage.mark_cancelled([(job.id, claimed.lease_token)]) == {job.id}
    assert (await queue.get_job(job.id)).status is JobStatus.CANCELLED
