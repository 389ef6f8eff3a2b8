"""Statements the benchmark needs beyond the engine's own (``bench/queries.sql``).

They fill, inspect and drop a schema, which no application may do: they stay out of the
installed package. Written in the engine's query format (``-- name:`` blocks, ``{schema}``
filled in once).
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from equeue.queue import Queue
from equeue.storage import Storage
from equeue.storage.sql import render

_QUERIES = Path(__file__).with_name("queries.sql")
_NAME = re.compile(r"^-- name: ([a-z0-9_]+)\s*$", re.MULTILINE)


@cache
def _templates() -> dict[str, str]:
    parts = _NAME.split(_QUERIES.read_text(encoding="utf-8"))
    return {name: body.strip() for name, body in zip(parts[1::2], parts[2::2], strict=True)}


class BenchmarkStorage:
    """Runs the benchmark's statements on one schema."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.q = {name: render(body, storage.q.schema) for name, body in _templates().items()}
        self._claim = storage.q["claim_jobs"]

    @classmethod
    async def of(cls, queue: Queue) -> BenchmarkStorage:
        """The benchmark's statements on the schema of ``queue`` (its pool opened)."""
        return cls(await queue._storage())  # the benchmark measures the engine itself

    async def worker_seen(self, worker_id: str) -> bool:
        """Whether the worker has registered itself (its tasks are known)."""
        return any(w["id"] == worker_id for w in await self.storage.list_workers())

    async def unfinished(self) -> int:
        """How many jobs are not finished yet."""
        count: int = await self.storage.pool.fetchval(self.q["bench_unfinished_count"])
        return count

    async def unfinished_in(self, queue: str) -> int:
        """How many jobs of ``queue`` are not finished yet."""
        count: int = await self.storage.pool.fetchval(self.q["bench_unfinished_in_queue"], queue)
        return count

    async def succeeded(self) -> int:
        count: int = await self.storage.pool.fetchval(self.q["bench_succeeded_count"])
        return count

    async def analyze(self) -> None:
        """Refresh the planner's statistics of the jobs table."""
        await self.storage.pool.execute(self.q["bench_analyze"])

    async def fill_history(self, rows: int, chunk: int = 1_000_000) -> None:
        """Write ``rows`` finished jobs, ``chunk`` per statement, then refresh statistics."""
        async with self.storage.pool.acquire() as conn:
            done = 0
            while done < rows:
                size = min(chunk, rows - done)
                await conn.execute(self.q["bench_fill_history"], size, done, timeout=None)
                done += size
            await conn.execute(self.q["bench_analyze"], timeout=None)

    async def fill_mixed_history(self, rows: int, after: int, chunk: int = 1_000_000) -> None:
        """Write ``rows`` finished jobs of several queues, tasks, outcomes and tags, with
        ids after ``after``, ``chunk`` per statement; then vacuum and refresh statistics,
        as autovacuum would have done over the time such a history takes to build."""
        async with self.storage.pool.acquire() as conn:
            done = 0
            while done < rows:
                size = min(chunk, rows - done)
                query = self.q["bench_fill_mixed_history"]
                await conn.execute(query, size, after + done, timeout=None)
                done += size
            await conn.execute(self.q["bench_vacuum_analyze"], timeout=None)

    async def fill_expired(self, rows: int, retention: float) -> None:
        """Write ``rows`` finished jobs past a retention of ``retention`` seconds."""
        async with self.storage.pool.acquire() as conn:
            await conn.execute(self.q["bench_fill_expired"], rows, retention, timeout=None)
            await conn.execute(self.q["bench_analyze"], timeout=None)

    async def expired_left(self, retention: float) -> bool:
        """Whether a finished job past a retention of ``retention`` seconds is left."""
        left: bool = await self.storage.pool.fetchval(self.q["bench_expired_left"], retention)
        return left

    async def explain_claim(self, batch: int) -> dict[str, Any]:
        """EXPLAIN ANALYZE of the claim statement, rolled back so no job changes.

        Returns the planner's total cost, the execution time in ms and the buffers hit
        or read, from PostgreSQL's JSON plan.
        """
        statement = "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + self._claim
        async with self.storage.pool.acquire() as conn:
            transaction = conn.transaction()
            await transaction.start()
            try:
                raw = await conn.fetchval(
                    statement, None, batch, "bench-explain", 30.0, None, False, None, 0, 0.0, None
                )
            finally:
                await transaction.rollback()
        plan = (json.loads(raw) if isinstance(raw, str) else raw)[0]
        top = plan["Plan"]
        return {
            "total_cost": top["Total Cost"],
            "execution_ms": plan["Execution Time"],
            "shared_hit": top.get("Shared Hit Blocks", 0),
            "shared_read": top.get("Shared Read Blocks", 0),
        }

    async def socket_directory(self) -> str | None:
        """The directory of the server's Unix socket, if it has one."""
        found: str | None = await self.storage.pool.fetchval(self.q["bench_socket_directory"])
        return found.strip() or None if found else None

    async def fleet_backends(self) -> tuple[int, int]:
        """Backends of this schema's pools now: (working, waiting on a lock)."""
        row = await self.storage.pool.fetchrow(
            self.q["bench_fleet_backends"], f"equeue:{self.storage.schema}"
        )
        return (row[0], row[1]) if row is not None else (0, 0)

    async def wal_position(self) -> float:
        """Bytes of WAL the server has written so far (all its databases)."""
        position: float = await self.storage.pool.fetchval(self.q["bench_wal_position"])
        return position

    async def drop_schema(self) -> None:
        await self.storage.pool.execute(self.q["bench_drop_schema"])
