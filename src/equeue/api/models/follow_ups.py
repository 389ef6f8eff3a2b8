"""A follow-up's job spec: the job another's outcome enqueues (docs/chains.md)."""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from equeue.api.models.fields import Payload, name_type, number_type, text_type, whole_type
from equeue.job import PRIORITY_MAX, PRIORITY_MIN, Limits

#: The payload keys equeue sets on a follow-up (``parent``) and a callback (``chord``).
_NOT_RESERVED: dict[str, Any] = {
    "not": {"anyOf": [{"required": ["parent"]}, {"required": ["chord"]}]}
}


class FollowUpLastIn(BaseModel):
    """A job enqueued by another's outcome, with no follow-ups of its own: the fields of
    a job but ``run_at`` and ``dedupe_key``."""

    # The shape only: a router validates with follow_up_model()'s, bounded by its limits.

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"type": "report.send", "payload": {"to": "ops"}}]},
    )

    type: str
    payload: dict[str, Any] = Field(default_factory=dict)
    queue: str | None = None
    priority: int | None = None
    delay: float | None = None
    max_attempts: int | None = None
    timeout: float | None = None
    tags: list[str] | None = None


class FollowUpIn(FollowUpLastIn):
    """A job enqueued by another's outcome: the fields of a job but ``run_at`` and
    ``dedupe_key``, and follow-ups of its own."""

    on_success: FollowUpLastIn | None = None
    on_failure: FollowUpLastIn | None = None


@cache  # one model per limits: the schema then names it once
def follow_up_model(limits: Limits) -> type[FollowUpIn]:
    """:class:`FollowUpIn` with the engine's bounds for a queue with ``limits``. Over the
    API a follow-up may carry follow-ups of its own, which carry none (a chain of three
    jobs from one request; Python's enqueue nests deeper): a recursive schema would cost
    every client generating from it far more than it gives."""
    last = _bounded("FollowUpLastIn", limits, None)
    bounded: type[FollowUpIn] = _bounded("FollowUpIn", limits, last)
    return bounded


def _bounded(name: str, limits: Limits, links: Any) -> Any:
    tags: Any = list[text_type(limits.max_tag_length)] | None  # type: ignore[misc]
    base = FollowUpIn if links is not None else FollowUpLastIn
    linked: dict[str, Any] = {}
    if links is not None:
        linked = {"on_success": (links | None, None), "on_failure": (links | None, None)}
    return create_model(
        name,
        __base__=base,
        __doc__=base.__doc__,
        type=(name_type(limits), Field(description="the task name")),
        payload=(
            Payload,
            Field(
                default_factory=dict,
                description="keyword arguments of the task, without the keys 'parent' and "
                "'chord': equeue adds 'parent' to a follow-up's, 'chord' to a callback's",
                json_schema_extra=_NOT_RESERVED,
            ),
        ),
        queue=(name_type(limits) | None, None),
        priority=(whole_type(PRIORITY_MIN, PRIORITY_MAX) | None, None),
        delay=(
            number_type(0, limits.max_delay_seconds) | None,
            Field(default=None, description="seconds to wait once its parent ended"),
        ),
        max_attempts=(whole_type(1, limits.max_attempts_limit) | None, None),
        timeout=(number_type(0.001, limits.max_timeout_seconds) | None, None),
        tags=(tags, Field(default=None, max_length=limits.max_tags)),
        **linked,
    )
