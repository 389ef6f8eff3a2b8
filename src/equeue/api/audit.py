"""Recording what a request did in the audit trail: one call in the route, once the
action has succeeded.

A route takes the recorder as a parameter (``audit: Audit``, see
:mod:`equeue.api.routing`) and calls it after its action::

    job = await queue.retry(job_id)
    await audit(Action.JOB_RETRY, job_ids=[job.id])

The recorder knows the caller (the key that was checked) and where the request came
from. A refused request raises before the call, so it records nothing.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from equeue.admin import Admin
from equeue.audit import Action, Actor, AuditEntry
from equeue.errors import DatabaseError

log = logging.getLogger("equeue.audit")


class AuditTrail:
    """Records the actions of one request, as its caller, from its address."""

    def __init__(self, admin: Admin, actor: Actor) -> None:
        self._admin = admin
        self.actor = actor

    async def __call__(
        self,
        action: Action | str,
        *,
        job_ids: Iterable[uuid.UUID] = (),
        target: Mapping[str, Any] | None = None,
        affected: int | None = None,
    ) -> None:
        """Record ``action``: the jobs it named (``job_ids``), what else it acted on
        (``target``: a filter, a queue, a key) and how many jobs it changed."""
        entry = AuditEntry(action, tuple(job_ids), dict(target or {}), affected)
        try:
            await self._admin.record_action(self.actor, entry)
        except DatabaseError as exc:
            # The action is done and cannot be undone: answering an error would tell the
            # caller it failed. The record goes to the log instead, whole.
            log.error(
                "could not write the audit record of %s by %s from %s (%s): %s",
                entry.action,
                self.actor.id,
                self.actor.source,
                exc,
                entry,
                extra={"audit_action": str(entry.action), "actor": self.actor.id},
            )
