"""The worker runtime: see :mod:`equeue.worker.runtime`."""

from __future__ import annotations

from equeue.worker.maintenance import MaintenanceSettings
from equeue.worker.runtime import Worker, WorkerSettings, run_worker

__all__ = ["MaintenanceSettings", "Worker", "WorkerSettings", "run_worker"]
