"""The exceptions equeue raises. Every one derives from :class:`EqueueError`."""

from __future__ import annotations

from typing import Any


class EqueueError(Exception):
    """Base class of every equeue error."""


class InvalidJobError(EqueueError, ValueError):
    """A job was refused at enqueue because of what it asks for; nothing was written."""


class UnknownTaskError(InvalidJobError):
    """No worker has registered this task name (see ``allow_unknown_tasks``)."""


class EnqueueConflictError(EqueueError):
    """Jobs with these dedupe keys were not written: each time the enqueue met the job
    holding a key, that job had finished before it could be read (see ``SETTLE_ROUNDS``
    in ``equeue.storage``). The message says what became of the rest of a batch;
    enqueueing the refused jobs again is safe."""

    def __init__(self, message: str, keys: list[str]) -> None:
        super().__init__(message)
        self.keys = keys


class JobNotFoundError(EqueueError, LookupError):
    """No job has this id."""


class JobStateError(EqueueError):
    """The job is not in a state that allows this action (e.g. cancel a finished job)."""

    def __init__(self, message: str, status: str | None = None) -> None:
        super().__init__(message)
        self.status = status


class TaskNotRegisteredError(EqueueError, LookupError):
    """A worker claimed a job whose task it does not know."""


class JobTimeoutError(EqueueError, TimeoutError):
    """The task ran longer than its job's timeout."""


class DatabaseError(EqueueError):
    """PostgreSQL refused a statement, or the driver could not run it.

    The driver's own exception is kept as ``__cause__``; ``sqlstate`` is the server's
    five-character error code when the server answered, else None.
    """

    def __init__(self, message: str, sqlstate: str | None = None) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


class DatabaseUnavailableError(DatabaseError, ConnectionError):
    """The database cannot be reached, or the connection to it was lost.

    A :class:`ConnectionError` too, so code that catches :class:`OSError` for an
    unreachable server keeps working.
    """


class DatabaseBusyError(DatabaseUnavailableError):
    """No pooled connection came free within the pool's wait (``pool_wait_seconds``):
    every one is in use. Nothing was sent to the database."""


class DatabaseReadOnlyError(DatabaseError):
    """PostgreSQL accepts no writes now: the database or the server is read-only (a
    standby, ``default_transaction_read_only``) or its disk is full. The statement
    failed, so nothing it would have written was written."""


class DatabaseValueError(DatabaseError, ValueError):
    """PostgreSQL refused a value (SQLSTATE class 22, e.g. a NUL character in text);
    the statement failed, so nothing it would have written was written."""


class LeaseLostError(EqueueError):
    """The worker no longer holds the job's lease (it lapsed and the job was taken back,
    or the job was deleted): what was to be written with the job's outcome was not."""


class IdempotencyKeyReusedError(InvalidJobError):
    """An enqueue named an idempotency key that an earlier request with different
    contents took; nothing was written."""

    def __init__(self, message: str, job_id: object) -> None:
        super().__init__(message)
        self.job_id = job_id  #: the job the key's first request created


class IdempotentJobGoneError(EqueueError):
    """The job an idempotency key created was deleted since; nothing was written."""


class SchemaVersionError(EqueueError):
    """The database schema is not one this code can run on: migrations it needs are not
    applied, or a newer release applied one that breaks it. The message says which, and
    what to do."""


class WaitTimeoutError(EqueueError, TimeoutError):
    """A wait for a job to finish (``queue.wait``) ran out of time. The job goes on; it
    is not cancelled. ``job`` is the job as it was when the time ran out.

    Not :class:`JobTimeoutError`, which says a task ran longer than its job's timeout."""

    def __init__(self, message: str, job: Any) -> None:  # a Job (errors imports nothing)
        super().__init__(message)
        self.job = job
