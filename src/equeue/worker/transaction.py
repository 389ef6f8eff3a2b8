"""A job completed inside its task's own transaction (``job.transaction()``).

The task's statements and the job's fenced completion share one transaction: both
commit, or neither does. The completion comes last, just before the commit, so the job's
row is locked only for that moment (the heartbeat, which renews every lease of the
worker in one statement, never waits for a task's long transaction). If the lease was
lost meanwhile the completion finds no row, and :class:`LeaseLostError` rolls the whole
transaction back. Once it has committed, the worker writes nothing more for the job.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from equeue.errors import LeaseLostError
from equeue.job import encode_json
from equeue.storage import Connection, WorkerStorage
from equeue.storage.seam import Lease


class TaskTransaction:
    """One held job's transaction: opened by its task, at most one at a time."""

    def __init__(self, storage: WorkerStorage, lease: Lease) -> None:
        self._storage = storage
        self._lease = lease
        self._open = False
        self.committed = False  #: the job's success is written: no outcome to send

    @asynccontextmanager
    async def transaction(self, result: Any) -> AsyncIterator[Connection]:
        """See :meth:`equeue.context.JobContext.transaction`."""
        if self.committed or self._open:
            raise RuntimeError(
                "this job's transaction is already open, or committed: the job is done"
            )
        try:
            result_json = encode_json(result)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"the job's result cannot be stored as JSON: {exc}") from None
        job_id, token = self._lease
        self._open = True
        try:
            async with self._storage.transaction() as connection:
                yield connection
                if not await self._storage.complete(
                    [(job_id, token, result_json)], executor=connection
                ):
                    raise LeaseLostError(
                        f"job {job_id} lost its lease before its transaction committed: "
                        "nothing of the transaction was written"
                    )
            self.committed = True
        finally:
            self._open = False
