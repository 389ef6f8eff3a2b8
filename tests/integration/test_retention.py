"""Retention: maintenance deletes expired finished jobs as fast as they come, in bounded
rounds, and never a job that is unfinished or still within its retention."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import asyncpg
import pytest

from equeue import Queue
from equeue.storage import Storage
from equeue.worker.maintenance import Maintenance, MaintenanceSettings, PruneRound
from tests.conftest import storage_of

DAY = timedelta(days=1)


@pytest.fixture
async def storage(queue: Queue) -> Storage:
    @queue.task(name="t")
    def t() -> None: ...

    return await storage_of(queue)


async def finish(
    queue: Queue, db: asyncpg.Connection, count: int, status: str, age: timedelta
) -> set[object]:
    """Enqueue ``count`` jobs and end them ``status`` ``age`` ago; their ids."""
    jobs = await queue.enqueue_many([{"type": "t"}] * count)
    ids = [job.id for job in jobs]
    await db.execute(
        f'UPDATE "{queue.schema}".jobs SET status = $2, finished_at = now() - $3::interval'
        " WHERE id = ANY($1)",
        ids,
        status,
        age,
    )
    return set(ids)


async def stored_ids(db: asyncpg.Connection, queue: Queue) -> set[object]:
    # Finished jobs within retention may have moved to job_history: both tables count.
    return {row["id"] for row in await db.fetch(f'SELECT id FROM "{queue.schema}".any_jobs')}


async def test_one_round_prunes_every_expired_job_and_keeps_the_rest(
    queue: Queue, storage: Storage, db: asyncpg.Connection
) -> None:
    expired = await finish(queue, db, 10_000, "succeeded", 8 * DAY)
    expired |= await finish(queue, db, 1_500, "failed", 30 * DAY)
    expired |= await finish(queue, db, 1_500, "cancelled", 7 * DAY + timedelta(minutes=1))
    recent = await finish(queue, db, 300, "succeeded", 6 * DAY)
    recent |= await finish(queue, db, 300, "failed", timedelta(0))
    waiting = {job.id for job in await queue.enqueue_many([{"type": "t"}] * 300)}
    waiting.add((await queue.enqueue("t", delay=3600)).id)

    await Maintenance(storage, MaintenanceSettings()).run_once()

    assert await stored_ids(db, queue) == recent | waiting
    assert len(expired) > 2 * MaintenanceSettings().prune_batch_size  # several batches


async def test_a_round_stops_at_its_time_limit_and_the_next_comes_soon(
    queue: Queue, storage: Storage, db: asyncpg.Connection
) -> None:
    expired = await finish(queue, db, 1_000, "succeeded", 8 * DAY)
    kept = await finish(queue, db, 10, "succeeded", timedelta(0))
    settings = MaintenanceSettings(
        prune_batch_size=100, prune_round_seconds=1e-9, interval=0.05, prune_interval=3600
    )
    maintenance = Maintenance(storage, settings)
    # A round deletes at least one batch, then stops at its (here: immediate) time limit.
    assert await maintenance.prune() == PruneRound(deleted=100, caught_up=False)
    assert len(await stored_ids(db, queue) & expired) == 900

    # Behind, the loop goes on after `interval`, not after `prune_interval` (an hour).
    running = asyncio.create_task(maintenance.run_forever())
    try:
        deadline = asyncio.get_running_loop().time() + 30
        while await stored_ids(db, queue) != kept:
            assert asyncio.get_running_loop().time() < deadline, "pruning fell behind"
            await asyncio.sleep(0.05)
    finally:
        running.cancel()
        with pytest.raises(asyncio.CancelledError):
            await running
    assert await maintenance.prune() == PruneRound(deleted=0, caught_up=True)


async def test_the_audit_trail_is_kept_as_long_as_finished_jobs(
    queue: Queue, storage: Storage, db: asyncpg.Connection
) -> None:
    from equeue.audit import Action, Actor, AuditEntry

    operator = Actor("cli", "ops", "cli:ops@host")
    for queue_name in ("old", "older", "recent"):
        await queue.admin.record_action(
            operator, AuditEntry(Action.QUEUE_PAUSE, target={"queue": queue_name})
        )
    await db.execute(
        f'UPDATE "{queue.schema}".audit_log SET at = now() - $2::interval'
        " WHERE target->>'queue' = ANY($1)",
        ["old", "older"],
        7 * DAY + timedelta(minutes=1),
    )

    await Maintenance(storage, MaintenanceSettings()).run_once()

    records, _ = await queue.admin.audit_log()
    assert [r.target["queue"] for r in records] == ["recent"]
