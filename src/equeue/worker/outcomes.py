"""Outcomes of jobs: buffered as tasks end, written in batches by the flusher.

A busy worker acknowledges hundreds of jobs per round trip: every success, failure and
cancel that ended since the last write goes out in one statement per kind. A job holds
its slot (and its lease is renewed) until its outcome is written. A write that fails
keeps its outcomes for the next try; a write refused for a job's lease (it was taken
away meanwhile) is logged and let go.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import traceback
import uuid

from equeue.errors import DatabaseValueError, JobTimeoutError
from equeue.retry import DEFAULT_BACKOFF
from equeue.storage import Failure, Lease, WorkerStorage
from equeue.storage.seam import Ack
from equeue.task import TaskRegistry
from equeue.worker.held import Held, HeldJobs
from equeue.worker.stats import JobStats

log = logging.getLogger("equeue.worker")

#: Seconds between tries of a write that failed.
RETRY_PAUSE = 0.5
#: Seconds a stopping worker gives the flusher to write what is left.
CLOSE_TIMEOUT = 10.0


class Outcomes:
    """The buffer of outcomes not yet written, and the flusher that writes them."""

    def __init__(
        self, storage: WorkerStorage, held: HeldJobs, tasks: TaskRegistry, stats: JobStats
    ) -> None:
        self._storage = storage
        self._held = held
        self._tasks = tasks
        self._stats = stats
        self.acks: list[Ack] = []
        self.failures: list[Failure] = []
        self.cancels: list[Lease] = []  #: stopped on request
        self._needed = asyncio.Event()
        self._closing = False

    @property
    def pending(self) -> bool:
        """Whether outcomes wait to be written."""
        return bool(self.acks or self.failures or self.cancels)

    # --- recording ---------------------------------------------------------------------

    def succeeded(self, held: Held, result_json: str) -> None:
        job = held.claimed
        held.duration = time.monotonic() - held.started
        self.acks.append((job.id, job.lease_token, result_json))
        self._needed.set()
        log_outcome(held, "succeeded")

    def failed(self, held: Held, exc: BaseException) -> None:
        """An attempt that raised ``exc``: retried after the task's backoff, if it may."""
        job = held.claimed
        held.duration = time.monotonic() - held.started
        task = self._tasks.get(job.task)
        backoff = task.retry if task else DEFAULT_BACKOFF
        error = _text(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
        self.failures.append(
            Failure(
                id=job.id,
                token=job.lease_token,
                error=error[:2000],
                detail=_text("".join(traceback.format_exception(exc)))[:20000],
                delay=backoff.delay(job.attempts),
                outcome="timeout" if isinstance(exc, JobTimeoutError) else "failed",
            )
        )
        self._needed.set()
        log_outcome(held, "failed", error=error)

    def committed(self, held: Held, late: BaseException | None = None) -> None:
        """A job its task completed in its own transaction: its success is written, so
        nothing is sent; ``late`` is what the task raised after the commit, if anything
        (logged: the job stays succeeded)."""
        held.duration = time.monotonic() - held.started
        job = held.claimed
        if late is not None:
            log.warning(
                "job %s raised after its transaction committed it (%s); it stays succeeded",
                job.id,
                type(late).__name__,
                extra={"job_id": str(job.id)},
            )
        self._count(job.id, "succeeded")
        self._held.forget(job.id)
        log_outcome(held, "succeeded (in its transaction)")

    def cancelled(self, held: Held) -> None:
        """A job stopped on request. The flusher retries until it lands: the job stays
        held (its lease renewed) only until then, and never ends anywhere but cancelled."""
        held.duration = time.monotonic() - held.started
        self.cancels.append(held.lease)
        self._needed.set()
        log_outcome(held, "cancelled")

    # --- the flusher ---------------------------------------------------------------------

    async def run(self) -> None:
        """Write outcomes as they come, until :meth:`close` and nothing is left."""
        while not (self._closing and not self.pending):
            await self._needed.wait()
            self._needed.clear()
            try:
                await self.flush()
            except Exception as exc:  # keep the outcomes and try again
                log.warning("writing job outcomes failed (%s); retrying", exc)
                await asyncio.sleep(RETRY_PAUSE)
                self._needed.set()

    async def close(self, flusher: asyncio.Task[None] | None) -> None:
        """Let the flusher write what is left, then stop it (never mid-statement:
        an outcome written but put back as unwritten would be sent twice)."""
        if flusher is None:
            return
        self._closing = True
        self._needed.set()
        done, _ = await asyncio.wait([flusher], timeout=CLOSE_TIMEOUT)
        if not done:
            log.error("could not write the last job outcomes; their leases will expire")
            flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await flusher

    async def flush(self) -> None:
        """Write every buffered outcome: one statement per kind."""
        acks, self.acks = self.acks, []
        failures, self.failures = self.failures, []
        cancels, self.cancels = self.cancels, []
        try:
            if acks:
                await self._write_acks(acks)
                acks = []
            if failures:
                await self._write_failures(failures)
                failures = []
            if cancels:
                await self._write_cancels(cancels)
        except BaseException:
            # What failed was not written (one statement is atomic): keep the rest for
            # the retry.
            self.acks[:0] = acks
            self.failures[:0] = failures
            self.cancels[:0] = cancels
            raise

    async def _write_acks(self, acks: list[Ack]) -> None:
        try:
            landed = await self._storage.complete(acks)
        except DatabaseValueError:
            # A value PostgreSQL refuses would fail the whole batch forever: find it by
            # writing one at a time, and fail those jobs instead.
            landed = set()
            for ack in acks:
                try:
                    landed |= await self._storage.complete([ack])
                except DatabaseValueError as exc:
                    held = self._held.get(ack[0])
                    if held is not None:
                        error = ValueError(f"the task's result could not be stored: {exc}")
                        self.failed(held, error)
        failing = {f.id for f in self.failures}  # unstorable results, failed instead
        self._report_fenced([a[0] for a in acks if a[0] not in failing], landed)
        for job_id in landed:
            self._count(job_id, "succeeded")
            self._held.forget(job_id)
        for job_id, _, _ in acks:
            if job_id not in landed and job_id not in failing:
                self._held.forget(job_id)

    async def _write_failures(self, failures: list[Failure]) -> None:
        try:
            statuses = await self._storage.fail(failures)
        except DatabaseValueError as exc:
            # Not expected (errors are sanitised); never retry it forever. Letting go of
            # the jobs lets their leases expire, and the rescuer retries them.
            log.error(
                "could not record %d failed attempts (%s); their leases will expire",
                len(failures),
                exc,
            )
            statuses = {}
        else:
            self._report_fenced([f.id for f in failures], set(statuses))
        for failure in failures:
            if failure.id in statuses:
                self._count(failure.id, statuses[failure.id])
            self._held.forget(failure.id)

    async def _write_cancels(self, cancels: list[Lease]) -> None:
        landed = await self._storage.mark_cancelled(cancels)
        self._report_fenced([job_id for job_id, _ in cancels], landed)
        for job_id, _ in cancels:
            if job_id in landed:
                self._count(job_id, "cancelled")
            self._held.forget(job_id)

    def _report_fenced(self, ids: list[uuid.UUID], landed: set[uuid.UUID]) -> None:
        """Log and count the outcomes the fence refused: their lease was lost meanwhile
        (the job was rescued, and maybe run again elsewhere), so they changed nothing."""
        for job_id in ids:
            if job_id in landed:
                continue
            log.warning(
                "outcome of job %s refused: its lease was lost meanwhile",
                job_id,
                extra={"job_id": str(job_id)},
            )
            held = self._held.get(job_id)
            if held is not None:
                self._stats.count_refused(held.claimed.queue, held.claimed.task)

    def _count(self, job_id: uuid.UUID, status: str) -> None:
        held = self._held.get(job_id)
        if held is not None:
            job = held.claimed
            self._stats.count(job.queue, job.task, status)
            self._stats.observe(job.queue, job.task, "run_seconds", held.duration)


def log_outcome(held: Held, outcome: str, error: str | None = None) -> None:
    """One line per attempt that ends, with the job's fields for structured logs."""
    if not log.isEnabledFor(logging.INFO):
        return
    job = held.claimed
    duration = time.monotonic() - held.started
    log.info(
        "job %s %s %s (attempt %d/%d, %.3fs)%s",
        job.id,
        job.task,
        outcome,
        job.attempts,
        job.max_attempts,
        duration,
        f": {error}" if error else "",
        extra={
            "job_id": str(job.id),
            "task": job.task,
            "queue": job.queue,
            "attempt": job.attempts,
            "outcome": outcome,
            "duration": duration,
        },
    )


def _text(value: str) -> str:
    """Text PostgreSQL can store: it refuses the NUL character."""
    return value.replace("\x00", "\\x00")
