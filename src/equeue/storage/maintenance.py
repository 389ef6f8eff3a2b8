"""The maintenance duties' statements, each run by one process at a time."""

from __future__ import annotations

import asyncpg

from equeue.storage.seam import Statements

#: Longest a duty's transaction may sit idle before the server ends it, releasing the
#: duty's lock that a stopped process would otherwise keep (see try_duty_lock).
DUTY_IDLE_LIMIT = "5s"


class MaintenanceStatements(Statements):
    """Runs a duty's statement under the duty's advisory lock."""

    async def run_duty(self, duty: str, query: str, *args: object) -> list[asyncpg.Record] | None:
        """Run a maintenance query if no other process runs this duty right now.

        Returns its rows, or None when another process holds the duty's lock.
        """
        async with self.pool.acquire() as conn, conn.transaction():
            lock = f"{self.schema}:{duty}"
            if not await conn.fetchval(self.q["try_duty_lock"], lock, DUTY_IDLE_LIMIT):
                return None
            rows: list[asyncpg.Record] = await conn.fetch(self.q[query], *args)
            return rows
