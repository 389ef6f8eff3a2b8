"""The jobs a worker holds a lease on, from claim until their outcome is written.

Each held job takes a slot. Its task ends before its outcome lands (the flusher writes
outcomes in batches), so the ledger counts both: slots free up when a task ends, and a
job leaves the ledger only once its outcome is written (or given up on).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from equeue.storage import Claimed, Lease
from equeue.worker.transaction import TaskTransaction


class CancelReason(StrEnum):
    """Why a running job's asyncio task was cancelled, which decides what is written."""

    REQUESTED = "requested"  #: a cancel asked for through the API or the queue: cancelled
    LEASE_LOST = "lease_lost"  #: the job was taken away: nothing is written
    SHUTDOWN = "shutdown"  #: the worker stops: the job is released for another worker


@dataclass(slots=True)
class Held:
    """A job this worker holds a lease on, from claim until its outcome is written."""

    claimed: Claimed
    started: float
    task: asyncio.Task[None] | None = None
    cancel_reason: CancelReason | None = None
    duration: float = 0.0  #: how long the task ran, once it has ended
    ended: bool = False  #: the task has ended; its outcome may still be on its way
    transaction: TaskTransaction | None = None  #: the job's own, should its task open it

    @property
    def lease(self) -> Lease:
        return (self.claimed.id, self.claimed.lease_token)

    @property
    def committed(self) -> bool:
        """Whether the task's transaction has written the job's success already."""
        return self.transaction is not None and self.transaction.committed

    def cancel(self, reason: CancelReason) -> None:
        """Stop the task for ``reason``; the first reason given is the one that counts."""
        if self.task is not None and not self.task.done() and self.cancel_reason is None:
            self.cancel_reason = reason
            self.task.cancel()


class HeldJobs:
    """The ledger of held jobs and of the slots they take (see :meth:`free_slots`)."""

    def __init__(self, concurrency: int) -> None:
        self.concurrency = concurrency
        self.slot_freed = asyncio.Event()  #: set whenever a slot may have come free
        self.done = 0  #: jobs let go of since the worker started
        self._jobs: dict[uuid.UUID, Held] = {}
        self._ended = 0  #: held jobs whose task has ended (outcome not yet written)

    def __contains__(self, job_id: uuid.UUID) -> bool:
        return job_id in self._jobs

    def __len__(self) -> int:
        return len(self._jobs)

    def __iter__(self) -> Iterator[Held]:
        """The held jobs, as a copy: the ledger may change while the caller goes on."""
        return iter(list(self._jobs.values()))

    def get(self, job_id: uuid.UUID) -> Held | None:
        return self._jobs.get(job_id)

    def add(self, job: Claimed, now: float) -> Held | None:
        """Hold ``job``; None when it is held already (one task per job, always)."""
        if job.id in self._jobs:
            return None
        held = self._jobs[job.id] = Held(job, now)
        return held

    def free_slots(self) -> int:
        """How many more jobs may be claimed now.

        Concurrency bounds the tasks running at once. A job whose task has ended but
        whose outcome is still being written no longer counts, so the next claim
        overlaps the last batch's acknowledgement instead of waiting for it; those are
        bounded too, to another ``concurrency``, should writes fall behind.
        """
        running = len(self._jobs) - self._ended
        return min(self.concurrency - running, 2 * self.concurrency - len(self._jobs))

    def task_ended(self, held: Held) -> None:
        """``held``'s task has ended: its slot is free for a claim."""
        if not held.ended and self._jobs.get(held.claimed.id) is held:
            held.ended = True
            self._ended += 1
            self.slot_freed.set()

    def forget(self, job_id: uuid.UUID) -> None:
        """Let go of a job: its outcome is written, or it is left to its lease."""
        held = self._jobs.pop(job_id, None)
        if held is not None:
            self._ended -= held.ended
            self.done += 1
            self.slot_freed.set()

    def leases(self) -> list[Lease]:
        """(id, lease token) of every held job. Safe from another thread: the heartbeat's
        copies the ledger first, since it may change meanwhile."""
        return [held.lease for held in list(self._jobs.values())]

    def cancel_all(self, reason: CancelReason) -> None:
        for held in self:
            held.cancel(reason)

    def running_tasks(self) -> list[asyncio.Task[None]]:
        return [held.task for held in self._jobs.values() if held.task and not held.task.done()]
