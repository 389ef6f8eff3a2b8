"""The maintenance duties' statements, each run by one process at a time."""

from __future__ import annotations

import asyncpg

from equeue.storage.seam import Statements


class MaintenanceStatements(Statements):
    """Runs a duty's statement under the duty's advisory lock."""

    async def run_duty(self, duty: str, query: str, *args: object) -> list[asyncpg.Record] | None:
        """Run a maintenance query if no other process runs this duty right now.

        Returns its rows, or None when another process holds the duty's lock.
        """
        async with self.pool.acquire() as conn, conn.transaction():
            if not await conn.fetchval(self.q["try_duty_lock"], f"{self.schema}:{duty}"):
                return None
            rows: list[asyncpg.Record] = await conn.fetch(self.q[query], *args)
            return rows
