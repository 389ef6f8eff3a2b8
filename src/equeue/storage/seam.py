"""The seam between the engine and PostgreSQL: what a statement runs on, and what the
worker asks of storage.

Every statement the worker sends runs on an :class:`Executor`: the pool by default, or
a connection the caller holds (the heartbeat's own, in its own thread; an application's,
inside its transaction). :class:`WorkerStorage` lists the methods the worker calls, so
its decisions can run against any implementation of them, an in-memory one included.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from equeue.storage.combining import SingleEnqueues
from equeue.storage.rows import Claimed, Failure, Handoff, Offer, Renewed
from equeue.storage.sql import Queries

#: A connection of ours (from the pool) or a caller's, for transactional enqueue.
Connection = asyncpg.Connection | PoolConnectionProxy


class Executor(Protocol):
    """Runs statements: a pool (each call on a connection of its own) or a connection."""

    async def fetch(
        self, query: str, *args: object, timeout: float | None = ...
    ) -> list[asyncpg.Record]: ...

    async def fetchrow(
        self, query: str, *args: object, timeout: float | None = ...
    ) -> asyncpg.Record | None: ...

    async def fetchval(
        self, query: str, *args: object, column: int = ..., timeout: float | None = ...
    ) -> Any: ...

    async def execute(self, query: str, *args: object, timeout: float | None = ...) -> str: ...


class Statements:
    """What every part of :class:`~equeue.storage.Storage` runs its statements with."""

    pool: asyncpg.Pool
    schema: str
    q: Queries
    single_enqueues: SingleEnqueues
    pooled: bool

    def _on(self, executor: Executor | None) -> Executor:
        """The caller's executor, or the pool when it has none."""
        return self.pool if executor is None else executor


#: A held job as the worker names it to storage: (job id, lease token).
Lease = tuple[uuid.UUID, uuid.UUID]
#: A success to record: (job id, lease token, JSON result).
Ack = tuple[uuid.UUID, uuid.UUID, str]
#: Counts to add to the fleet-wide statistics: (queue, task, metric, le, n, total).
StatRow = tuple[str, str, str, float, int, float]


class WorkerStorage(Protocol):
    """Every statement a worker sends, from registration to acknowledgement.

    :class:`~equeue.storage.Storage` implements it over PostgreSQL. ``executor`` says
    where a statement runs: None for the pool, or a connection the caller holds.
    """

    async def register_tasks(
        self,
        rows: Sequence[tuple[str, str, int, int, float | None]],
        *,
        executor: Executor | None = None,
    ) -> None: ...

    async def register_worker(
        self,
        worker_id: str,
        host: str,
        pid: int,
        queues: list[str] | None,
        concurrency: int,
        held: int = 0,
        *,
        lease_seconds: float | None = None,
        executor: Executor | None = None,
    ) -> None: ...

    async def report_worker_threads(
        self, worker_id: str, abandoned: int, paused: bool, *, executor: Executor | None = None
    ) -> None: ...

    async def delete_worker(self, worker_id: str, *, executor: Executor | None = None) -> None: ...

    async def add_job_stats(
        self, rows: Sequence[StatRow], shard: int, *, executor: Executor | None = None
    ) -> None: ...

    async def claim(
        self,
        worker_id: str,
        queues: list[str] | None,
        limit: int,
        lease_seconds: float,
        offer: Offer | None = None,
        skip_tasks: list[str] | None = None,
        *,
        executor: Executor | None = None,
    ) -> list[Claimed]: ...

    def limit_wait(self, worker_id: str) -> float | None: ...

    async def read_handed(
        self, worker_id: str, handoff: Handoff, *, executor: Executor | None = None
    ) -> Claimed | None: ...

    async def cancel_is_requested(
        self, job_id: uuid.UUID, token: uuid.UUID, *, executor: Executor | None = None
    ) -> bool: ...

    async def withdraw_offer(
        self, worker_id: str, seen: uuid.UUID | None, *, executor: Executor | None = None
    ) -> list[Lease]: ...

    async def renew_leases(
        self,
        worker_id: str,
        held: Sequence[Lease],
        lease_seconds: float,
        *,
        executor: Executor | None = None,
    ) -> list[Renewed]: ...

    async def complete(
        self, done: Sequence[Ack], *, executor: Executor | None = None
    ) -> set[uuid.UUID]: ...

    async def fail(
        self, failures: Sequence[Failure], *, executor: Executor | None = None
    ) -> dict[uuid.UUID, str]: ...

    async def mark_cancelled(
        self, held: Sequence[Lease], *, executor: Executor | None = None
    ) -> set[uuid.UUID]: ...

    async def release(
        self, held: Sequence[Lease], *, executor: Executor | None = None
    ) -> set[uuid.UUID]: ...

    def transaction(self) -> AbstractAsyncContextManager[Connection]: ...

    async def write_progress(
        self,
        job_id: uuid.UUID,
        token: uuid.UUID,
        fraction: float,
        message: str | None,
        *,
        executor: Executor | None = None,
    ) -> bool: ...
