"""What a running task can know about its own job, and how it can commit its own work
together with the job's success."""

from __future__ import annotations

import contextvars
import uuid
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from equeue.storage import Connection


class ProgressSink(Protocol):
    """Where a job's progress reports go (the worker's throttled, fenced writer)."""

    def report(self, fraction: float, message: str | None = None) -> None: ...


class JobTransactions(Protocol):
    """How the worker opens a job's transaction (see :meth:`JobContext.transaction`)."""

    def transaction(self, result: Any) -> AbstractAsyncContextManager[Connection]: ...


@dataclass(frozen=True, slots=True)
class JobContext:
    """The job a task is running for, as the worker claimed it."""

    id: uuid.UUID
    task: str
    queue: str
    attempt: int  #: 1 on the first run, counted at claim
    max_attempts: int
    transactions: JobTransactions | None = field(default=None, repr=False, compare=False)
    progress: ProgressSink | None = field(default=None, repr=False, compare=False)

    @property
    def is_last_attempt(self) -> bool:
        return self.attempt >= self.max_attempts

    def transaction(self, result: Any = None) -> AbstractAsyncContextManager[Connection]:
        """A connection in a transaction whose commit also marks this job succeeded,
        with ``result``: the task's writes and the job's success land together or not at
        all::

            async with current_job().transaction(result={"order": order_id}) as conn:
                await conn.execute("INSERT INTO orders ...", ...)

        At the end of the block, inside the same transaction, the job is marked
        ``succeeded`` if the worker still holds its lease (the lease token fences it, as
        it fences every outcome); then the transaction commits. When the lease was lost,
        :class:`~equeue.errors.LeaseLostError` is raised before the commit, and nothing
        of the block is written. An exception inside the block rolls both back and fails
        the attempt as usual: the job is retried by its policy.

        Once the block has committed the job is done: the worker writes no outcome for
        it, whatever the task does or returns afterwards. For async tasks only; the
        connection comes from the queue's pool, so a worker whose tasks hold
        transactions wants a ``pool_max_size`` to match.
        """
        if self.transactions is None:
            raise RuntimeError("job.transaction() is only available in a task a worker runs")
        return self.transactions.transaction(result)


_current: contextvars.ContextVar[JobContext] = contextvars.ContextVar("equeue_job")


def current_job() -> JobContext:
    """The job the calling task runs for. Raises LookupError outside a task run."""
    try:
        return _current.get()
    except LookupError:
        raise LookupError("current_job() is only available inside a running task") from None


def progress(fraction: float, message: str | None = None) -> None:
    """Report how far the running task has got: ``fraction`` from 0 to 1, and an optional
    ``message`` (at most 500 characters)::

        for i, image in enumerate(images):
            resize(image)
            progress((i + 1) / len(images), f"resized {i + 1}/{len(images)}")

    Call it as often as you like, from an async task or from a plain one (in its thread):
    the worker keeps the latest value and writes at most one every half second, and the
    last one before the job's outcome. The value is kept on the job (``job.progress``,
    ``GET /v1/jobs/{id}``) and sent to events clients. A worker that lost the job's lease
    writes nothing more. Raises ValueError for a value out of range, LookupError outside
    a running task.
    """
    sink = current_job().progress
    if sink is None:
        raise LookupError("progress() is only available in a task a worker runs")
    sink.report(fraction, message)


def set_current_job(context: JobContext) -> None:
    """Set by the worker in the task's own context, before the task starts."""
    _current.set(context)
