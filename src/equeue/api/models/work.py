"""Workers over HTTP: the jobs a claim hands out, and what a worker reports about them."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, Strict, StringConstraints

from equeue.api.models.fields import ResultValue
from equeue.job import MAX_PROGRESS_MESSAGE, TEXT_PATTERN
from equeue.records import LeasedJob

#: A worker's id as it chooses it: letters, digits, ``.``, ``_`` and ``-`` (no ``:``, so
#: that it can never be taken for the id of a worker process, ``host:pid:random``).
WORKER_ID_PATTERN = r"^[A-Za-z0-9._-]+$"
WORKER_ID_MAX_LENGTH = 64
#: Lease lengths a worker may ask for, in seconds.
LEASE_MIN_SECONDS, LEASE_MAX_SECONDS = 1.0, 3600.0
#: Longest delay a failed attempt may ask before its retry: a week.
MAX_RETRY_DELAY_SECONDS = 7 * 24 * 3600.0
#: Most jobs one claim may take.
MAX_CLAIM = 100

LeaseSeconds = Annotated[float, Strict(), Field(ge=LEASE_MIN_SECONDS, le=LEASE_MAX_SECONDS)]
ErrorLine = Annotated[str, StringConstraints(min_length=1, max_length=1000, pattern=TEXT_PATTERN)]
ErrorDetail = Annotated[
    str, StringConstraints(min_length=1, max_length=65_536, pattern=TEXT_PATTERN)
]
ProgressFraction = Annotated[float, Strict(), Field(ge=0, le=1, allow_inf_nan=False)]
ProgressMessage = Annotated[
    str, StringConstraints(max_length=MAX_PROGRESS_MESSAGE, pattern=TEXT_PATTERN)
]
RetryDelay = Annotated[float, Strict(), Field(ge=0, le=MAX_RETRY_DELAY_SECONDS)]


class LeasedJobOut(BaseModel):
    """A claimed job: run it, renew its lease before it lapses, then report how it ended,
    each time with its ``lease_token``."""

    id: uuid.UUID
    type: str
    queue: str
    payload: dict[str, Any]
    priority: int
    attempt: int = Field(description="this attempt's number, from 1")
    max_attempts: int
    timeout: float | None = Field(description="seconds the job's task may run, if bounded")
    lease_token: uuid.UUID = Field(description="proves the lease: every report names it")
    lease_seconds: float = Field(description="the lease lapses this long after the claim")

    @classmethod
    def of(cls, job: LeasedJob, lease_seconds: float) -> LeasedJobOut:
        return cls(
            id=job.id,
            type=job.task,
            queue=job.queue,
            payload=job.payload,
            priority=job.priority,
            attempt=job.attempt,
            max_attempts=job.max_attempts,
            timeout=job.timeout,
            lease_token=job.lease_token,
            lease_seconds=lease_seconds,
        )


class Claimed(BaseModel):
    """The jobs a claim took: none when the queue had nothing runnable all along."""

    items: list[LeasedJobOut]


class HeartbeatIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"token": "0192f0c8-7a41-7c1e-9f00-3c6f9d2b1a55", "lease": 30}]
        },
    )

    token: uuid.UUID = Field(description="the lease token the claim gave")
    lease: LeaseSeconds = Field(default=30.0, description="seconds from now the lease lasts")
    progress: ProgressFraction | None = Field(
        default=None,
        description="how far the job has got, from 0 to 1, stored on the job with the "
        "lease renewed (docs/progress-and-results.md)",
    )
    message: ProgressMessage | None = Field(
        default=None,
        description="what the job is doing, stored with progress (ignored without it)",
    )


class HeartbeatOut(BaseModel):
    id: uuid.UUID
    lease_seconds: float = Field(description="the lease lapses this long from now")
    cancel_requested: bool = Field(
        description="someone asked for the job to stop: stop it and report a failure"
    )


class CompleteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: uuid.UUID = Field(description="the lease token the claim gave")
    result: ResultValue


class FailIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: uuid.UUID = Field(description="the lease token the claim gave")
    error: ErrorLine = Field(description="one line: kept as the job's last_error")
    detail: ErrorDetail | None = Field(
        default=None, description="the whole error (a traceback), kept in the job's history"
    )
    retry_delay: RetryDelay = Field(
        default=0.0, description="seconds before the retry, when attempts are left"
    )


class Reported(BaseModel):
    """A report that landed: the job's status now."""

    id: uuid.UUID
    status: str = Field(
        description="succeeded; or, after a failure, retrying, failed (no attempts left) "
        "or cancelled (its cancel was requested)"
    )
