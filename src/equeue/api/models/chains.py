"""Chains and chords over the API: a follow-up's job spec, a chord to create and a chord
as the API answers it (docs/chains.md)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from equeue.api.models.follow_ups import FollowUpIn, follow_up_model
from equeue.api.models.jobs import JobIn
from equeue.job import Limits
from equeue.job.chords import Chord


class ChordIn(BaseModel):
    """Jobs enqueued together, and a callback enqueued once when all have finished."""

    model_config = ConfigDict(extra="forbid")

    jobs: list[JobIn]
    callback: FollowUpIn


def chord_model(job: type[JobIn], limits: Limits, max_jobs: int) -> type[ChordIn]:
    """:class:`ChordIn` of 1 to ``max_jobs`` ``job`` models, each without a dedupe key
    (one deduplicated to another job would not be the chord's to wait for)."""
    member: Any = create_model(
        "ChordJobIn",
        __base__=job,
        __doc__="A job of a chord: a job without a dedupe key.",
        dedupe_key=(None, Field(default=None, description="a chord's jobs take none")),
    )
    return create_model(
        "ChordIn",
        __base__=ChordIn,
        __doc__=ChordIn.__doc__,
        jobs=(list[member], Field(min_length=1, max_length=max_jobs)),
        callback=(follow_up_model(limits), Field(description="the job enqueued at the end")),
    )


class ChordMemberOut(BaseModel):
    id: uuid.UUID
    type: str | None = Field(description="null once the job was deleted")
    status: str = Field(description="the job's status, or 'deleted'")
    result: Any = None
    error: str | None = None


class ChordOut(BaseModel):
    """A chord: its jobs as they are now, and its callback job once enqueued."""

    id: uuid.UUID
    created_at: datetime
    finished_at: datetime | None = Field(description="when the last job finished")
    remaining: int = Field(description="jobs not finished yet")
    callback: dict[str, Any] = Field(description="the callback's job spec, as resolved")
    callback_job_id: uuid.UUID | None = Field(description="set once the callback is enqueued")
    jobs: list[ChordMemberOut]

    @classmethod
    def of(cls, chord: Chord) -> ChordOut:
        return cls(
            id=chord.id,
            created_at=chord.created_at,
            finished_at=chord.finished_at,
            remaining=chord.remaining,
            callback=chord.callback,
            callback_job_id=chord.callback_job_id,
            jobs=[
                ChordMemberOut(
                    id=m.id, type=m.task, status=m.status, result=m.result, error=m.error
                )
                for m in chord.members
            ],
        )
