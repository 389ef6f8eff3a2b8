"""A follow-up's job spec: the job another's outcome enqueues (docs/chains.md)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class FollowUpIn(BaseModel):
    """A job enqueued by another's outcome: the fields of a job but ``run_at`` and
    ``dedupe_key``, and follow-ups of its own. The engine checks each value with the
    rules of an enqueue (422 naming the field otherwise)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"type": "report.send", "payload": {"to": "ops"}}]},
    )

    type: str = Field(description="the task name")
    payload: dict[str, Any] = Field(
        default_factory=dict,
        description="keyword arguments of the task; equeue adds 'parent' (a follow-up) "
        "or 'chord' (a chord's callback)",
    )
    queue: str | None = None
    priority: int | None = None
    delay: float | None = Field(default=None, description="seconds after its parent ends")
    max_attempts: int | None = None
    timeout: float | None = None
    tags: list[str] | None = None
    on_success: FollowUpIn | None = None
    on_failure: FollowUpIn | None = None
