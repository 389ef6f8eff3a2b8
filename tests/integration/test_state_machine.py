"""Every transition of the state machine, driven through the storage layer, and the
forbidden ones refused: a guarded statement changes nothing when the job is elsewhere."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from equeue import JobStateError, JobStatus, Queue
from equeue.storage import Failure, Storage
from equeue.worker.maintenance import Maintenance, MaintenanceSettings
from tests.conftest import storage_of, wait_until


@pytest.fixture
async def storage(queue: Queue) -> Storage:
    @queue.task(name="t")
    def t() -> None: ...

    return await storage_of(queue)


async def claim_one(storage: Storage, lease: float = 30) -> tuple[uuid.UUID, uuid.UUID]:
    [claimed] = await storage.claim("w1", None, 1, lease)
    return claimed.id, claimed.lease_token


async def expire_leases(db: asyncpg.Connection, schema: str) -> None:
    await db.execute(
        f"UPDATE \"{schema}\".jobs SET lease_expires_at = now() - interval '1 second' "
        "WHERE status = 'running'"
    )


async def test_queued_to_running_to_succeeded(queue: Queue, storage: Storage) -> None:
    job = await queue.enqueue("t")
    job_id, token = await claim_one(storage)
    assert job_id == job.id
    running = await queue.get_job(job.id)
    assert running.status is JobStatus.RUNNING and running.attempts == 1
    assert running.worker_id == "w1"
    assert await storage.complete([(job_id, token, '"ok"')]) == {job_id}
    done = await queue.get_job(job.id)
    assert done.status is JobStatus.SUCCEEDED and done.result == "ok" and done.finished_at
    # Forbidden: succeeded -> anything by a worker statement, and user retry/cancel.
    assert await storage.complete([(job_id, token, '"again"')]) == set()
    assert await storage.fail([Failure(job_id, token, "x", "x", 0)]) == {}
    with pytest.raises(JobStateError, match="only failed or cancelled"):
        await queue.retry(job.id)
    with pytest.raises(JobStateError, match="already finished"):
        await queue.cancel(job.id)


async def test_running_to_retrying_to_failed_then_retry(queue: Queue, storage: Storage) -> None:
    job = await queue.enqueue("t", max_attempts=2)
    job_id, token = await claim_one(storage)
    statuses = await storage.fail([Failure(job_id, token, "E: boom", "trace 1", 0)])
    assert statuses == {job_id: "retrying"}
    job_id, token = await claim_one(storage)
    assert await storage.fail([Failure(job_id, token, "E: boom2", "trace 2", 0)]) == {
        job_id: "failed"
    }
    dead = await queue.get_job(job.id)
    assert dead.status is JobStatus.FAILED and dead.last_error == "E: boom2"
    assert [(a.number, a.outcome, a.error) for a in dead.history] == [
        (1, "failed", "trace 1"),
        (2, "failed", "trace 2"),
    ]
    again = await queue.retry(job.id)
    assert again.status is JobStatus.QUEUED and again.attempts == 0
    assert len(again.history) == 2  # history kept


async def test_scheduled_is_not_claimed_until_due_then_promoted(
    queue: Queue, storage: Storage, db: asyncpg.Connection
) -> None:
    job = await queue.enqueue("t", delay=3600)
    assert await storage.claim("w1", None, 10, 30) == []
    maintenance = Maintenance(storage, MaintenanceSettings())
    await maintenance.run_once()
    assert (await queue.get_job(job.id)).status is JobStatus.SCHEDULED
    await db.execute(f"UPDATE \"{queue.schema}\".jobs SET run_at = now() - interval '1s'")
    await maintenance.run_once()
    assert (await queue.get_job(job.id)).status is JobStatus.QUEUED


async def test_cancel_waiting_jobs_at_once(queue: Queue, storage: Storage) -> None:
    for options in ({}, {"delay": 60}):
        job = await queue.enqueue("t", **options)  # type: ignore[arg-type]
        cancelled = await queue.cancel(job.id)
        assert cancelled.status is JobStatus.CANCELLED and cancelled.finished_at
    assert await storage.claim("w1", None, 10, 30) == []


async def test_cancel_running_job_is_a_request_the_worker_completes(
    queue: Queue, storage: Storage
) -> None:
    job = await queue.enqueue("t")
    job_id, token = await claim_one(storage)
    flagged = await queue.cancel(job.id)
    assert flagged.status is JobStatus.RUNNING and flagged.cancel_requested
    assert await storage.mark_cancelled([(job_id, uuid.uuid4())]) == set()  # wrong token
    assert await storage.mark_cancelled([(job_id, token)]) == {job_id}
    assert (await queue.get_job(job.id)).status is JobStatus.CANCELLED


async def test_release_returns_the_job_without_spending_an_attempt(
    queue: Queue, storage: Storage
) -> None:
    job = await queue.enqueue("t")
    job_id, token = await claim_one(storage)
    assert await storage.release([(job_id, token)]) == {job_id}
    released = await queue.get_job(job.id)
    assert released.status is JobStatus.QUEUED and released.attempts == 0
    assert released.history[-1].outcome == "released"


async def test_rescue_after_lease_expiry_and_fencing_of_the_late_worker(
    queue: Queue, storage: Storage, db: asyncpg.Connection
) -> None:
    job = await queue.enqueue("t", max_attempts=3)
    job_id, stale_token = await claim_one(storage)
    await expire_leases(db, queue.schema)
    await Maintenance(storage, MaintenanceSettings()).run_once()
    rescued = await queue.get_job(job.id)
    assert rescued.status in (JobStatus.RETRYING, JobStatus.QUEUED)
    assert rescued.history[-1].outcome == "lease_expired"
    # The late worker's completion cannot overwrite the rescue...
    assert await storage.complete([(job_id, stale_token, "1")]) == set()
    # ...nor the new owner's run.
    _, fresh_token = await claim_one(storage)
    assert await storage.complete([(job_id, stale_token, "1")]) == set()
    assert await storage.complete([(job_id, fresh_token, "2")]) == {job_id}
    assert (await queue.get_job(job.id)).result == 2


async def test_rescue_dead_letters_a_job_out_of_attempts(
    queue: Queue, storage: Storage, db: asyncpg.Connection
) -> None:
    """Attempts are counted at claim: a job that kills its worker every time ends failed
    (its first lost lease given back: it may have died of another job's crash)."""
    job = await queue.enqueue("t", max_attempts=2)
    maintenance = Maintenance(storage, MaintenanceSettings())
    for _ in range(3):
        await claim_one(storage)
        await expire_leases(db, queue.schema)
        await maintenance.run_once()
    dead = await queue.get_job(job.id)
    assert dead.status is JobStatus.FAILED and dead.attempts == 2
    assert [(a.number, a.outcome) for a in dead.history] == [
        (1, "lease_expired"),
        (1, "lease_expired"),
        (2, "lease_expired"),
    ]


async def test_rescue_of_a_cancel_requested_job_ends_cancelled(
    queue: Queue, storage: Storage, db: asyncpg.Connection
) -> None:
    job = await queue.enqueue("t")
    await claim_one(storage)
    await queue.cancel(job.id)
    await expire_leases(db, queue.schema)
    await Maintenance(storage, MaintenanceSettings()).run_once()
    assert (await queue.get_job(job.id)).status is JobStatus.CANCELLED


async def test_renewal_only_for_the_lease_holder(queue: Queue, storage: Storage) -> None:
    await queue.enqueue("t")
    job_id, token = await claim_one(storage, lease=5)
    rows = await storage.pool.fetch(storage.q["renew_leases"], [job_id], [uuid.uuid4()], 60, "w1")
    assert rows == []
    rows = await storage.pool.fetch(storage.q["renew_leases"], [job_id], [token], 60, "w1")
    assert [r["id"] for r in rows] == [job_id]


async def test_delete_purge_and_replay(queue: Queue, storage: Storage) -> None:
    a = await queue.enqueue("t")
    b = await queue.enqueue("t", max_attempts=1)
    c = await queue.enqueue("t", max_attempts=1, queue="other")
    d = await queue.enqueue("t")
    claimed = await storage.claim("w1", None, 4, 30)
    tokens = {cl.id: cl.lease_token for cl in claimed}
    with pytest.raises(JobStateError, match="is running"):
        await queue.delete(a.id)
    await storage.complete([(a.id, tokens[a.id], "null")])
    await storage.fail(
        [Failure(b.id, tokens[b.id], "E", "E", 0), Failure(c.id, tokens[c.id], "E", "E", 0)]
    )
    await storage.release([(d.id, tokens[d.id])])
    assert await queue.replay_failed(queue="other") == 1
    assert (await queue.get_job(c.id)).status is JobStatus.QUEUED
    assert (await queue.get_job(b.id)).status is JobStatus.FAILED
    assert await queue.purge(statuses=["succeeded", "queued"]) == 1  # queued never purged
    with pytest.raises(LookupError):
        await queue.get_job(a.id)
    await queue.delete(b.id)
    with pytest.raises(LookupError):
        await queue.get_job(b.id)
    counts = await queue.counts()
    assert counts["default"]["queued"] == 1 and counts["other"]["queued"] == 1


async def test_claim_order_priority_then_run_at_and_paused_queues(
    queue: Queue, storage: Storage
) -> None:
    low = await queue.enqueue("t", priority=-5)
    high = await queue.enqueue("t", priority=50)
    mid1 = await queue.enqueue("t")
    mid2 = await queue.enqueue("t")
    paused = await queue.enqueue("t", queue="slow", priority=100)
    await queue.pause_queue("slow")
    claimed = await storage.claim("w1", None, 10, 30)
    assert [c.id for c in claimed] == [high.id, mid1.id, mid2.id, low.id]
    await queue.resume_queue("slow")
    assert [c.id for c in await storage.claim("w1", ["slow"], 10, 30)] == [paused.id]


async def test_pruning_removes_only_old_finished_jobs(
    queue: Queue, storage: Storage, db: asyncpg.Connection
) -> None:
    old = await queue.enqueue("t")
    recent = await queue.enqueue("t")
    waiting = await queue.enqueue("t", delay=60)
    await queue.cancel(old.id)
    await queue.cancel(recent.id)
    await db.execute(
        f"UPDATE \"{queue.schema}\".jobs SET finished_at = now() - interval '8 days' WHERE id = $1",
        old.id,
    )
    await Maintenance(storage, MaintenanceSettings()).run_once()
    with pytest.raises(LookupError):
        await queue.get_job(old.id)
    assert (await queue.get_job(recent.id)).status is JobStatus.CANCELLED
    assert (await queue.get_job(waiting.id)).status is JobStatus.SCHEDULED


async def test_a_duty_runs_in_one_process_at_a_time(queue: Queue, storage: Storage) -> None:
    async with storage.pool.acquire() as holder, holder.transaction():
        lock = f"{queue.schema}:rescue"
        assert await holder.fetchval(storage.q["try_duty_lock"], lock, "1min")
        assert await storage.run_duty("rescue", "rescue_expired_leases", 10) is None
    assert await storage.run_duty("rescue", "rescue_expired_leases", 10) == []


async def test_a_process_stopped_in_a_duty_round_does_not_keep_the_duty(
    queue: Queue, storage: Storage, database_url: str
) -> None:
    """A process frozen (or cut off) between the statements of its round would hold the
    duty's lock as long as its connection lives: the server ends that round instead."""
    stopped = await asyncpg.connect(database_url)
    try:
        await stopped.execute("BEGIN")
        assert await stopped.fetchval(storage.q["try_duty_lock"], f"{queue.schema}:rescue", "300ms")
        assert await storage.run_duty("rescue", "rescue_expired_leases", 10) is None

        async def duty_free() -> bool:
            return await storage.run_duty("rescue", "rescue_expired_leases", 10) is not None

        await wait_until(duty_free, timeout=10)  # the stopped round was ended for it
    finally:
        stopped.terminate()


async def test_database_constraints_hold_the_invariants(
    queue: Queue, storage: Storage, db: asyncpg.Connection
) -> None:
    job = await queue.enqueue("t")
    with pytest.raises(asyncpg.CheckViolationError):
        await db.execute(
            f"UPDATE \"{queue.schema}\".jobs SET status = 'running' WHERE id = $1", job.id
        )
    with pytest.raises(asyncpg.CheckViolationError):
        await db.execute(
            f"UPDATE \"{queue.schema}\".jobs SET status = 'succeeded' WHERE id = $1", job.id
        )


async def test_claim_walks_the_claim_index_in_order_whatever_the_backlog(
    queue: Queue, storage: Storage
) -> None:
    """With a large backlog the claim must stop after one batch, not sort every waiting
    job (what a bitmap scan or an anti-join would make it do)."""
    await queue.enqueue_many([{"type": "t"} for _ in range(5000)])
    await queue.pause_queue("elsewhere")
    async with storage.pool.acquire() as conn:
        rows = await conn.fetch(
            "EXPLAIN " + storage.q["claim_jobs"],
            None,
            100,
            "w",
            30.0,
            None,
            False,
            None,
            0,
            0.0,
            None,
        )
    plan = "\n".join(r[0] for r in rows)
    assert "Index Scan using jobs_claimable on" in plan, plan
    assert "Index Scan using jobs_claimable_suspects on" in plan, plan  # at most one
    assert "Sort" not in plan, plan
