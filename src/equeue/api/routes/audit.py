"""The audit trail: who did what, to which jobs, when and from where."""

from __future__ import annotations

import re
import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AwareDatetime, BeforeValidator

from equeue.api.errors import ApiError, error_responses
from equeue.api.models import AuditOut, AuditPage
from equeue.api.routing import KEYED, AdminKey, ApiState, annotate
from equeue.job import NAME_PATTERN, TEXT_PATTERN

ActorFilter = Annotated[
    str | None,
    Query(min_length=1, max_length=200, pattern=TEXT_PATTERN, description="an actor's id"),
]
ActionFilter = Annotated[
    str | None,
    Query(min_length=1, max_length=100, pattern=NAME_PATTERN, description="e.g. job.retry"),
]
_RFC3339 = re.compile(r"^\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)$")


def _rfc3339(value: object) -> object:
    # Left to itself pydantic reads a number as a Unix time: the schema promises a
    # date-time, so anything else is refused.
    if isinstance(value, str) and not _RFC3339.match(value):
        raise ValueError("must be an RFC 3339 date-time with an offset, e.g. 2026-01-31T12:00:00Z")
    return value


Moment = Annotated[
    AwareDatetime | None,
    BeforeValidator(_rfc3339),
    Query(description="RFC 3339, with an offset"),
]


def add_routes(router: APIRouter, state: ApiState) -> None:
    """The route of the audit trail, on ``router``."""

    @router.get(
        "/v1/audit",
        response_model=AuditPage,
        tags=["audit"],
        responses=error_responses(*KEYED),
    )
    @annotate(limit=state.inputs.page_limit)
    async def audit_log(
        _: AdminKey,
        actor: ActorFilter = None,
        action: ActionFilter = None,
        since: Moment = None,
        until: Moment = None,
        limit: int = 50,
        cursor: uuid.UUID | None = None,
    ) -> AuditPage:
        """Operator actions newest first (``since`` and ``until`` inclusive); pass
        ``next_cursor`` back as ``cursor`` for the next page."""
        if since is not None and until is not None and since > until:
            raise ApiError(422, "invalid", "since must not be later than until")
        records, next_cursor = await state.queue.admin.audit_log(
            actor=actor, action=action, since=since, until=until, limit=limit, cursor=cursor
        )
        return AuditPage(items=[AuditOut.of(r) for r in records], next_cursor=next_cursor)
