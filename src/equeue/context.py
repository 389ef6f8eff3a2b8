"""What a running task can know about its own job."""

from __future__ import annotations

import contextvars
import uuid
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class JobContext:
    """The job a task is running for, as the worker claimed it."""

    id: uuid.UUID
    task: str
    queue: str
    attempt: int  #: 1 on the first run, counted at claim
    max_attempts: int

    @property
    def is_last_attempt(self) -> bool:
        return self.attempt >= self.max_attempts


_current: contextvars.ContextVar[JobContext] = contextvars.ContextVar("equeue_job")


def current_job() -> JobContext:
    """The job the calling task runs for. Raises LookupError outside a task run."""
    try:
        return _current.get()
    except LookupError:
        raise LookupError("current_job() is only available inside a running task") from None


def set_current_job(context: JobContext) -> None:
    """Set by the worker in the task's own context, before the task starts."""
    _current.set(context)
