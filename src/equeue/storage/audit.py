"""The audit trail's statements: record an operator action, read a page of them."""

from __future__ import annotations

import json
import uuid
from datetime import datetime

from equeue.audit import Actor, AuditEntry, AuditRecord
from equeue.job.ids import uuid7
from equeue.storage.seam import Statements


class AuditStatements(Statements):
    """Writes and reads ``audit_log`` (migration 0010)."""

    async def insert_audit_record(self, actor: Actor, entry: AuditEntry) -> None:
        """Record ``entry`` as done by ``actor``; a key's name is filled in from the key
        when ``actor.name`` is None."""
        await self.pool.execute(
            self.q["insert_audit_record"],
            uuid7(),
            actor.id,
            actor.name,
            actor.source,
            str(entry.action),
            list(entry.job_ids),
            json.dumps(dict(entry.target), default=str),
            entry.affected,
        )

    async def list_audit_records(
        self,
        *,
        actor: str | None,
        action: str | None,
        since: datetime | None,
        until: datetime | None,
        limit: int,
        before: uuid.UUID | None,
    ) -> list[AuditRecord]:
        """Up to ``limit`` records newest first, older than the id ``before`` if given."""
        rows = await self.pool.fetch(
            self.q["list_audit_records"], actor, action, since, until, limit, before
        )
        return [
            AuditRecord(
                id=row["id"],
                at=row["at"],
                actor=row["actor"],
                actor_name=row["actor_name"],
                source=row["source"],
                action=row["action"],
                job_ids=list(row["job_ids"]),
                target=json.loads(row["target"]),
                affected=row["affected"],
            )
            for row in rows
        ]
