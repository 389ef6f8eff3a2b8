"""The audit trail as the API answers it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from equeue.audit import AuditRecord


class AuditOut(BaseModel):
    """One operator action that succeeded."""

    id: uuid.UUID
    at: datetime
    actor: str = Field(description="the API key's id (env for the environment's key), or cli")
    actor_name: str | None = Field(
        description="the key's name when it has one, or the command line's OS user"
    )
    source: str = Field(description="the client's address, or cli:<user>@<host>")
    action: str = Field(description="job.retry, jobs.purge, queue.pause, key.create, ...")
    job_ids: list[uuid.UUID] = Field(description="the jobs the action named one by one")
    target: dict[str, Any] = Field(
        description="what else names its object: a bulk action's filter, a queue, a key"
    )
    affected: int | None = Field(description="how many jobs a bulk action changed")

    @classmethod
    def of(cls, record: AuditRecord) -> AuditOut:
        return cls(
            id=record.id,
            at=record.at,
            actor=record.actor,
            actor_name=record.actor_name,
            source=record.source,
            action=record.action,
            job_ids=record.job_ids,
            target=record.target,
            affected=record.affected,
        )


class AuditPage(BaseModel):
    items: list[AuditOut]
    next_cursor: uuid.UUID | None
