"""Enqueues under an idempotency key: the key's first request writes its job, and every
repeat of that request gets that same job back, for as long as the key is kept.

The key is taken in the enqueue's own transaction, so a key exists if and only if its
job was written (or deduplicated) with it. Two requests with one key at once: the second
waits on the first's row of the key, then reads it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from equeue.errors import IdempotencyKeyReusedError, IdempotentJobGoneError
from equeue.job import Job, NewJob
from equeue.storage.jobs import JobStatements
from equeue.storage.rows import job_from_row
from equeue.storage.seam import Connection


def fingerprint(task: str, payload: Mapping[str, Any] | None, options: Mapping[str, Any]) -> str:
    """What makes two enqueue requests the same request: the task, the payload (compared
    as JSON values: key order does not matter) and the options given, as they were
    asked for (a task's defaults changed between two tries do not make them differ)."""
    given = {name: value for name, value in options.items() if value is not None}
    asked = [task, dict(payload or {}), given]
    text = json.dumps(asked, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


class IdempotencyStatements(JobStatements):
    """Enqueues under an idempotency key (on top of the statements that write jobs)."""

    async def insert_job_once(
        self, new: NewJob, key: str, asked: str, connection: Connection | None = None
    ) -> Job:
        """Write ``new`` and take ``key`` for it, in one transaction; when a request
        took the key before, return its job (``deduplicated=True``) instead. ``asked`` is
        the request's :func:`fingerprint`.

        Raises :class:`IdempotencyKeyReusedError` when that request asked for something
        else, and :class:`IdempotentJobGoneError` when its job was deleted since.
        """
        if connection is not None:
            return await self._insert_job_once(connection, new, key, asked)
        async with self.pool.acquire() as conn:
            return await self._insert_job_once(conn, new, key, asked)

    async def _insert_job_once(self, conn: Connection, new: NewJob, key: str, asked: str) -> Job:
        async with conn.transaction():
            if await conn.fetchval(self.q["take_idempotency_key"], key, new.id, asked):
                [job] = await self._insert_jobs(conn, [new])
                if job.id != new.id:  # deduplicated to the holder of its dedupe key
                    await conn.execute(self.q["point_idempotency_key"], key, job.id)
                return job
            taken = await conn.fetchrow(self.q["get_idempotency_key"], key)
            assert taken is not None  # taken, and keys are only deleted long after
            if taken["fingerprint"] != asked:
                raise IdempotencyKeyReusedError(
                    f"idempotency key {key!r} was used on {taken['created_at']:%Y-%m-%d %H:%M:%S} "
                    f"UTC by a request with different contents (it created job "
                    f"{taken['job_id']}); a repeat must send the same request, and a new "
                    "request needs a new key",
                    taken["job_id"],
                )
            row = await conn.fetchrow(self.q["get_job"], taken["job_id"])
            if row is None:
                raise IdempotentJobGoneError(
                    f"the job idempotency key {key!r} created ({taken['job_id']}) was "
                    "deleted since; nothing was written (a new request needs a new key)"
                )
            return replace(job_from_row(row), deduplicated=True)
