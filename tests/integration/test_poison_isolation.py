"""Poison isolation, deterministically: a worker that dies takes down every job it held,
and only a suspect (a job that lost a lease before, one per worker) pays the attempt.

Workers "die" here by their leases running out, as rescue sees a dead worker; the
battery's poison scenario kills real worker processes with the same jobs' own hands.
"""

from __future__ import annotations

import asyncpg
import pytest

from equeue import JobStatus, Queue
from equeue.storage import Claimed, Storage
from equeue.worker.maintenance import Maintenance, MaintenanceSettings
from tests.conftest import storage_of


@pytest.fixture
async def storage(queue: Queue) -> Storage:
    queue.allow_unknown_tasks = True
    return await storage_of(queue)


async def die(db: asyncpg.Connection, storage: Storage, worker: str) -> None:
    """The worker stops renewing its leases; the rescue duty finds them expired."""
    await db.execute(
        f"UPDATE \"{storage.schema}\".jobs SET lease_expires_at = now() - interval '1 second' "
        "WHERE status = 'running' AND worker_id = $1",
        worker,
    )
    await Maintenance(storage, MaintenanceSettings()).run_once()


async def suspects(db: asyncpg.Connection, schema: str) -> int:
    return int(await db.fetchval(f'SELECT count(*) FROM "{schema}".jobs WHERE suspect'))


async def test_a_first_lost_lease_is_not_counted_and_makes_the_job_a_suspect(
    queue: Queue, storage: Storage, db: asyncpg.Connection
) -> None:
    jobs = await queue.enqueue_many([{"type": "t", "max_attempts": 1}] * 4)
    assert len(await storage.claim("w1", None, 10, 30)) == 4
    await die(db, storage, "w1")
    for job in jobs:
        rescued = await queue.get_job(job.id)
        # One attempt allowed, and it was not spent: the job runs again.
        assert rescued.status in (JobStatus.RETRYING, JobStatus.QUEUED)
        assert rescued.attempts == 0
        assert rescued.history[-1].outcome == "lease_expired"
        assert "not counted" in (rescued.history[-1].error or "")
    assert await suspects(db, queue.schema) == 4


async def test_a_worker_holds_one_suspect_at_a_time(
    queue: Queue, storage: Storage, db: asyncpg.Connection
) -> None:
    lost = await queue.enqueue_many([{"type": "t"}] * 3)
    assert len(await storage.claim("dead", None, 10, 30)) == 3
    await die(db, storage, "dead")
    fresh = await queue.enqueue_many([{"type": "t"}] * 3)

    suspect_ids = {job.id for job in lost}
    # One claim slot, and a backlog of fresh jobs: the suspect comes first, never starved.
    [first] = await storage.claim("w1", None, 1, 30)
    assert first.id in suspect_ids
    # More slots: the fresh jobs, but no second suspect while w1 holds one.
    assert {job.id for job in await storage.claim("w1", None, 10, 30)} == {job.id for job in fresh}
    [second] = await storage.claim("w2", None, 10, 30)
    assert second.id in suspect_ids - {first.id}
    # Once w1's suspect is done, w1 may take the next one.
    await storage.complete([(first.id, first.lease_token, "null")])
    third = await storage.claim("w1", None, 10, 30)
    assert [job.id for job in third] == list(suspect_ids - {first.id, second.id})


async def test_a_job_that_kills_every_worker_fails_alone(
    queue: Queue, storage: Storage, db: asyncpg.Connection
) -> None:
    """The poison job fails after max attempts; the jobs that died with it lose nothing,
    although each of them was on the worker of its first crash."""
    poison = await queue.enqueue("poison", max_attempts=3)
    innocent = await queue.enqueue_many([{"type": "t", "max_attempts": 2}] * 5)
    for round_ in range(20):
        worker = f"w{round_}"
        claimed = await storage.claim(worker, None, 10, 30)
        if any(job.id == poison.id for job in claimed):
            await die(db, storage, worker)  # the poison job took its worker down
        else:
            await complete(storage, claimed)
        if (await queue.get_job(poison.id)).status is JobStatus.FAILED:
            break
    dead = await queue.get_job(poison.id)
    assert (dead.status, dead.attempts) == (JobStatus.FAILED, 3)
    # Its first crash is not counted, the next three are.
    assert [a.number for a in dead.history] == [1, 1, 2, 3]
    await complete(storage, await storage.claim("last", None, 10, 30))
    for job in innocent:
        done = await queue.get_job(job.id)
        assert done.status is JobStatus.SUCCEEDED, done
        assert done.attempts == 1  # the crash it shared cost it nothing


async def complete(storage: Storage, claimed: list[Claimed]) -> None:
    if claimed:
        await storage.complete([(job.id, job.lease_token, "null") for job in claimed])


async def test_a_suspects_lost_lease_is_counted(
    queue: Queue, storage: Storage, db: asyncpg.Connection
) -> None:
    job = await queue.enqueue("t", max_attempts=1)
    for worker in ("w1", "w2"):
        assert [c.id for c in await storage.claim(worker, None, 10, 30)] == [job.id]
        await die(db, storage, worker)
    dead = await queue.get_job(job.id)
    assert (dead.status, dead.attempts) == (JobStatus.FAILED, 1)
    assert [(a.number, a.outcome) for a in dead.history] == [
        (1, "lease_expired"),
        (1, "lease_expired"),
    ]
