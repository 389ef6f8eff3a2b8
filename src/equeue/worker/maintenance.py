"""Maintenance duties every worker process offers to run, one process at a time each.

Each run of a duty is one transaction that starts with a try-lock on an advisory lock
named after the schema and the duty: whoever gets it does the work, the others skip that
round. Transaction-scoped locks survive PgBouncer in transaction mode and free
themselves when a process dies.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

import asyncpg

from equeue.storage import Storage
from equeue.worker.stats import JobStats

log = logging.getLogger("equeue.maintenance")


@dataclass(frozen=True, slots=True)
class MaintenanceSettings:
    interval: float = 1.0  #: how often rescue and promotion run
    prune_interval: float = 60.0  #: how often retention pruning runs
    retention_seconds: float = 7 * 86400.0  #: finished jobs older than this are deleted
    batch_size: int = 1000  #: rows per statement, so no run holds locks for long
    dead_worker_seconds: float = 300.0  #: forget worker rows not seen for this long


class Maintenance:
    def __init__(
        self, storage: Storage, settings: MaintenanceSettings, stats: JobStats | None = None
    ) -> None:
        self._storage = storage
        self._settings = settings
        self._stats = stats
        self._last_prune = 0.0

    async def run_forever(self) -> None:
        while True:
            try:
                await self.run_once()
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("maintenance round failed: %s", exc)
            await asyncio.sleep(self._settings.interval)

    async def run_once(self) -> None:
        s = self._settings
        await self._duty("rescue", "rescue_expired_leases", s.batch_size)
        await self._duty("promote", "promote_due_jobs", s.batch_size)
        if time.monotonic() - self._last_prune >= s.prune_interval:
            self._last_prune = time.monotonic()
            await self._duty("prune", "prune_finished_jobs", s.retention_seconds, s.batch_size)
            await self._duty("workers", "prune_dead_workers", s.dead_worker_seconds)
            await self._duty("offers", "prune_dead_offers")

    async def _duty(self, duty: str, query: str, *args: object) -> None:
        rows = await self._storage.run_duty(duty, query, *args)
        if duty == "rescue" and rows:
            for row in rows:
                if self._stats is not None:
                    self._stats.count(row["queue"], row["task"], row["status"])
                log.warning(
                    "rescued job %s after its lease expired: now %s",
                    row["id"],
                    row["status"],
                    extra={"job_id": str(row["id"]), "status": row["status"]},
                )
