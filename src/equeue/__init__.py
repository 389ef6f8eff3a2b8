"""equeue: a PostgreSQL-backed, distributed job queue for Python and FastAPI.

The public surface::

    from equeue import Queue, Backoff

    queue = Queue("postgresql://localhost/app")

    @queue.task(name="text.reverse", retry=Backoff(base=1, factor=2, max=60))
    async def reverse(text: str) -> str:
        return text[::-1]

    job = await queue.enqueue("text.reverse", {"text": "hello"})
"""

from __future__ import annotations

from equeue.context import JobContext, current_job, progress
from equeue.errors import (
    EnqueueConflictError,
    EqueueError,
    InvalidJobError,
    JobNotFoundError,
    JobStateError,
    JobTimeoutError,
    LeaseLostError,
    UnknownTaskError,
    WaitTimeoutError,
)
from equeue.job import Attempt, Job, JobStatus, Limits
from equeue.queue import Queue
from equeue.retry import Backoff
from equeue.task import Task
from equeue.worker import MaintenanceSettings, Worker, WorkerSettings, run_worker

__version__ = "0.1.0"

__all__ = [
    "Attempt",
    "Backoff",
    "EnqueueConflictError",
    "EqueueError",
    "InvalidJobError",
    "Job",
    "JobContext",
    "JobNotFoundError",
    "JobStateError",
    "JobStatus",
    "JobTimeoutError",
    "LeaseLostError",
    "Limits",
    "MaintenanceSettings",
    "Queue",
    "Task",
    "UnknownTaskError",
    "WaitTimeoutError",
    "Worker",
    "WorkerSettings",
    "current_job",
    "progress",
    "run_worker",
]
