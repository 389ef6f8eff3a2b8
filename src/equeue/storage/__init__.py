"""The storage layer: every statement equeue sends to PostgreSQL goes through here.

The SQL itself lives in ``queries/*.sql``; this module runs it with asyncpg and turns
rows into :class:`~equeue.job.Job` values. Nothing above this layer writes SQL.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from equeue.errors import EnqueueConflictError
from equeue.job import Attempt, Job, JobStatus, NewJob
from equeue.storage import copy
from equeue.storage.errors import translated
from equeue.storage.sql import Queries, channel_name

#: A connection of ours (from the pool) or a caller's, for transactional enqueue.
Connection = asyncpg.Connection | PoolConnectionProxy
_STATUSES = {status.value: status for status in JobStatus}  # cheaper than JobStatus(text)
#: From this many jobs, a batch of plain jobs is written by COPY instead of INSERT.
COPY_FROM = 100
#: Rounds an enqueue gives its dedupe keys to settle before it refuses. A round after
#: the first happens only when a key's holder finished between the insert that clashed
#: with it and the look-up of the holder, so this bound is reached only under a storm.
SETTLE_ROUNDS = 50


@dataclass(frozen=True, slots=True)
class Claimed:
    """A job as a worker holds it: what it needs to run and to report back."""

    id: uuid.UUID
    task: str
    queue: str
    payload: str
    priority: int
    attempts: int
    max_attempts: int
    timeout: float | None
    lease_token: uuid.UUID
    waited: float  #: seconds from its run-at time to this claim


@dataclass(frozen=True, slots=True)
class Handoff:
    """A hand-off notification: ``h:<generation> <job id> <worker>`` (``insert_job_handoff``).

    Only a hint: anyone may send one. The worker it names reads the job from the table
    (:meth:`Storage.read_handed`), which says whether it was handed over at all.
    """

    generation: int
    job_id: uuid.UUID
    worker: str

    @classmethod
    def parse(cls, text: str) -> Handoff | None:
        """The notification's parts; None when it is not one the database sends."""
        try:
            generation, job_id, worker = text.split(" ", 2)
            return cls(int(generation), uuid.UUID(job_id), worker)
        except ValueError:
            return None


@dataclass(frozen=True, slots=True)
class Offer:
    """A worker's hand-off offer as its claim statement should leave it.

    ``listener_pid``: the backend of the worker's LISTEN connection, or None to leave the
    offer closed; ``may_be_open``: the worker opened it and has not seen it used since;
    ``seen``: the job its last hand-off notification brought; ``next_generation``: the
    number the offer is opened again under, for ``seconds`` unless renewed.
    """

    listener_pid: int | None = None
    may_be_open: bool = False
    seen: uuid.UUID | None = None
    next_generation: int = 0
    seconds: float = 0.0


@dataclass(frozen=True, slots=True)
class Failure:
    """A failed attempt to record."""

    id: uuid.UUID
    token: uuid.UUID
    error: str  #: one line, kept as the job's last_error
    detail: str  #: the full error with its traceback, kept in the attempt history
    delay: float  #: seconds before the retry, when attempts are left
    outcome: str = "failed"  #: failed or timeout


def _load_history(raw: str | None) -> list[Attempt]:
    if not raw:
        return []
    return [
        Attempt(
            number=item.get("number", 0),
            worker=item.get("worker"),
            started_at=_parse_time(item.get("started_at")),
            finished_at=_parse_time(item.get("finished_at")),
            outcome=item.get("outcome", ""),
            error=item.get("error"),
        )
        for item in json.loads(raw)
    ]


def _parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def job_from_row(row: asyncpg.Record, *, deduplicated: bool = False) -> Job:
    """Build a :class:`Job` from a ``SELECT *`` row of the jobs table."""
    return Job(
        id=row["id"],
        task=row["task"],
        queue=row["queue"],
        payload=json.loads(row["payload"]),
        priority=row["priority"],
        status=JobStatus(row["status"]),
        attempts=row["attempts"],
        max_attempts=row["max_attempts"],
        timeout=row["timeout"],
        created_at=row["created_at"],
        run_at=row["run_at"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        last_error=row["last_error"],
        result=json.loads(row["result"]) if row["result"] is not None else None,
        dedupe_key=row["dedupe_key"],
        tags=list(row["tags"]),
        worker_id=row["worker_id"],
        cancel_requested=row["cancel_requested"],
        history=_load_history(row["history"]),
        deduplicated=deduplicated,
    )


@translated
class Storage:
    """Runs the named queries of one schema over an asyncpg pool."""

    def __init__(self, pool: asyncpg.Pool, schema: str) -> None:
        self.pool = pool
        self.schema = schema
        self.q = Queries(schema)
        self.channel = channel_name(schema)

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
        must commit on its own, and at once, for the worker to hear of it.
        """
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
        )
        assert row is not None  # the statement always inserts its one row
        job = _job_from_new(new, row["status"], row["created_at"], row["run_at"])
        if row["worker_id"] is not None:
            job = replace(job, attempts=1, worker_id=row["worker_id"], started_at=row["started_at"])
        return job

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
                outcome[new.id] = _job_from_new(new, status, created_at, run_at)
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
            results.extend(_job_from_new(new, "queued", now, now) for new in sent)

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

    async def list_jobs(
        self,
        *,
        status: str | None,
        queue: str | None,
        task: str | None,
        tag: str | None,
        limit: int,
        before: uuid.UUID | None,
    ) -> list[Job]:
        query = "list_dead_jobs" if status in ("failed", "cancelled") else "list_jobs"
        rows = await self.pool.fetch(self.q[query], status, queue, task, tag, limit, before)
        return [job_from_row(row) for row in rows]

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
        row = await self.pool.fetchrow(self.q["retry_job"], job_id)
        return job_from_row(row) if row else None

    async def delete_job(self, job_id: uuid.UUID) -> str | None:
        """Delete a job that is not running; returns the status it had, else None."""
        status: str | None = await self.pool.fetchval(self.q["delete_job"], job_id)
        return status

    async def purge_jobs(self, statuses: list[str], queue: str | None, task: str | None) -> int:
        result = await self.pool.execute(self.q["purge_jobs"], statuses, queue, task)
        return int(result.split()[-1])

    async def replay_failed(self, queue: str | None, task: str | None, limit: int) -> int:
        count: int = await self.pool.fetchval(self.q["replay_failed"], queue, task, limit)
        return count

    async def queue_counts(self) -> dict[str, dict[str, int]]:
        counts: dict[str, dict[str, int]] = {}
        for row in await self.pool.fetch(self.q["queue_counts"]):
            counts.setdefault(row["queue"], {})[row["status"]] = row["n"]
        return counts

    async def set_queue_paused(self, queue: str, paused: bool) -> None:
        await self.pool.execute(self.q["set_queue_paused"], queue, paused)

    async def queue_flags(self) -> dict[str, bool]:
        return {r["name"]: r["paused"] for r in await self.pool.fetch(self.q["list_queue_flags"])}

    # --- the worker's statements --------------------------------------------------------

    async def claim(
        self,
        worker_id: str,
        queues: list[str] | None,
        limit: int,
        lease_seconds: float,
        offer: Offer | None = None,
        skip_tasks: list[str] | None = None,
    ) -> list[Claimed]:
        """Claim up to ``limit`` jobs; with ``offer``, also keep the worker's hand-off offer
        (see the statement): a job handed over through it and not yet started comes back
        among the claimed ones, and the offer is open afterwards if slots were left over.
        Jobs of the tasks in ``skip_tasks`` are left for later or for other workers."""
        offer = offer or Offer()
        rows = await self.pool.fetch(
            self.q["claim_jobs"],
            queues,
            limit,
            worker_id,
            lease_seconds,
            offer.listener_pid,
            offer.may_be_open,
            offer.seen,
            offer.next_generation,
            offer.seconds,
            skip_tasks,
        )
        # Positional: RETURNING lists the columns in Claimed's field order.
        return [Claimed(*row) for row in rows]

    async def read_handed(self, worker_id: str, handoff: Handoff) -> Claimed | None:
        """The job a hand-off notification names, if it was indeed handed to ``worker_id``
        through that opening of its offer; None for any other (a forged one)."""
        row = await self.pool.fetchrow(
            self.q["read_handed_job"], worker_id, handoff.generation, handoff.job_id
        )
        return Claimed(*row) if row is not None else None

    async def cancel_is_requested(self, job_id: uuid.UUID, token: uuid.UUID) -> bool:
        """Whether the running job held under ``token`` is asked to stop."""
        return bool(await self.pool.fetchval(self.q["cancel_is_requested"], job_id, token))

    async def withdraw_offer(
        self, worker_id: str, seen: uuid.UUID | None
    ) -> list[tuple[uuid.UUID, uuid.UUID]]:
        """Remove a worker's offer; returns the job (id, lease token) handed over through it
        that the worker has not started (it has only ``seen``), if any."""
        rows = await self.pool.fetch(self.q["withdraw_offer"], worker_id, seen)
        return [(row["id"], row["lease_token"]) for row in rows]

    async def complete(self, done: Sequence[tuple[uuid.UUID, uuid.UUID, str]]) -> set[uuid.UUID]:
        """Record successes (id, lease token, JSON result); returns the ids that landed."""
        ids, tokens, results = zip(*done, strict=True)
        rows = await self.pool.fetch(self.q["complete_jobs"], ids, tokens, results)
        return {row["id"] for row in rows}

    async def fail(self, failures: Sequence[Failure]) -> dict[uuid.UUID, str]:
        """Record failed attempts; returns the new status of each job that landed."""
        rows = await self.pool.fetch(
            self.q["fail_jobs"],
            [f.id for f in failures],
            [f.token for f in failures],
            [f.error for f in failures],
            [f.delay for f in failures],
            [f.outcome for f in failures],
            [f.detail for f in failures],
        )
        return {row["id"]: row["status"] for row in rows}

    async def mark_cancelled(self, held: Sequence[tuple[uuid.UUID, uuid.UUID]]) -> set[uuid.UUID]:
        """Record jobs (id, lease token) stopped on request; returns the ids that landed."""
        if not held:
            return set()
        ids, tokens = zip(*held, strict=True)
        rows = await self.pool.fetch(self.q["cancel_running_jobs"], ids, tokens)
        return {row["id"] for row in rows}

    async def release(self, held: Sequence[tuple[uuid.UUID, uuid.UUID]]) -> set[uuid.UUID]:
        if not held:
            return set()
        ids, tokens = zip(*held, strict=True)
        rows = await self.pool.fetch(self.q["release_jobs"], ids, tokens)
        return {row["id"] for row in rows}

    async def run_duty(self, duty: str, query: str, *args: object) -> list[asyncpg.Record] | None:
        """Run a maintenance query if no other process runs this duty right now.

        Returns its rows, or None when another process holds the duty's lock.
        """
        async with self.pool.acquire() as conn, conn.transaction():
            if not await conn.fetchval(self.q["try_duty_lock"], f"{self.schema}:{duty}"):
                return None
            rows: list[asyncpg.Record] = await conn.fetch(self.q[query], *args)
            return rows

    async def add_job_stats(
        self, rows: Sequence[tuple[str, str, str, float, int, float]], shard: int
    ) -> None:
        """Add counts (queue, task, metric, le, n, total) to the fleet-wide statistics."""
        if rows:
            columns = list(zip(*rows, strict=True))
            await self.pool.execute(self.q["add_job_stats"], *columns, shard)

    # --- workers and tasks ----------------------------------------------------------------

    async def register_tasks(self, rows: Sequence[tuple[str, str, int, int, float | None]]) -> None:
        if not rows:
            return
        names, queues, priorities, attempts, timeouts = zip(*rows, strict=True)
        await self.pool.execute(
            self.q["register_tasks"], names, queues, priorities, attempts, timeouts
        )

    async def register_worker(
        self, worker_id: str, host: str, pid: int, queues: list[str] | None, concurrency: int
    ) -> None:
        """List a worker (or refresh it); the heartbeat writes the same row as it beats."""
        await self.pool.execute(
            self.q["upsert_worker"], worker_id, host, pid, queues, concurrency, 0
        )

    async def report_worker_threads(self, worker_id: str, abandoned: int, paused: bool) -> None:
        """Show a worker's abandoned task threads, and whether it claims plain tasks' jobs."""
        await self.pool.execute(self.q["report_worker_threads"], worker_id, abandoned, paused)

    async def delete_worker(self, worker_id: str) -> None:
        await self.pool.execute(self.q["delete_worker"], worker_id)

    async def list_workers(self) -> list[dict[str, Any]]:
        return [dict(r) for r in await self.pool.fetch(self.q["list_workers"])]

    async def list_tasks(self) -> list[dict[str, Any]]:
        return [dict(r) for r in await self.pool.fetch(self.q["list_tasks"])]


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
    )


def _job_from_new(new: NewJob, status: str, created_at: datetime, run_at: datetime) -> Job:
    """The job just inserted, built from what we sent plus what the database decided."""
    return Job(
        id=new.id,
        task=new.task,
        queue=new.queue,
        payload=new.payload,
        priority=new.priority,
        status=_STATUSES[status],
        attempts=0,
        max_attempts=new.max_attempts,
        timeout=new.timeout,
        created_at=created_at,
        run_at=run_at,
        started_at=None,
        finished_at=None,
        last_error=None,
        result=None,
        dedupe_key=new.dedupe_key,
        tags=new.tags,
    )
