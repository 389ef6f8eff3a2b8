"""The audit trail: who did what, to which jobs, when and from where."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AwareDatetime

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
Moment = Annotated[AwareDatetime | None, Query(description="RFC 3339, with an offset")]


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
