"""Progress reports of running tasks, and the reads of what waits for jobs to finish."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from equeue.job import Progress
from equeue.storage.rows import load_progress
from equeue.storage.seam import Executor, Statements


def events_channel(schema: str) -> str:
    """The channel job-change events are sent on (see migration 0002)."""
    return f"equeue_{schema}_ev"


class ProgressStatements(Statements):
    """Writing a running job's progress; reading which awaited jobs have finished."""

    async def write_progress(
        self,
        job_id: uuid.UUID,
        token: uuid.UUID,
        fraction: float,
        message: str | None,
        *,
        executor: Executor | None = None,
    ) -> bool:
        """Store the job's latest progress if it still runs under ``token``; False (and
        nothing written) when the lease is lost."""
        row = await self._on(executor).fetchrow(
            self.q["write_progress"],
            job_id,
            token,
            fraction,
            message,
            events_channel(self.schema),
        )
        return row is not None and row["written"] > 0

    async def finished_jobs(self, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str | None]:
        """The jobs among ``ids`` that have finished, with their status (None: deleted)."""
        rows = await self.pool.fetch(self.q["finished_jobs"], list(ids))
        return {row["id"]: row["status"] for row in rows}

    async def job_progress(self, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Progress]:
        """The latest progress of each of these jobs that has reported some."""
        rows = await self.pool.fetch(self.q["job_progress"], list(ids))
        return {row["id"]: progress for row in rows if (progress := load_progress(row["progress"]))}
