"""The administration façade: everything besides jobs that is read or managed from above
the engine — queue flags and statistics, workers, registered tasks, readiness, table
health, API keys, the fleet-wide metrics, the job-change events, workers over HTTP, the
audit trail, and the schedules of periodic jobs.

It is reached as ``queue.admin`` (see :class:`~equeue.queue.Queue`), and with
:class:`~equeue.queue.Queue` it is the only way the API, the dashboard and the command
line reach the database: they never import storage or the driver. Every method opens the
queue's pool when needed, and raises :class:`~equeue.errors.DatabaseError` (or a
subclass) when the database fails.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from datetime import datetime
from functools import cached_property
from typing import Any, Protocol

from equeue.audit import Actor, AuditEntry, AuditRecord
from equeue.bulk import Action, bulk_action
from equeue.job import Limits, Progress
from equeue.limits import QueueLimits
from equeue.listener import Listener
from equeue.records import (
    BulkResult,
    DeadLetterGroup,
    KeyInfo,
    LeasedJob,
    QueueStats,
    StatCell,
    StepCell,
    StoredKey,
    TableHealth,
)
from equeue.scheduling import Schedules
from equeue.storage import Claimed, Failure, Storage
from equeue.storage.api import ApiStorage, check_listener_query, events_channel
from equeue.storage.pool import pending_migrations
from equeue.storage.sql import channel_name
from equeue.task import TaskRegistry


class _Engine(Protocol):
    """What the façade needs of its queue (a :class:`~equeue.queue.Queue`)."""

    dsn: str | None
    schema: str
    limits: Limits
    tasks: TaskRegistry
    allow_unknown_tasks: bool

    @property
    def session_dsn(self) -> str: ...

    async def _storage(self) -> Storage: ...


class Admin:
    """Reads and administration calls of one queue's schema, besides jobs."""

    def __init__(self, queue: _Engine) -> None:
        self._queue = queue

    @cached_property
    def schedules(self) -> Schedules:
        """The schedules of periodic jobs: list, create, change, pause, resume, delete."""
        return Schedules(self._queue)

    async def _api(self) -> ApiStorage:
        return ApiStorage(await self._queue._storage())

    # --- queues ---------------------------------------------------------------------------

    async def queue_flags(self) -> dict[str, bool]:
        """Each queue that was ever paused or resumed, and whether it is paused now."""
        return await (await self._queue._storage()).queue_flags()

    async def queue_limits(self) -> dict[str, QueueLimits]:
        """The fleet-wide limits of every queue that has some (docs/limits.md)."""
        return await (await self._queue._storage()).queue_limits()

    async def set_queue_limits(self, name: str, limits: QueueLimits) -> QueueLimits:
        """Set queue ``name``'s limits to exactly ``limits`` (``QueueLimits()`` clears
        them); every worker's next claim holds to them."""
        return await (await self._queue._storage()).set_queue_limits(name, limits)

    async def queue_stats(self, window_seconds: float) -> list[QueueStats]:
        """Every queue: counts by status, paused flag, oldest waiting job, and how many
        jobs succeeded and failed in the last ``window_seconds``."""
        return await (await self._api()).queue_stats(window_seconds)

    # --- workers and tasks ----------------------------------------------------------------

    async def workers(self) -> list[dict[str, Any]]:
        """Every registered worker, as its row (id, host, pid, queues, concurrency,
        running, last_seen, ...)."""
        return await (await self._queue._storage()).list_workers()

    async def live_workers(
        self, alive_seconds: float, default_lease_seconds: float = 30.0
    ) -> list[dict[str, Any]]:
        """The workers seen within the last ``alive_seconds``, as their rows, each with
        ``running_jobs`` (ids), ``heartbeat_age_seconds`` and ``stale`` (silent for longer
        than its lease, or ``default_lease_seconds`` when it stated none)."""
        return await (await self._api()).live_workers(alive_seconds, default_lease_seconds)

    async def count_live_workers(self, alive_seconds: float) -> int:
        """How many workers were seen within the last ``alive_seconds``."""
        return await (await self._api()).count_live_workers(alive_seconds)

    async def tasks(self) -> list[dict[str, Any]]:
        """The task names workers registered, with their default job options."""
        return await (await self._queue._storage()).list_tasks()

    # --- health and metrics ---------------------------------------------------------------

    async def pending_migrations(self) -> list[str]:
        """The migrations (``NNNN_name``) not yet applied: empty when the schema is ready."""
        return await pending_migrations(await self._queue._storage())

    async def stats_totals(self) -> list[StatCell]:
        """The fleet-wide counters and histogram buckets the job triggers keep."""
        return await (await self._api()).stats_totals()

    async def table_health(self) -> TableHealth:
        """Sizes, live and dead rows, last vacuum of the schema's tables, their partitions,
        and what holds vacuum back (:meth:`TableHealth.warnings` says what passes the
        documented thresholds)."""
        return await (await self._api()).table_health()

    # --- API keys -------------------------------------------------------------------------

    async def insert_key(
        self, key_id: str, name: str | None, scopes: list[str], secret_hash: bytes
    ) -> KeyInfo:
        """Store a new key by the hash of its secret (see :mod:`equeue.api.keys`)."""
        return await (await self._api()).insert_key(key_id, name, scopes, secret_hash)

    async def get_key(self, key_id: str) -> StoredKey | None:
        """The active key with this id; None when there is none or it was revoked."""
        return await (await self._api()).get_key(key_id)

    async def list_keys(self) -> list[KeyInfo]:
        """Every key, revoked ones included, oldest first."""
        return await (await self._api()).list_keys()

    async def revoke_key(self, key_id: str) -> bool:
        """Revoke a key; False when no active key has this id."""
        return await (await self._api()).revoke_key(key_id)

    async def insert_sign_in_code(
        self, code_hash: bytes, scopes: list[str], valid_seconds: float
    ) -> datetime:
        """Store a one-time sign-in code by its hash; returns when it expires."""
        return await (await self._api()).insert_sign_in_code(code_hash, scopes, valid_seconds)

    async def exchange_sign_in_code(
        self, code_hash: bytes, key_id: str, secret_hash: bytes, name: str, key_seconds: float
    ) -> KeyInfo | None:
        """Use a sign-in code once for a new key (with the code's scopes, expiring after
        ``key_seconds``); None when the code is unknown, used or expired."""
        api = await self._api()
        return await api.exchange_sign_in_code(code_hash, key_id, secret_hash, name, key_seconds)

    # --- the dashboard's views and selections ---------------------------------------------

    async def stats_steps(
        self, step_seconds: int, steps: int, queue: str | None, metrics: list[str]
    ) -> list[tuple[datetime, StepCell | None]]:
        """The counts of ``metrics`` per step over the last ``steps`` steps of
        ``step_seconds`` (a multiple of 10), oldest first: each step's cells, or one None
        for a step without any."""
        return await (await self._api()).stats_steps(step_seconds, steps, queue, metrics)

    async def dead_letter_groups(
        self, queue: str | None, limit: int
    ) -> tuple[list[DeadLetterGroup], int]:
        """Failed jobs grouped by task and first line of their last error, largest groups
        first (at most ``limit``), and how many failed jobs there are in all."""
        return await (await self._api()).dead_letter_groups(queue, limit)

    async def bulk(self, action: Action, ids: list[uuid.UUID]) -> BulkResult:
        """Retry, cancel or delete each of ``ids`` that its status allows; the others are
        skipped with a reason (see :mod:`equeue.bulk`)."""
        return await bulk_action(await self._queue._storage(), action, ids)

    # --- the audit trail ------------------------------------------------------------------

    async def record_action(self, actor: Actor, entry: AuditEntry) -> None:
        """Add an operator action that succeeded to the audit trail."""
        await (await self._queue._storage()).insert_audit_record(actor, entry)

    async def audit_log(
        self,
        *,
        actor: str | None = None,
        action: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 50,
        cursor: uuid.UUID | None = None,
    ) -> tuple[list[AuditRecord], uuid.UUID | None]:
        """One page of the audit trail, newest first, and the cursor of the next page
        (None at the end); ``since`` and ``until`` bound the records' times, inclusive."""
        storage = await self._queue._storage()
        records = await storage.list_audit_records(
            actor=actor, action=action, since=since, until=until, limit=limit + 1, before=cursor
        )
        next_cursor = records[limit - 1].id if len(records) > limit else None
        return records[:limit], next_cursor

    # --- job-change events ----------------------------------------------------------------

    def event_listener(self, on_message: Callable[[str], None], *, log: logging.Logger) -> Listener:
        """A listener (not started) of the job-change events channel of this schema."""
        schema = self._queue.schema
        return Listener(
            self._queue.session_dsn,
            events_channel(schema),
            on_message,
            name="event hub",
            application_name=f"equeue:{schema}:events",
            check_query=check_listener_query(schema),
            log=log,
        )

    async def watch_events(self, watcher: str, seconds: float) -> None:
        """Have the triggers send job-change events for ``seconds`` more."""
        await (await self._api()).watch_events(watcher, seconds)

    async def unwatch_events(self, watcher: str) -> None:
        """This watcher has no events clients left."""
        await (await self._api()).unwatch_events(watcher)

    async def event_jobs(self, ids: list[uuid.UUID]) -> dict[uuid.UUID, tuple[str, str]]:
        """Task and queue of each job still present, by id."""
        return await (await self._api()).event_jobs(ids)

    async def job_progress(self, ids: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, Any]]:
        """The latest progress of each of these jobs that reported some, as JSON values."""
        found = await (await self._queue._storage()).job_progress(ids)
        return {job_id: _progress_json(p) for job_id, p in found.items()}

    # --- workers over HTTP ----------------------------------------------------------------
    # The same statements as the engine's own workers, fenced by the same lease tokens; a
    # worker over HTTP is listed as ``worker`` with the caller's address as its host.

    async def claim_jobs(
        self, worker: str, host: str, queue: str, limit: int, lease_seconds: float
    ) -> list[LeasedJob]:
        """Claim up to ``limit`` runnable jobs of ``queue`` for ``worker``, each under a
        lease of ``lease_seconds`` with a fresh token; lists the worker."""
        storage = await self._queue._storage()
        claimed = await storage.claim(worker, [queue], limit, lease_seconds)
        await storage.touch_remote_worker(worker, host, queue, limit, lease_seconds)
        return [_leased(job) for job in claimed]

    async def renew_lease(
        self, worker: str, host: str, job_id: uuid.UUID, token: uuid.UUID, lease_seconds: float
    ) -> bool | None:
        """Extend the lease of a job held under ``token`` to ``lease_seconds`` from now;
        returns whether its cancel is requested, or None when the lease is lost (the job
        is not running under this token). Refreshes the worker's row."""
        storage = await self._queue._storage()
        renewed = await storage.renew_leases(worker, [(job_id, token)], lease_seconds)
        await storage.touch_remote_worker(worker, host, None, 0, lease_seconds)
        return renewed[0].cancel_requested if renewed else None

    async def complete_job(self, job_id: uuid.UUID, token: uuid.UUID, result: Any) -> bool:
        """Record the success of a job held under ``token``, with its JSON ``result``;
        False (and nothing changed) when the lease is lost."""
        storage = await self._queue._storage()
        return bool(await storage.complete([(job_id, token, json.dumps(result))]))

    async def fail_job(
        self, job_id: uuid.UUID, token: uuid.UUID, error: str, detail: str, delay: float
    ) -> str | None:
        """Record a failed attempt of a job held under ``token``: it is retried after
        ``delay`` seconds if attempts are left. Returns the job's new status, or None (and
        nothing changed) when the lease is lost."""
        storage = await self._queue._storage()
        failure = Failure(id=job_id, token=token, error=error, detail=detail, delay=delay)
        return (await storage.fail([failure])).get(job_id)

    async def write_progress(
        self, job_id: uuid.UUID, token: uuid.UUID, fraction: float, message: str | None
    ) -> bool:
        """Store the progress of a job held under ``token``; False when the lease is lost."""
        storage = await self._queue._storage()
        return await storage.write_progress(job_id, token, fraction, message)

    def jobs_listener(self, on_message: Callable[[str], None], *, log: logging.Logger) -> Listener:
        """A listener (not started) of the jobs channel of this schema: ``q:<queue>`` says
        that jobs of that queue may be runnable now."""
        schema = self._queue.schema
        return Listener(
            self._queue.session_dsn,
            channel_name(schema),
            on_message,
            name="claim wake-ups",
            application_name=f"equeue:{schema}:claims",
            check_query=check_listener_query(schema),
            log=log,
        )


def _progress_json(progress: Progress) -> dict[str, Any]:
    return {
        "fraction": progress.fraction,
        "message": progress.message,
        "at": progress.at.isoformat().replace("+00:00", "Z"),
        "attempt": progress.attempt,
    }


def _leased(job: Claimed) -> LeasedJob:
    return LeasedJob(
        id=job.id,
        task=job.task,
        queue=job.queue,
        payload=json.loads(job.payload),
        priority=job.priority,
        attempt=job.attempts,
        max_attempts=job.max_attempts,
        timeout=job.timeout,
        lease_token=job.lease_token,
    )
