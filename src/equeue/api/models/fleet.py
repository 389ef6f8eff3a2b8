"""The workers serving the queues, and the tasks they registered."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


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
