"""The JSON shapes of the API, as pydantic models (they make the OpenAPI schema).

Request models only shape the input; the rules (priority range, payload size, tags...)
are the engine's, checked by :func:`equeue.job.new_job`, so they cannot drift apart.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from equeue.job import Job, JobStatus
from equeue.storage.api import KeyInfo, QueueStats

_JOB_EXAMPLE: dict[str, Any] = {
    "type": "text.reverse",
    "payload": {"text": "hello"},
    "queue": "default",
    "priority": 0,
    "delay": 0,
    "run_at": None,
    "max_attempts": 5,
    "timeout": 30,
    "dedupe_key": None,
    "tags": [],
}


class JobIn(BaseModel):
    """A job to enqueue. Only ``type`` is required; the rest default to the task's."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_JOB_EXAMPLE]})

    type: str = Field(description="the task name")
    payload: dict[str, Any] = Field(
        default_factory=dict, description="keyword arguments of the task"
    )
    queue: str | None = None
    priority: int | None = Field(default=None, description="-100..100, higher runs first")
    delay: float | None = Field(default=None, description="seconds to wait before running")
    run_at: datetime | None = Field(default=None, description="when to run (with a time zone)")
    max_attempts: int | None = None
    timeout: float | None = Field(default=None, description="seconds; null for none")
    dedupe_key: str | None = Field(
        default=None, description="an unfinished job holding this key is returned instead"
    )
    tags: list[str] | None = None


class JobBatchIn(BaseModel):
    """Jobs to enqueue together, all or nothing."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"jobs": [_JOB_EXAMPLE]}]}
    )

    jobs: list[JobIn]


class AttemptOut(BaseModel):
    number: int
    worker: str | None
    started_at: datetime | None
    finished_at: datetime | None
    outcome: str
    error: str | None


class JobOut(BaseModel):
    """A job."""

    id: uuid.UUID
    type: str
    payload: dict[str, Any]
    queue: str
    priority: int
    status: JobStatus
    attempts: int
    max_attempts: int
    created_at: datetime
    scheduled_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    last_error: str | None
    result: Any
    dedupe_key: str | None
    tags: list[str]
    cancel_requested: bool

    @classmethod
    def fields_of(cls, job: Job) -> dict[str, Any]:
        return {
            "id": job.id,
            "type": job.task,
            "payload": job.payload,
            "queue": job.queue,
            "priority": job.priority,
            "status": job.status,
            "attempts": job.attempts,
            "max_attempts": job.max_attempts,
            "created_at": job.created_at,
            "scheduled_at": job.run_at,
            "started_at": job.started_at,
            "finished_at": job.finished_at,
            "last_error": job.last_error,
            "result": job.result,
            "dedupe_key": job.dedupe_key,
            "tags": job.tags,
            "cancel_requested": job.cancel_requested,
        }

    @classmethod
    def of(cls, job: Job) -> JobOut:
        return cls(**cls.fields_of(job))


class EnqueuedJob(JobOut):
    """A job as enqueue answers it: ``deduplicated`` says it already existed."""

    deduplicated: bool

    @classmethod
    def of(cls, job: Job) -> EnqueuedJob:
        return cls(**cls.fields_of(job), deduplicated=job.deduplicated)


class JobDetail(JobOut):
    """A job with the history of its attempts."""

    attempt_history: list[AttemptOut]

    @classmethod
    def of(cls, job: Job) -> JobDetail:
        history = [
            AttemptOut(
                number=a.number,
                worker=a.worker,
                started_at=a.started_at,
                finished_at=a.finished_at,
                outcome=a.outcome,
                error=a.error,
            )
            for a in job.history
        ]
        return cls(**cls.fields_of(job), attempt_history=history)


class JobPage(BaseModel):
    items: list[JobOut]
    next_cursor: str | None


class JobBatchOut(BaseModel):
    items: list[EnqueuedJob]


class Deleted(BaseModel):
    deleted: int


class Replayed(BaseModel):
    replayed: int


class QueueOut(BaseModel):
    name: str
    paused: bool
    counts: dict[str, int]
    oldest_queued_age_seconds: float | None = Field(
        description="age of the oldest job waiting to run, null when none waits"
    )
    completed_per_second: float = Field(description="jobs succeeded per second, last minute")
    failed_per_second: float = Field(description="jobs failed per second, last minute")

    @classmethod
    def of(cls, stats: QueueStats, window: float) -> QueueOut:
        return cls(
            name=stats.name,
            paused=stats.paused,
            counts={s.value: stats.counts.get(s.value, 0) for s in JobStatus},
            oldest_queued_age_seconds=stats.oldest_queued_age,
            completed_per_second=stats.succeeded_recent / window,
            failed_per_second=stats.failed_recent / window,
        )


class QueueList(BaseModel):
    items: list[QueueOut]


class QueueState(BaseModel):
    name: str
    paused: bool


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


class EventToken(BaseModel):
    token: str
    expires_at: datetime


class KeyIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"scopes": ["read"], "name": "grafana"}]}
    )

    scopes: list[str]
    name: str | None = Field(default=None, max_length=200)


class KeyOut(BaseModel):
    id: str
    name: str | None
    scopes: list[str]
    created_at: datetime
    revoked_at: datetime | None

    @classmethod
    def of(cls, info: KeyInfo) -> KeyOut:
        return cls(
            id=info.id,
            name=info.name,
            scopes=info.scopes,
            created_at=info.created_at,
            revoked_at=info.revoked_at,
        )


class KeyCreated(KeyOut):
    key: str = Field(description="the key itself: shown this once, never stored")


class KeyList(BaseModel):
    items: list[KeyOut]


class Health(BaseModel):
    status: str
