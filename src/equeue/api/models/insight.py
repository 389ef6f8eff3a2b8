"""What the dashboard charts and groups: statistics per time step, dead-letter groups."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from equeue.records import DeadLetterGroup


class SeriesPoint(BaseModel):
    """One time step: jobs finished in it, and percentiles of the wait and run times of
    its jobs (seconds; null without jobs)."""

    at: datetime = Field(description="the step's start")
    succeeded: int
    failed: int = Field(description="jobs that failed for good (dead-lettered)")
    wait_p50: float | None
    wait_p95: float | None
    wait_p99: float | None
    run_p50: float | None
    run_p95: float | None
    run_p99: float | None


class Series(BaseModel):
    step_seconds: int
    points: list[SeriesPoint] = Field(description="one per step, oldest first, the current last")


class DeadLetterGroupOut(BaseModel):
    type: str = Field(description="the task name")
    error: str = Field(description="the first line of the jobs' last error")
    count: int
    queues: list[str]
    first_failed_at: datetime | None
    last_failed_at: datetime | None
    sample_job_id: uuid.UUID = Field(description="the group's newest job")

    @classmethod
    def of(cls, group: DeadLetterGroup) -> DeadLetterGroupOut:
        return cls(
            type=group.task,
            error=group.error,
            count=group.count,
            queues=group.queues,
            first_failed_at=group.first_failed_at,
            last_failed_at=group.last_failed_at,
            sample_job_id=group.sample_job_id,
        )


class DeadLetters(BaseModel):
    groups: list[DeadLetterGroupOut] = Field(description="largest first")
    total: int = Field(description="failed jobs in all, of the groups listed or not")
