"""Writing jobs (insert, hand-off, COPY) and reading and managing them."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from equeue.errors import EnqueueConflictError
from equeue.job import Job, NewJob
from equeue.storage import copy
from equeue.storage.rows import job_from_new, job_from_row
from equeue.storage.seam import Connection, Statements

#: From this many jobs, a batch of plain jobs is written by COPY instead of INSERT.
COPY_FROM = 100
#: Rounds an enqueue gives its dedupe keys to settle before it refuses. A round after
#: the first happens only when a key's holder finished between the insert that clashed
#: with it and the look-up of the holder, so this bound is reached only under a storm.
SETTLE_ROUNDS = 50


class JobStatements(Statements):
    """The statements that write jobs, read them and act on them by id or by filter."""

    # --- enqueue ------------------------------------------------------------------

    async def insert_jobs(
        self, jobs: Sequence[NewJob], connection: Connection | None = None
    ) -> list[Job]:
        """Insert jobs in one statement; a dedupe-key clash returns the holder instead.

        On the caller's ``connection`` the insert joins the caller's transaction.
        """
        if connection is not None:
            return await self._insert_jobs(connection, jobs)
        async with self.pool.acquire() as conn:
            return await self._insert_jobs(conn, jobs)

    async def insert_job_now(self, new: NewJob) -> Job:
        """Insert one job that may run now, handing it to an idle worker when one has an
        open offer for its queue (it is then returned already running).

        Only for a job with no dedupe key, no delay and no caller's transaction: a hand-off
        must commit on its own, and at once, for the worker to hear of it. While several
        such inserts are in flight, the next ones are written together, without a
        hand-off (:mod:`equeue.storage.combining`).
        """
        return await self.single_enqueues.insert(new)

    async def _insert_alone(self, new: NewJob) -> Job:
        row = await self.pool.fetchrow(
            self.q["insert_job_handoff"],
            new.id,
            new.task,
            new.queue,
            new.payload_json,
            new.priority,
            new.max_attempts,
            new.timeout,
            json.dumps(new.tags) if new.tags else None,
            new.group,
        )
        assert row is not None  # the statement always inserts its one row
        job = job_from_new(new, row["status"], row["created_at"], row["run_at"])
        if row["worker_id"] is not None:
            job = replace(job, attempts=1, worker_id=row["worker_id"], started_at=row["started_at"])
        return job

    async def _insert_together(self, jobs: Sequence[NewJob]) -> list[Job]:
        async with self.pool.acquire() as conn:
            return await self._insert_jobs(conn, jobs)

    async def _insert_jobs(self, conn: Connection, jobs: Sequence[NewJob]) -> list[Job]:
        """Every job of ``jobs`` written, or deduplicated to the unfinished job holding its
        key (a later job of the batch with the same key, to the first one's outcome), or
        refused with :class:`EnqueueConflictError` when its key did not settle.

        A round's insert takes its keys in order and, outside a caller's transaction,
        commits before the next round begins, so enqueues of the same keys never wait
        on each other in a circle (deadlock).
        """
        outcome: dict[uuid.UUID, Job] = {}
        first_with_key: dict[str, NewJob] = {}
        todo: list[NewJob] = []
        for new in jobs:
            if new.dedupe_key is None or new.dedupe_key not in first_with_key:
                todo.append(new)
                if new.dedupe_key is not None:
                    first_with_key[new.dedupe_key] = new
        for _ in range(SETTLE_ROUNDS):
            todo = await self._insert_round(conn, todo, outcome)
            if not todo:
                break
        else:
            raise _unsettled(jobs, todo)
        for new in jobs:
            if new.id not in outcome:  # a repeat of a key earlier in the batch
                first = outcome[first_with_key[new.dedupe_key or ""].id]
                outcome[new.id] = replace(first, deduplicated=True)
        return [outcome[new.id] for new in jobs]

    async def _insert_round(
        self, conn: Connection, todo: list[NewJob], outcome: dict[uuid.UUID, Job]
    ) -> list[NewJob]:
        """Insert ``todo``, putting each job written or deduplicated into ``outcome``.

        Returns the jobs that clashed with a holder which finished before the next
        statement could read it: their key is free again, so they go to another round.
        """
        inserted = await conn.fetch(self.q["insert_jobs"], *_columns(todo))
        landed = {row["id"]: row for row in inserted}
        clashed: list[NewJob] = []
        for new in todo:
            row = landed.get(new.id)
            if row is None:
                clashed.append(new)
            else:
                status, created_at, run_at = row["status"], row["created_at"], row["run_at"]
                outcome[new.id] = job_from_new(new, status, created_at, run_at)
        if not clashed:
            return []
        holders = await self._holders(conn, [n.dedupe_key for n in clashed if n.dedupe_key])
        left: list[NewJob] = []
        for new in clashed:
            holder = holders.get(new.dedupe_key) if new.dedupe_key else None
            if holder is None:
                left.append(new)
            else:
                outcome[new.id] = holder
        return left

    async def copy_jobs(
        self, jobs: Iterable[NewJob], connection: Connection | None = None
    ) -> list[Job]:
        """Write plain jobs (runnable now, no dedupe key) by binary COPY, several times
        faster than an INSERT; the insert trigger still wakes workers.

        ``jobs`` may be built lazily: each is built as the stream reaches it, and an
        exception from it aborts the COPY and the transaction (nothing is written).
        """
        if connection is not None:
            return await self._copy_jobs(connection, jobs)
        async with self.pool.acquire() as conn:
            return await self._copy_jobs(conn, jobs)

    async def _copy_jobs(self, conn: Connection, jobs: Iterable[NewJob]) -> list[Job]:
        sent: list[NewJob] = []
        results: list[Job] = []

        async def rows_then_results(now: datetime) -> AsyncIterator[bytes]:
            async for data in copy.stream(jobs, sent):
                yield data
            # Every row is sent and the server is still inserting: build the answer now.
            results.extend(job_from_new(new, "queued", now, now) for new in sent)

        async with conn.transaction():
            # Column defaults take the transaction's time, so this is every row's too.
            now = await conn.fetchval(self.q["transaction_now"])
            await conn.copy_to_table(
                "jobs",
                schema_name=self.schema,
                columns=list(copy.COLUMNS),
                source=rows_then_results(now),
                format="binary",
            )
        return results

    async def _holders(self, conn: Connection, keys: list[str]) -> dict[str, Job]:
        rows = await conn.fetch(self.q["unfinished_by_dedupe_keys"], keys)
        return {row["dedupe_key"]: job_from_row(row, deduplicated=True) for row in rows}

    async def task_defaults(self, names: list[str]) -> dict[str, dict[str, Any]]:
        """Default job options of the tasks workers registered, by name."""
        rows = await self.pool.fetch(self.q["task_defaults"], names)
        return {
            row["name"]: {
                "queue": row["queue"],
                "priority": row["priority"],
                "max_attempts": row["max_attempts"],
                "timeout": row["timeout"],
            }
            for row in rows
        }

    # --- reading and managing jobs -----------------------------------------------------

    async def get_job(self, job_id: uuid.UUID) -> Job | None:
        row = await self.pool.fetchrow(self.q["get_job"], job_id)
        return job_from_row(row) if row else None

    async def cancel_job(self, job_id: uuid.UUID) -> Job | None:
        """Cancel a waiting job, or flag a running one; None when neither applies."""
        async with self.pool.acquire() as conn:
            row = await conn.fetchrow(self.q["cancel_waiting_job"], job_id)
            if row is not None:
                # Count it with the outcomes the workers count (shard 0: rare writes).
                stat = (row["queue"], row["task"], "cancelled", float("inf"), 1, 0.0)
                await conn.execute(self.q["add_job_stats"], *([v] for v in stat), 0)
            else:
                row = await conn.fetchrow(self.q["request_cancel_running_job"], job_id)
        return job_from_row(row) if row else None

    async def retry_job(self, job_id: uuid.UUID) -> Job | None:
        """Requeue a failed or cancelled job, wherever it is; None when it is neither.

        The archive duty may move the job between the statement's snapshot and its
        update (the update then finds it gone from jobs, the snapshot not yet in
        job_history): a second statement, with a fresh snapshot, finds it."""
        for _ in range(2):
            row = await self.pool.fetchrow(self.q["retry_job"], job_id)
            if row is not None:
                return job_from_row(row)
        return None

    async def delete_job(self, job_id: uuid.UUID) -> str | None:
        """Delete a job that is not running; returns the status it had, else None."""
        status: str | None = await self.pool.fetchval(self.q["delete_job"], job_id)
        return status

    async def purge_jobs(self, statuses: list[str], queue: str | None, task: str | None) -> int:
        purged: int = await self.pool.fetchval(self.q["purge_jobs"], statuses, queue, task)
        return purged

    async def replay_failed(
        self, queue: str | None, task: str | None, limit: int, error: str | None = None
    ) -> int:
        count: int = await self.pool.fetchval(self.q["replay_failed"], queue, task, limit, error)
        return count

    async def set_queue_paused(self, queue: str, paused: bool) -> None:
        await self.pool.execute(self.q["set_queue_paused"], queue, paused)

    async def queue_flags(self) -> dict[str, bool]:
        return {r["name"]: r["paused"] for r in await self.pool.fetch(self.q["list_queue_flags"])}


def _unsettled(jobs: Sequence[NewJob], left: list[NewJob]) -> EnqueueConflictError:
    """The refusal of the jobs whose keys did not settle, saying what became of the rest
    (each round commits on its own, so they stay written)."""
    keys = sorted({new.dedupe_key or "" for new in left})
    settled = sum(new.dedupe_key not in keys for new in jobs)
    return EnqueueConflictError(
        f"the holders of dedupe key(s) {', '.join(keys)} kept finishing as this enqueue "
        f"looked them up ({SETTLE_ROUNDS} times): the jobs with these keys were not "
        f"written; the other {settled} of the {len(jobs)} jobs asked for were written or "
        "deduplicated",
        keys,
    )


def _columns(jobs: Sequence[NewJob]) -> tuple[list[Any], ...]:
    """The insert statement's parameter arrays, one per column."""
    return (
        [j.id for j in jobs],
        [j.task for j in jobs],
        [j.queue for j in jobs],
        [j.payload_json for j in jobs],
        [j.priority for j in jobs],
        [j.max_attempts for j in jobs],
        [j.timeout for j in jobs],
        [j.run_at for j in jobs],
        [j.delay for j in jobs],
        [j.dedupe_key for j in jobs],
        [json.dumps(j.tags) if j.tags else None for j in jobs],
        [j.group for j in jobs],
    )
