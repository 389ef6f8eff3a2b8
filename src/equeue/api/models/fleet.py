"""The workers serving the queues, and the tasks they registered."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field


class WorkerOut(BaseModel):
    id: str
    host: str
    pid: int
    queues: list[str] | None
    concurrency: int
    running: int
    #: threads still running plain task functions whose jobs timed out or were cancelled
    abandoned_threads: int = 0
    #: more abandoned threads than ``concurrency``: only async tasks' jobs are claimed
    sync_claims_paused: bool = False
    started_at: datetime
    last_heartbeat: datetime
    heartbeat_age_seconds: float = Field(description="seconds since the last heartbeat")
    stale: bool = Field(
        description="no heartbeat for longer than the worker's lease: it has stopped beating "
        "(its jobs are rescued when their leases run out)"
    )
    running_jobs: list[uuid.UUID] = Field(description="the jobs the worker runs now")


class WorkerList(BaseModel):
    items: list[WorkerOut]


class TaskOut(BaseModel):
    name: str
    queue: str
    priority: int
    max_attempts: int
    timeout: float | None
    last_seen: datetime


class TaskList(BaseModel):
    items: list[TaskOut]
