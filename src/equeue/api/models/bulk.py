"""An action on many jobs: retry, cancel or delete each that its status allows."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from equeue.bulk import MAX_BULK_IDS
from equeue.records import BulkResult


class BulkIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"action": "retry", "ids": ["0190f7a8-6c1e-7b52-9a3d-2f1e4c5b6a70"]}]
        },
    )

    action: Literal["retry", "cancel", "delete"] = Field(description="delete needs the admin scope")
    ids: list[uuid.UUID] = Field(max_length=MAX_BULK_IDS)


class Skipped(BaseModel):
    id: uuid.UUID
    reason: str = Field(description='"not found", or why the job\'s status does not allow it')


class BulkOut(BaseModel):
    done: list[uuid.UUID]
    skipped: list[Skipped]

    @classmethod
    def of(cls, result: BulkResult) -> BulkOut:
        return cls(
            done=result.done,
            skipped=[Skipped(id=job_id, reason=reason) for job_id, reason in result.skipped],
        )
