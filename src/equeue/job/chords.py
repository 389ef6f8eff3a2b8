"""A chord as stored: a group of jobs whose callback job is enqueued once every member
has finished (see docs/chains.md)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class ChordMember:
    """A member of a chord and where it is now; ``status`` is ``deleted`` (and the rest
    empty) for a member deleted since."""

    id: uuid.UUID
    task: str | None
    status: str
    result: Any = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Chord:
    """A group of jobs with a callback: ``callback_job_id`` is set from the moment the
    last member finished and the callback job was enqueued."""

    id: uuid.UUID
    #: The callback's job spec, resolved at creation (task, queue, payload, priority...).
    callback: dict[str, Any]
    #: Members not finished yet.
    remaining: int
    created_at: datetime
    finished_at: datetime | None = None
    callback_job_id: uuid.UUID | None = None
    members: list[ChordMember] = field(default_factory=list)
