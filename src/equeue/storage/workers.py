"""Worker processes, the tasks they registered, and the statistics they count."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from equeue.storage.seam import Executor, Statements, StatRow


class WorkerStatements(Statements):
    """The rows that list workers and tasks, and the fleet-wide job statistics."""

    async def register_tasks(
        self,
        rows: Sequence[tuple[str, str, int, int, float | None]],
        *,
        executor: Executor | None = None,
    ) -> None:
        """List tasks (name, queue, priority, max attempts, timeout) and their defaults."""
        if not rows:
            return
        names, queues, priorities, attempts, timeouts = zip(*rows, strict=True)
        await self._on(executor).execute(
            self.q["register_tasks"], names, queues, priorities, attempts, timeouts
        )

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
    ) -> None:
        """List a worker, or refresh it with the number of jobs it ``held``: the heartbeat
        writes the same row as it beats. ``lease_seconds`` is the lease it takes jobs under
        (None keeps the one stated before)."""
        await self._on(executor).execute(
            self.q["upsert_worker"], worker_id, host, pid, queues, concurrency, held, lease_seconds
        )

    async def touch_remote_worker(
        self, worker_id: str, host: str, queue: str | None, concurrency: int, lease_seconds: float
    ) -> None:
        """List a worker over HTTP, or refresh it, with the jobs it holds now (see the
        statement)."""
        await self.pool.execute(
            self.q["touch_remote_worker"], worker_id, host, queue, concurrency, lease_seconds
        )

    async def report_worker_threads(
        self, worker_id: str, abandoned: int, paused: bool, *, executor: Executor | None = None
    ) -> None:
        """Show a worker's abandoned task threads, and whether it claims plain tasks' jobs."""
        await self._on(executor).execute(
            self.q["report_worker_threads"], worker_id, abandoned, paused
        )

    async def delete_worker(self, worker_id: str, *, executor: Executor | None = None) -> None:
        await self._on(executor).execute(self.q["delete_worker"], worker_id)

    async def add_job_stats(
        self, rows: Sequence[StatRow], shard: int, *, executor: Executor | None = None
    ) -> None:
        """Add counts (queue, task, metric, le, n, total) to the fleet-wide statistics."""
        if rows:
            columns = list(zip(*rows, strict=True))
            await self._on(executor).execute(self.q["add_job_stats"], *columns, shard)

    async def list_workers(self) -> list[dict[str, Any]]:
        return [dict(r) for r in await self.pool.fetch(self.q["list_workers"])]

    async def list_tasks(self) -> list[dict[str, Any]]:
        return [dict(r) for r in await self.pool.fetch(self.q["list_tasks"])]
