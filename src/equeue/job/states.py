"""The job model and its state machine: statuses, events and the allowed transitions.

This module is pure: it imports nothing but the standard library. Every transition
listed in :data:`TRANSITIONS` is carried out in SQL by a statement guarded by
``WHERE status = <from>`` (see ``storage/queries/jobs.sql``); this table is the single
place that says which ones exist, and the tests check the SQL against it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class JobStatus(StrEnum):
    """The public vocabulary of a job's life."""

    SCHEDULED = "scheduled"  #: waits for its run-at time
    QUEUED = "queued"  #: runnable now, waits for a worker
    RUNNING = "running"  #: claimed by a worker, under a lease
    RETRYING = "retrying"  #: an attempt failed; waits for its backoff
    SUCCEEDED = "succeeded"  #: finished well; ``result`` holds the return value
    FAILED = "failed"  #: attempts exhausted: the dead-letter set
    CANCELLED = "cancelled"  #: stopped on request


#: Statuses in which a job still waits to run (claimable once its run-at time has come).
WAITING: frozenset[JobStatus] = frozenset(
    {JobStatus.SCHEDULED, JobStatus.QUEUED, JobStatus.RETRYING}
)
#: The statuses an enqueue writes: scheduled or queued, or running when a job that may
#: run at once is handed straight to an idle worker (claimed by it in the same statement).
INITIAL: frozenset[JobStatus] = frozenset(
    {JobStatus.SCHEDULED, JobStatus.QUEUED, JobStatus.RUNNING}
)
#: Statuses a job never leaves on its own (only ``retry``/``replay`` or deletion).
FINISHED: frozenset[JobStatus] = frozenset(
    {JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED}
)
#: The parts of a job that may be large (its input, its output, its attempts): a page of
#: jobs reads them only when asked, so that listing costs the same whatever they hold.
DETAILS: frozenset[str] = frozenset({"payload", "result", "history"})


class Event(StrEnum):
    """What can happen to a job; each event names one guarded SQL statement."""

    PROMOTE = "promote"  #: run-at time reached (scheduler)
    CLAIM = "claim"  #: a worker takes it and starts a lease
    SUCCEED = "succeed"  #: the task returned
    FAIL = "fail"  #: the task raised or timed out (retry or dead-letter)
    CANCEL = "cancel"  #: a user asked to stop it
    RELEASE = "release"  #: a stopping worker gives it back unfinished
    RESCUE = "rescue"  #: its lease expired: the worker is gone
    RETRY = "retry"  #: a user sends a finished job back to the queue


S = JobStatus
#: Every allowed transition: (from status, event) -> the statuses it can lead to.
TRANSITIONS: dict[tuple[JobStatus, Event], frozenset[JobStatus]] = {
    (S.SCHEDULED, Event.PROMOTE): frozenset({S.QUEUED}),
    (S.RETRYING, Event.PROMOTE): frozenset({S.QUEUED}),
    (S.SCHEDULED, Event.CLAIM): frozenset({S.RUNNING}),
    (S.QUEUED, Event.CLAIM): frozenset({S.RUNNING}),
    (S.RETRYING, Event.CLAIM): frozenset({S.RUNNING}),
    (S.RUNNING, Event.SUCCEED): frozenset({S.SUCCEEDED}),
    (S.RUNNING, Event.FAIL): frozenset({S.RETRYING, S.FAILED}),
    (S.RUNNING, Event.RESCUE): frozenset({S.RETRYING, S.FAILED, S.CANCELLED}),
    (S.RUNNING, Event.RELEASE): frozenset({S.QUEUED}),
    (S.RUNNING, Event.CANCEL): frozenset({S.CANCELLED}),
    (S.SCHEDULED, Event.CANCEL): frozenset({S.CANCELLED}),
    (S.QUEUED, Event.CANCEL): frozenset({S.CANCELLED}),
    (S.RETRYING, Event.CANCEL): frozenset({S.CANCELLED}),
    (S.FAILED, Event.RETRY): frozenset({S.QUEUED}),
    (S.CANCELLED, Event.RETRY): frozenset({S.QUEUED}),
}
del S


def can_transition(status: JobStatus, event: Event) -> bool:
    """Whether ``event`` may happen to a job in ``status``."""
    return (status, event) in TRANSITIONS


@dataclass(frozen=True, slots=True)
class Attempt:
    """One run of a job, kept forever in the job's history."""

    number: int
    worker: str | None
    started_at: datetime | None
    finished_at: datetime | None
    outcome: str  #: succeeded, failed, timeout, cancelled, lease_expired, released
    error: str | None = None
    #: The lease token the attempt ran under (dead once the attempt ended): a report that
    #: was refused for its token finds here which attempt it belonged to and how it ended.
    lease_token: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class Progress:
    """The latest progress a job's task reported (see :func:`equeue.progress`)."""

    fraction: float  #: from 0 (nothing done) to 1 (all done)
    message: str | None
    at: datetime  #: when it was written
    #: The attempt that reported it: a value of an earlier attempt says how far that one got.
    attempt: int


@dataclass(slots=True)
class Job:
    """A job as stored: what was asked, where it is in its life, and how it went."""

    id: uuid.UUID
    task: str
    queue: str
    payload: dict[str, Any]
    priority: int
    status: JobStatus
    attempts: int
    max_attempts: int
    timeout: float | None
    created_at: datetime
    run_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    last_error: str | None
    result: Any
    dedupe_key: str | None
    tags: list[str]
    worker_id: str | None = None
    cancel_requested: bool = False
    history: list[Attempt] = field(default_factory=list)
    #: True when enqueue returned an existing unfinished job holding the same dedupe key.
    deduplicated: bool = False
    #: The latest progress its task reported (see :func:`equeue.progress`); None if none.
    progress: Progress | None = None
    #: The group a queue's group_concurrency counts it in (docs/limits.md), or None.
    group: str | None = None
    #: The jobs this one's outcome enqueues: ``{"on_success": spec, "on_failure": spec}``.
    follow_ups: dict[str, Any] | None = None
    #: The chord this job is a member of, or the callback of.
    chord_id: uuid.UUID | None = None
    #: The job whose outcome enqueued this one (a follow-up's parent).
    parent_id: uuid.UUID | None = None

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED
