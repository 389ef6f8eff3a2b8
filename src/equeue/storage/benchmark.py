"""Statements the benchmark (:mod:`equeue.benchmark`) needs beyond the engine's own.

Kept apart from :class:`~equeue.storage.Storage` so the engine's surface stays what
applications use; the SQL itself lives in ``queries/benchmark.sql``.
"""

from __future__ import annotations

import json
from typing import Any

from equeue.storage import Storage


class BenchmarkStorage:
    """Runs the benchmark's statements on one schema."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.q = storage.q

    async def unfinished(self) -> int:
        """How many jobs are not finished yet."""
        count: int = await self.storage.pool.fetchval(self.q["bench_unfinished_count"])
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
        statement = "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + self.q["claim_jobs"]
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

    async def drop_schema(self) -> None:
        await self.storage.pool.execute(self.q["bench_drop_schema"])
