"""Queues as the API answers them: their counts and rates, their paused flag, a replay."""

from __future__ import annotations

from pydantic import BaseModel, Field

from equeue.job import JobStatus
from equeue.records import QueueStats


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
