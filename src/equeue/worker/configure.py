"""A worker's settings from equeue's one settings object (flags, environment, file)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from equeue.worker.maintenance import MaintenanceSettings
from equeue.worker.runtime import WorkerSettings

if TYPE_CHECKING:
    from equeue.settings import Settings


def worker_settings(settings: Settings) -> WorkerSettings:
    """What a worker process of ``settings`` runs with."""
    return WorkerSettings(
        concurrency=settings.concurrency,
        queues=settings.queues or None,
        lease_seconds=settings.lease_seconds,
        heartbeat_interval=settings.heartbeat_interval,
        poll_interval=settings.poll_interval,
        claim_batch=settings.claim_batch,
        shutdown_grace=settings.shutdown_grace,
        listen=settings.listen,
        handoff=settings.handoff,
        maintenance=settings.maintenance,
        maintenance_settings=MaintenanceSettings(
            interval=settings.maintenance_interval,
            batch_size=settings.maintenance_batch_size,
            retention_seconds=settings.retention_seconds,
            prune_interval=settings.prune_interval,
            prune_batch_size=settings.prune_batch_size,
            prune_round_seconds=settings.prune_round_seconds,
            dead_worker_seconds=settings.dead_worker_seconds,
            archive_after_seconds=settings.archive_after_seconds,
            archive_batch_size=settings.archive_batch_size,
        ),
    )
