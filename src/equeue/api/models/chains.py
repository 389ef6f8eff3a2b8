"""Chains and chords over the API: a follow-up's job spec, a chord to create and a chord
as the API answers it (docs/chains.md)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from equeue.api.models.follow_ups import FollowUpIn
from equeue.api.models.jobs import JobIn
from equeue.job.chords import Chord


class ChordIn(BaseModel):
    """Jobs enqueued together, and a callback enqueued once when all have finished."""

    model_config = ConfigDict(extra="forbid")

    jobs: list[JobIn]
    callback: FollowUpIn


def chord_model(job: type[JobIn], max_jobs: int) -> type[ChordIn]:
    """:class:`ChordIn` of ``job`` models, at most ``max_jobs`` of them."""
    return create_model(
        "ChordIn",
        __base__=ChordIn,
        __doc__=ChordIn.__doc__,
        jobs=(list[job], Field(min_length=1, max_length=max_jobs)),  # type: ignore[valid-type]
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
