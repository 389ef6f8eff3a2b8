"""The links of chains and chords written at enqueue, and chords read back. What the
links do when a job ends is migration 0015's triggers (docs/chains.md)."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime

from equeue.job.chords import Chord, ChordMember
from equeue.storage.seam import Connection, Statements

#: A job's links as written at enqueue: (job id, follow-ups as JSON or None, chord id).
Link = tuple[uuid.UUID, str | None, uuid.UUID | None]


class ChainStatements(Statements):
    """Writing the links of jobs just inserted, and reading chords."""

    @asynccontextmanager
    async def linking(self, connection: Connection | None) -> AsyncIterator[Connection]:
        """A transaction for jobs and their links, written together: in the caller's
        ``connection`` (a savepoint of its transaction), else on a pooled connection."""
        if connection is not None:
            async with connection.transaction():
                yield connection
            return
        async with self.pool.acquire() as conn, conn.transaction():
            yield conn

    async def link_jobs(self, connection: Connection, links: Sequence[Link]) -> None:
        """Give jobs inserted in ``connection``'s open transaction their links."""
        if links:
            ids, follow_ups, chords = zip(*links, strict=True)
            await connection.execute(self.q["link_jobs"], ids, follow_ups, chords)

    async def insert_chord(
        self,
        connection: Connection,
        chord_id: uuid.UUID,
        callback_json: str,
        members: list[uuid.UUID],
    ) -> datetime:
        """Write a chord waiting for ``members``; returns its creation time."""
        created_at: datetime = await connection.fetchval(
            self.q["insert_chord"], chord_id, callback_json, members
        )
        return created_at

    async def get_chord(self, chord_id: uuid.UUID) -> Chord | None:
        """A chord and its members as they are now, or None."""
        async with self.pool.acquire() as conn:
            row = await conn.fetchrow(self.q["get_chord"], chord_id)
            if row is None:
                return None
            members = await conn.fetch(self.q["chord_members"], chord_id)
        return Chord(
            id=row["id"],
            callback=json.loads(row["callback"]),
            remaining=row["remaining"],
            created_at=row["created_at"],
            finished_at=row["finished_at"],
            callback_job_id=row["callback_job_id"],
            members=[
                ChordMember(
                    id=m["id"],
                    task=m["task"],
                    status=m["status"] or "deleted",
                    result=json.loads(m["result"]) if m["result"] is not None else None,
                    error=m["last_error"],
                )
                for m in members
            ],
        )
