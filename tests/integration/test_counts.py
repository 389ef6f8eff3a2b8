"""Counts by queue, task and status kept as jobs move (migration 0009): after any mix of
what moves jobs they equal a GROUP BY over the jobs, in the same snapshot, and so do the
tags kept beside them."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import pytest

from equeue import Queue
from equeue.job import JobStatus
from equeue.migrations import migrate
from equeue.storage import Failure, Storage
from tests.conftest import running_worker, storage_of

QUEUES = ("default", "mail", "reports")
TASKS = ("t.a", "t.b")
WAITING = ("scheduled", "queued", "retrying")


@pytest.fixture
async def storage(queue: Queue) -> Storage:
    queue.allow_unknown_tasks = True
    return await storage_of(queue)


async def counted(conn: asyncpg.Connection, schema: str) -> dict[tuple[str, str, str], int]:
    rows = await conn.fetch(
        f"""SELECT queue, task, status, sum(n)::bigint AS n
              FROM (SELECT queue, task, status, n FROM "{schema}".job_counts
                    UNION ALL
                    SELECT queue, task, status, n FROM "{schema}".job_count_changes) AS c
             GROUP BY queue, task, status HAVING sum(n) <> 0"""
    )
    return {(r["queue"], r["task"], r["status"]): r["n"] for r in rows}


async def grouped(conn: asyncpg.Connection, schema: str) -> dict[tuple[str, str, str], int]:
    rows = await conn.fetch(
        f'SELECT queue, task, status, count(*) AS n FROM "{schema}".any_jobs '
        "GROUP BY queue, task, status"
    )
    return {(r["queue"], r["task"], r["status"]): r["n"] for r in rows}


async def tags_kept(conn: asyncpg.Connection, schema: str) -> tuple[set[Any], set[Any]]:
    # Wherever the job is: jobs and job_tags, or job_history and job_history_tags.
    kept = await conn.fetch(
        f'SELECT tag, job_id FROM "{schema}".job_tags'
        f' UNION ALL SELECT tag, job_id FROM "{schema}".job_history_tags'
    )
    carried = await conn.fetch(
        f'SELECT DISTINCT t.tag, j.id FROM "{schema}".any_jobs j, unnest(j.tags) AS t(tag)'
    )
    return {tuple(r) for r in kept}, {tuple(r) for r in carried}


async def assert_exact(db: asyncpg.Connection, schema: str, note: str = "") -> None:
    """Counters, GROUP BY and tags compared in one snapshot."""
    async with db.transaction(isolation="repeatable_read", readonly=True):
        assert await counted(db, schema) == await grouped(db, schema), note
        kept, carried = await tags_kept(db, schema)
        assert kept == carried, note


class Mix:
    """Random moves of jobs through every path the engine has, on one schema."""

    def __init__(self, queue: Queue, storage: Storage, db: asyncpg.Connection, seed: int):
        self.queue, self.storage, self.db = queue, storage, db
        self.rng = random.Random(seed)
        self.table = f'"{queue.schema}".jobs'

    async def jobs(self, *statuses: str) -> list[asyncpg.Record]:
        return await self.db.fetch(  # wherever they are: archived ones too
            f'SELECT id, lease_token, cancel_requested FROM "{self.queue.schema}".any_jobs '
            "WHERE status = ANY($1::text[]) ORDER BY id",
            list(statuses),
        )

    def item(self) -> dict[str, Any]:
        rng = self.rng
        job: dict[str, Any] = {"type": rng.choice(TASKS), "queue": rng.choice(QUEUES)}
        job["max_attempts"] = rng.randint(1, 2)
        if rng.random() < 0.4:
            job["tags"] = [*rng.sample(["red", "green", "blue"], rng.randint(1, 2)), "red"]
        if rng.random() < 0.2:
            job["dedupe_key"] = f"k{rng.randint(1, 6)}"
        if rng.random() < 0.2:
            job["delay"] = 3600
        return job

    async def enqueue(self) -> None:
        item = self.item()
        await self.queue.enqueue(item.pop("type"), {"n": 1}, **item)

    async def enqueue_many(self) -> None:
        await self.queue.enqueue_many([self.item() for _ in range(self.rng.randint(2, 8))])

    async def copy_many(self) -> None:  # 100 and more plain jobs go by COPY
        task, queue, tags = self.rng.choice(TASKS), self.rng.choice(QUEUES), ["blue"]
        await self.queue.enqueue_many([{"type": task, "queue": queue, "tags": tags}] * 120)

    async def claim(self) -> None:
        await self.storage.claim("w1", None, self.rng.randint(1, 40), 30.0)

    async def held(self) -> list[tuple[uuid.UUID, uuid.UUID]]:
        running = await self.jobs("running")
        picked = self.rng.sample(running, min(len(running), self.rng.randint(1, 10)))
        return [(r["id"], r["lease_token"]) for r in picked]

    async def complete(self) -> None:
        if held := await self.held():  # a worker never reports an empty batch
            await self.storage.complete([(i, t, '"ok"') for i, t in held])

    async def fail(self) -> None:
        if held := await self.held():
            await self.storage.fail([Failure(i, t, "E", "trace", 0) for i, t in held])

    async def release(self) -> None:
        if held := await self.held():
            await self.storage.release(held)

    async def cancel(self) -> None:
        rows = await self.jobs(*WAITING, "running")
        for row in self.rng.sample(rows, min(len(rows), 2)):
            await self.queue.cancel(row["id"])
        flagged = [(r["id"], r["lease_token"]) for r in await self.jobs("running")]
        await self.storage.mark_cancelled(flagged[: self.rng.randint(0, len(flagged))])

    async def retry(self) -> None:
        for row in (await self.jobs("failed", "cancelled"))[:2]:
            await self.queue.retry(row["id"])

    async def replay(self) -> None:
        await self.queue.replay_failed(queue=self.rng.choice([None, *QUEUES]), limit=5)

    async def delete(self) -> None:
        rows = await self.jobs(*WAITING, "succeeded", "failed", "cancelled")
        for row in self.rng.sample(rows, min(len(rows), 3)):
            await self.queue.delete(row["id"])

    async def bulk(self) -> None:  # the dashboard's selections: one statement per action
        action = self.rng.choice(["retry", "cancel", "delete"])
        rows = await self.jobs(*WAITING, "running", "succeeded", "failed", "cancelled")
        picked = self.rng.sample(rows, min(len(rows), self.rng.randint(1, 12)))
        await self.queue.admin.bulk(action, [r["id"] for r in picked])

    async def purge(self) -> None:
        statuses = self.rng.sample(["succeeded", "failed", "cancelled"], 2)
        await self.queue.purge(statuses=statuses, queue=self.rng.choice([None, *QUEUES]))

    async def prune(self) -> None:  # retention of 0: every finished job is past it
        await self.storage.run_duty("prune", "prune_finished_jobs", 0.0, 7)

    async def rescue(self) -> None:
        await self.db.execute(
            f"UPDATE {self.table} SET lease_expires_at = now() - interval '1 second' "
            "WHERE status = 'running' AND id IN (SELECT id FROM "
            f"{self.table} WHERE status = 'running' ORDER BY id LIMIT 5)"
        )
        await self.storage.run_duty("rescue", "rescue_expired_leases", 1000)

    async def promote(self) -> None:
        await self.db.execute(
            f"UPDATE {self.table} SET run_at = now() - interval '1 second' "
            "WHERE status IN ('scheduled', 'retrying')"
        )
        await self.storage.run_duty("promote", "promote_due_jobs", 1000)

    async def fold(self) -> None:
        await self.storage.fold_job_counts()

    async def archive(self) -> None:  # finished jobs to job_history
        batch = self.rng.randint(1, 20)
        await self.storage.run_duty("archive", "archive_finished_jobs", 0.0, 86400.0, batch)

    async def drop_history(self) -> None:
        """Retention of job_history as if three days had passed: today's partitions are
        dropped (later moves land in the default partition until they are made again)."""
        await self.storage.run_duty("prune", "drop_expired_history", -3 * 86400.0, "2s")
        await self.storage.run_duty("prune", "prune_history_default", -3 * 86400.0, 5)
        await self.storage.run_duty("partitions", "add_history_partitions", 0.0, 2, "2s")

    def moves(self) -> list[Callable[[], Awaitable[None]]]:
        return [
            self.enqueue, self.enqueue_many, self.copy_many, self.claim, self.claim,
            self.complete, self.fail, self.release, self.cancel, self.retry, self.replay,
            self.delete, self.bulk, self.bulk, self.purge, self.prune, self.rescue,
            self.promote, self.fold, self.archive, self.archive, self.drop_history,
        ]  # fmt: skip


@pytest.mark.parametrize("seed", [1, 2])
async def test_counts_equal_a_group_by_after_any_mix_of_moves(
    queue: Queue, storage: Storage, db: asyncpg.Connection, seed: int
) -> None:
    mix = Mix(queue, storage, db, seed)
    moves = mix.moves()
    done: list[str] = []
    for _ in range(70):
        move = mix.rng.choice(moves)
        await move()
        done.append(move.__name__)
        await assert_exact(db, queue.schema, " → ".join(done))
    # Every path ran, or the mix proves less than it says.
    assert {m.__name__ for m in moves} <= set(done)
    expected = await grouped(db, queue.schema)
    counts = await queue.counts()
    for (queue_name, _, status), n in expected.items():
        total = sum(v for (q, _, s), v in expected.items() if (q, s) == (queue_name, status))
        assert counts[queue_name][status] == total, (queue_name, status, n)
    await db.execute(f'TRUNCATE "{queue.schema}".jobs')
    await assert_exact(db, queue.schema)  # the archived jobs, whatever the mix left there
    await db.execute(f'TRUNCATE "{queue.schema}".job_history')
    assert await counted(db, queue.schema) == {}


async def test_counts_read_in_one_snapshot_match_while_workers_and_enqueues_run(
    queue: Queue, db: asyncpg.Connection
) -> None:
    """A worker drains, folds (maintenance) and fails jobs while enqueues arrive; every
    reading taken meanwhile equals the GROUP BY of its own snapshot."""

    @queue.task(name="flaky", max_attempts=1)
    async def flaky(n: int) -> None:
        if n % 3 == 0:
            raise RuntimeError("every third one fails")

    readings = 0
    async with running_worker(queue, concurrency=8, claim_batch=8) as worker:
        for batch in range(12):
            await queue.enqueue_many(
                [{"type": "flaky", "payload": {"n": n}} for n in range(batch * 25, batch * 25 + 25)]
            )
            await queue.enqueue("flaky", {"n": 1}, tags=["single"])
            await assert_exact(db, queue.schema, f"batch {batch}")
            readings += 1
        deadline = asyncio.get_running_loop().time() + 30
        while worker.jobs_done < 12 * 26:
            assert asyncio.get_running_loop().time() < deadline, await queue.counts()
            await assert_exact(db, queue.schema, "draining")
            readings += 1
            await asyncio.sleep(0.02)
    await assert_exact(db, queue.schema, "after the worker stopped")
    counts = (await queue.counts())["default"]
    assert counts["succeeded"] + counts["failed"] == 12 * 26
    assert readings > 12


async def test_migration_counts_and_tags_the_jobs_of_an_existing_install(
    database_url: str, schema_name: str, db: asyncpg.Connection
) -> None:
    """An install from before 0009 with jobs in every state: after the migration the
    counters and tags hold them all, and go on counting."""
    await migrate(db, schema_name, until=8)
    await jobs_in_every_state(schema_name, db)
    old = Queue(database_url, schema=schema_name, allow_unknown_tasks=True)
    try:
        assert {9, 10, 11} <= set(await migrate(db, schema_name))
        await assert_exact(db, schema_name)
        states = {s for (_, _, s) in (await grouped(db, schema_name))}
        assert states == {s.value for s in JobStatus}
        await old.enqueue("t", tags=["after"])
        await assert_exact(db, schema_name)
    finally:
        await old.close()
        await db.execute(f'DROP SCHEMA IF EXISTS "{schema_name}" CASCADE')


async def jobs_in_every_state(schema: str, db: asyncpg.Connection) -> None:
    """Jobs in every status with tags, written in the columns of a release before 0009
    (this release's statements need later migrations' columns, which it lacks)."""
    await db.execute(
        f"""INSERT INTO "{schema}".jobs
                   (id, task, queue, status, attempts, max_attempts, run_at, started_at,
                    finished_at, lease_token, lease_expires_at, worker_id, tags)
            SELECT gen_random_uuid(), v.task, v.queue, v.status, v.attempts, 3,
                   now() + v.later, CASE WHEN v.attempts > 0 THEN now() END,
                   CASE WHEN v.status IN ('succeeded', 'failed', 'cancelled') THEN now() END,
                   CASE WHEN v.status = 'running' THEN gen_random_uuid() END,
                   CASE WHEN v.status = 'running' THEN now() + interval '30 seconds' END,
                   CASE WHEN v.attempts > 0 THEN 'w' END, v.tags
              FROM (VALUES ('t', 'default', 'queued', 0, interval '0', '{{a,b}}'::text[]),
                           ('t', 'default', 'queued', 0, interval '0', '{{a}}'),
                           ('t', 'default', 'scheduled', 0, interval '1 hour', '{{later}}'),
                           ('t', 'default', 'running', 1, interval '0', '{{a,b}}'),
                           ('t', 'default', 'retrying', 1, interval '1 minute', '{{}}'),
                           ('t', 'default', 'succeeded', 1, interval '0', '{{a,b}}'),
                           ('u', 'other', 'failed', 3, interval '0', '{{}}'),
                           ('u', 'other', 'cancelled', 0, interval '0', '{{b}}'))
                   AS v(task, queue, status, attempts, later, tags)"""
    )
