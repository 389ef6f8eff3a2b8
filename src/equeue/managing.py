"""Reading and managing jobs already enqueued: the part of :class:`~equeue.Queue` that
acts on jobs by id or by filter."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from functools import cached_property

from equeue.errors import JobNotFoundError, JobStateError
from equeue.job import DETAILS, Job, JobStatus, chosen_details
from equeue.storage import JobFilter, Storage
from equeue.waiting import Waiters


class ManagingJobs:
    """Job reads and actions of :class:`~equeue.Queue` (its base class)."""

    schema: str

    async def _storage(self) -> Storage:
        raise NotImplementedError  # the Queue's own, with its pool

    @property
    def session_dsn(self) -> str:
        raise NotImplementedError  # the Queue's own

    @cached_property
    def waiters(self) -> Waiters:
        """Whoever waits in :meth:`wait`, woken through one LISTEN connection."""
        return Waiters(self)

    async def wait(self, job_id: uuid.UUID | str, *, timeout: float | None = None) -> Job:
        """Wait until the job has finished (succeeded, failed or cancelled) and return it.

        Raises :class:`~equeue.errors.WaitTimeoutError` when it has not within ``timeout``
        seconds (None: wait as long as it takes; the job itself is not touched), and
        :class:`JobNotFoundError` when there is no such job. Woken by the database, not by
        polling: every wait of this queue shares one LISTEN connection
        (docs/progress-and-results.md).
        """
        return await self.waiters.wait(_as_uuid(job_id), timeout)

    async def get_job(self, job_id: uuid.UUID | str) -> Job:
        """The job with this id; raises :class:`JobNotFoundError`."""
        storage = await self._storage()
        job = await storage.get_job(_as_uuid(job_id))
        if job is None:
            raise JobNotFoundError(f"no job {job_id}")
        return job

    async def list_jobs(
        self,
        *,
        status: JobStatus | str | None = None,
        queue: str | None = None,
        task: str | None = None,
        tag: str | None = None,
        job_id: uuid.UUID | str | None = None,
        dedupe_key: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
        details: Iterable[str] = DETAILS,
    ) -> tuple[list[Job], str | None]:
        """One page of jobs, newest first, and the cursor of the next page (None at the end).

        Every filter given must hold. The cursor is keyset-based: it stays valid while
        jobs are added. ``details`` names the large parts of a job to read (``payload``,
        ``result``, ``history``; all by default): a page without them costs the same
        whatever the jobs carry, and the parts not read are left empty in the jobs returned.
        """
        wanted = chosen_details(details)
        where = JobFilter(
            status=JobStatus(status) if status is not None else None,
            queue=queue,
            task=task,
            tag=tag,
            job_id=_as_uuid(job_id) if job_id is not None else None,
            dedupe_key=dedupe_key,
        )
        storage = await self._storage()
        before = _as_uuid(cursor) if cursor else None
        jobs = await storage.list_jobs(where, limit=limit + 1, before=before, details=wanted)
        next_cursor = str(jobs[limit - 1].id) if len(jobs) > limit else None
        return jobs[:limit], next_cursor

    async def cancel(self, job_id: uuid.UUID | str) -> Job:
        """Cancel a job: a waiting one at once; a running one is stopped by its worker.

        Raises :class:`JobStateError` when the job has already finished.
        """
        storage = await self._storage()
        job = await storage.cancel_job(_as_uuid(job_id))
        if job is None:
            current = await self.get_job(job_id)
            raise JobStateError(
                f"job {job_id} has already finished ({current.status})", current.status
            )
        return job

    async def retry(self, job_id: uuid.UUID | str) -> Job:
        """Send a failed or cancelled job back to the queue with a fresh set of attempts."""
        storage = await self._storage()
        job = await storage.retry_job(_as_uuid(job_id))
        if job is None:
            current = await self.get_job(job_id)
            raise JobStateError(
                f"only failed or cancelled jobs can be retried; job {job_id} is {current.status}",
                current.status,
            )
        return job

    async def delete(self, job_id: uuid.UUID | str) -> None:
        """Delete a job that is not running."""
        storage = await self._storage()
        if await storage.delete_job(_as_uuid(job_id)) is None:
            current = await self.get_job(job_id)
            raise JobStateError(f"job {job_id} is running: cancel it first", current.status)

    async def purge(
        self,
        *,
        statuses: Iterable[JobStatus | str] = (JobStatus.SUCCEEDED,),
        queue: str | None = None,
        task: str | None = None,
    ) -> int:
        """Delete finished jobs by filter (unfinished ones are never touched)."""
        wanted = [JobStatus(s).value for s in statuses]
        storage = await self._storage()
        return await storage.purge_jobs(wanted, queue, task)

    async def replay_failed(
        self,
        *,
        queue: str | None = None,
        task: str | None = None,
        limit: int = 1000,
        error: str | None = None,
    ) -> int:
        """Send dead-lettered jobs back to the queue (history kept); returns how many.
        ``error``: only those whose last error's first line is this one."""
        storage = await self._storage()
        return await storage.replay_failed(queue, task, limit, error)

    async def counts(self) -> dict[str, dict[str, int]]:
        """Jobs per queue and status: ``{"default": {"queued": 3, ...}}``, read from
        counters kept as jobs move (not counted over the jobs table)."""
        storage = await self._storage()
        counts = await storage.queue_counts()
        return {
            queue: {status.value: by_status.get(status.value, 0) for status in JobStatus}
            for queue, by_status in counts.items()
        }

    async def pause_queue(self, name: str) -> None:
        """Stop workers claiming from ``name``; running jobs go on."""
        await (await self._storage()).set_queue_paused(name, True)

    async def resume_queue(self, name: str) -> None:
        """Let workers claim from ``name`` again."""
        await (await self._storage()).set_queue_paused(name, False)


def _as_uuid(value: uuid.UUID | str) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(value)
    except (ValueError, TypeError, AttributeError):
        raise JobNotFoundError(f"{value!r} is not a job id") from None
