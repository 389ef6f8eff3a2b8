"""The history scenario: finished jobs leaving the hot table for job_history (migration
0017), and retention dropping them a partition at a time.

From ``prune_jobs`` finished jobs in jobs, finished two days ago (within retention): the
archive duty as maintenance runs it (batches until one comes back short) moves them all
to job_history, in jobs per second; then retention, set to a day, drops their daily
partitions whole, in jobs removed per second. The ``prune`` scenario gives the figure of
deleting finished jobs row by row, to compare.
"""

from __future__ import annotations

import time

from bench.common import Settings, drop, fresh
from bench.storage import BenchmarkStorage
from equeue.worker.maintenance import Maintenance, MaintenanceSettings

#: The jobs finish over the hour before this many seconds ago: two days.
FINISHED_AGO = 2 * 86400.0


async def measure_history(settings: Settings) -> dict[str, float]:
    queue = await fresh(settings)
    try:
        storage = await BenchmarkStorage.of(queue)
        await storage.fill_expired(settings.prune_jobs, FINISHED_AGO)
        archive = Maintenance(storage.storage, MaintenanceSettings())
        started = time.perf_counter()
        moved = await archive.archive()
        archived = time.perf_counter() - started
        assert moved == settings.prune_jobs, (moved, settings.prune_jobs)
        await storage.analyze()
        retention = Maintenance(storage.storage, MaintenanceSettings(retention_seconds=86400.0))
        started = time.perf_counter()
        dropped = await retention.drop_expired_history()
        elapsed = time.perf_counter() - started
        assert dropped == settings.prune_jobs, (dropped, settings.prune_jobs)
    finally:
        await drop(queue)
    return {
        "archive_jobs_per_s": settings.prune_jobs / archived,
        "history_drop_jobs_per_s": settings.prune_jobs / elapsed,
    }
