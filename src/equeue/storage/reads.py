"""What operators poll, at a cost that does not grow with history: counts from the
counters and pages of jobs from index ranges (migration 0009, ``queries/reads.sql``)."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass

from equeue.job import Job
from equeue.storage.rows import job_from_row
from equeue.storage.seam import Statements

#: The maintenance duty (and its advisory lock) that folds counted changes into counts.
FOLD_DUTY = "counts"


@dataclass(frozen=True, slots=True)
class JobFilter:
    """Which jobs a page holds; None leaves a field unfiltered."""

    status: str | None = None
    queue: str | None = None
    task: str | None = None
    tag: str | None = None
    job_id: uuid.UUID | None = None
    dedupe_key: str | None = None

    def statement(self) -> str:
        """The list statement whose index serves these filters best: the most selective
        filter given drives the scan, the others are checked on the rows it yields."""
        if self.job_id is not None:
            return "list_jobs_by_id"
        if self.dedupe_key is not None:
            return "list_jobs_by_dedupe_key"
        if self.tag is not None:
            return "list_jobs_by_tag"
        if self.status is not None or self.queue is not None or self.task is not None:
            return "list_jobs_by_kind"
        return "list_jobs_newest"


class ReadStatements(Statements):
    """Counts by queue and status, and pages of jobs."""

    async def fold_job_counts(self) -> int:
        """Fold the counted changes into the counts, unless another process is doing it;
        returns how many changes were folded (0 when another process held the duty)."""
        folded: int = await self.pool.fetchval(
            self.q["fold_job_counts"], f"{self.schema}:{FOLD_DUTY}"
        )
        return folded

    async def queue_counts(self) -> dict[str, dict[str, int]]:
        """Jobs per queue and status (non-zero counts only), from the counters."""
        await self.fold_job_counts()
        counts: dict[str, dict[str, int]] = {}
        for row in await self.pool.fetch(self.q["count_jobs"]):
            counts.setdefault(row["queue"], {})[row["status"]] = row["n"]
        return counts

    async def list_jobs(
        self,
        where: JobFilter,
        *,
        limit: int,
        before: uuid.UUID | None,
        details: Collection[str],
    ) -> list[Job]:
        """Up to ``limit`` jobs older than ``before`` (newest first) that pass ``where``.

        Of the large parts of a job (:data:`~equeue.job.DETAILS`) only those named in
        ``details`` are read; the others are left empty in the jobs returned.
        """
        rows = await self.pool.fetch(
            self.q[where.statement()],
            where.status,
            where.queue,
            where.task,
            where.tag,
            limit,
            before,
            "payload" in details,
            "result" in details,
            "history" in details,
            where.job_id,
            where.dedupe_key,
        )
        return [job_from_row(row) for row in rows]
