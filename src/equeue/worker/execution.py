"""Running one job: its task in an asyncio task of its own, with the job's timeout.

Async task functions run on the worker's event loop; plain ones in a thread (see
worker/threads.py). Whatever the task does, its job ends in exactly one outcome: a
success or a failure buffered for the flusher, a cancel when asked for one, nothing
when its lease was lost, and a release when the worker shuts down (see
worker/stopping.py).
"""

from __future__ import annotations

import asyncio
import json
from functools import partial

from equeue.context import JobContext, set_current_job
from equeue.errors import JobTimeoutError, TaskNotRegisteredError
from equeue.job import encode_json
from equeue.storage import Claimed, WorkerStorage
from equeue.task import TaskRegistry
from equeue.worker.held import CancelReason, Held, HeldJobs
from equeue.worker.outcomes import Outcomes, log_outcome
from equeue.worker.progress import ProgressReporter
from equeue.worker.stats import JobStats
from equeue.worker.threads import TaskThreads
from equeue.worker.transaction import TaskTransaction


class Execution:
    """Starts held jobs and turns how each task ended into its outcome."""

    def __init__(
        self,
        tasks: TaskRegistry,
        held: HeldJobs,
        outcomes: Outcomes,
        threads: TaskThreads,
        stats: JobStats,
        storage: WorkerStorage | None = None,
    ) -> None:
        """``storage`` opens the jobs' own transactions (``job.transaction()``); without
        it, tasks cannot open them."""
        self._tasks = tasks
        self._held = held
        self._outcomes = outcomes
        self._threads = threads
        self._stats = stats
        self._storage = storage

    def start(self, job: Claimed, now: float) -> None:
        """Hold ``job`` and run it; a job already held is left as it is."""
        held = self._held.add(job, now)
        if held is None:
            return
        self._stats.observe(job.queue, job.task, "wait_seconds", job.waited)
        if self._storage is not None:
            held.transaction = TaskTransaction(self._storage, held.lease)
        held.task = asyncio.create_task(self._run(held))

    async def _run(self, held: Held) -> None:
        try:
            await self._execute(held)
        finally:
            self._held.task_ended(held)

    async def _execute(self, held: Held) -> None:
        progress = None if self._storage is None else LazyProgress(self._storage, held)
        try:
            result_json = await self._call(held, progress)
        except asyncio.CancelledError as exc:
            if held.cancel_reason is None:
                if asyncio.current_task().cancelling():  # type: ignore[union-attr]
                    raise  # not this worker's doing: let whoever cancelled see it through
                if not self._committed(held, exc):
                    self._outcomes.failed(held, exc)  # the task raised it itself
                return
            asyncio.current_task().uncancel()  # type: ignore[union-attr]
            if not self._committed(held, exc):
                self._on_cancelled(held)
            return
        except BaseException as exc:  # every task error is recorded, SystemExit too:
            # a task must not stop the worker, and its job must not stay held.
            await _flush(progress)
            if not self._committed(held, exc):
                self._outcomes.failed(held, exc)
            return
        await _flush(progress)
        if not self._committed(held):
            self._outcomes.succeeded(held, result_json)

    def _committed(self, held: Held, exc: BaseException | None = None) -> bool:
        """Whether the task's own transaction completed the job: then nothing more is
        written for it, whatever the task did after the commit."""
        if not held.committed:
            return False
        self._outcomes.committed(held, exc)
        return True

    async def _call(self, held: Held, progress: LazyProgress | None) -> str:
        """Run the job's task within its timeout; its result as JSON."""
        job = held.claimed
        task = self._tasks.get(job.task)
        if task is None:
            raise TaskNotRegisteredError(f"this worker has no task named {job.task!r}")
        kwargs = json.loads(job.payload)
        # This asyncio task has a context of its own: the variable is the job's only.
        context = JobContext(
            job.id, job.task, job.queue, job.attempts, job.max_attempts, held.transaction, progress
        )
        set_current_job(context)
        if task.is_async:
            call = task.func(**kwargs)
        else:
            call = self._threads.run(partial(task.func, **kwargs))
        if job.timeout is None:
            result = await call
        else:
            try:
                async with asyncio.timeout(job.timeout):
                    result = await call
            except TimeoutError:
                raise JobTimeoutError(
                    f"timed out after {job.timeout:g}s (attempt {job.attempts})"
                ) from None
        try:
            return encode_json(result)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"the task's result cannot be stored as JSON: {exc}") from None

    def _on_cancelled(self, held: Held) -> None:
        if held.cancel_reason is CancelReason.REQUESTED:
            self._outcomes.cancelled(held)
        elif held.cancel_reason is CancelReason.LEASE_LOST:
            log_outcome(held, "abandoned (lease lost)")
            self._held.forget(held.claimed.id)
        # Jobs cancelled by a shutdown stay held: the drain releases them in one statement.


class LazyProgress:
    """A job's progress sink that makes its reporter at the first report: most tasks
    report none, and a job should not pay for what its task does not use (an object,
    a closure and a flush each, on a path that runs tens of thousands of times a second).
    """

    __slots__ = ("_held", "_loop", "_storage", "reporter")

    def __init__(self, storage: WorkerStorage, held: Held) -> None:
        self._storage = storage
        self._held = held
        self._loop = asyncio.get_running_loop()  # a plain task reports from its thread
        self.reporter: ProgressReporter | None = None

    def report(self, fraction: float, message: str | None = None) -> None:
        if self.reporter is None:
            self.reporter = self._reporter()
        self.reporter.report(fraction, message)

    def _reporter(self) -> ProgressReporter:
        """The job's reporter, writing through storage under its lease token."""
        storage, (job_id, token) = self._storage, self._held.lease

        async def write(fraction: float, message: str | None) -> bool:
            return await storage.write_progress(job_id, token, fraction, message)

        return ProgressReporter(job_id, write, self._loop)


async def _flush(progress: LazyProgress | None) -> None:
    """Write the last progress reported before the outcome is (see worker/progress.py)."""
    if progress is not None and progress.reporter is not None:
        await progress.reporter.flush()
