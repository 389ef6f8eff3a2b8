"""The values storage hands out and takes in, each built from a row by column name."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from equeue.job import Attempt, Job, JobStatus, NewJob, Progress

_STATUSES = {status.value: status for status in JobStatus}  # cheaper than JobStatus(text)


@dataclass(frozen=True, slots=True)
class Claimed:
    """A job as a worker holds it: what it needs to run and to report back."""

    id: uuid.UUID
    task: str
    queue: str
    payload: str
    priority: int
    attempts: int
    max_attempts: int
    timeout: float | None
    lease_token: uuid.UUID
    waited: float  #: seconds from its run-at time to this claim

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> Claimed:
        """A row of ``claim_jobs`` or ``read_handed_job``."""
        return cls(
            id=row["id"],
            task=row["task"],
            queue=row["queue"],
            payload=row["payload"],
            priority=row["priority"],
            attempts=row["attempts"],
            max_attempts=row["max_attempts"],
            timeout=row["timeout"],
            lease_token=row["lease_token"],
            waited=row["waited"],
        )


@dataclass(frozen=True, slots=True)
class Renewed:
    """A lease the heartbeat renewed, and whether its job is asked to stop."""

    id: uuid.UUID
    cancel_requested: bool

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> Renewed:
        """A row of ``renew_leases``."""
        return cls(id=row["id"], cancel_requested=row["cancel_requested"])


@dataclass(frozen=True, slots=True)
class Handoff:
    """A hand-off notification: ``h:<generation> <job id> <worker>`` (``insert_job_handoff``).

    Only a hint: anyone may send one. The worker it names reads the job from the table
    (:meth:`Storage.read_handed`), which says whether it was handed over at all.
    """

    generation: int
    job_id: uuid.UUID
    worker: str

    @classmethod
    def parse(cls, text: str) -> Handoff | None:
        """The notification's parts; None when it is not one the database sends."""
        try:
            generation, job_id, worker = text.split(" ", 2)
            return cls(int(generation), uuid.UUID(job_id), worker)
        except ValueError:
            return None


@dataclass(frozen=True, slots=True)
class Offer:
    """A worker's hand-off offer as its claim statement should leave it.

    ``listener_pid``: the backend of the worker's LISTEN connection, or None to leave the
    offer closed; ``may_be_open``: the worker opened it and has not seen it used since;
    ``seen``: the job its last hand-off notification brought; ``next_generation``: the
    number the offer is opened again under, for ``seconds`` unless renewed.
    """

    listener_pid: int | None = None
    may_be_open: bool = False
    seen: uuid.UUID | None = None
    next_generation: int = 0
    seconds: float = 0.0


@dataclass(frozen=True, slots=True)
class Failure:
    """A failed attempt to record."""

    id: uuid.UUID
    token: uuid.UUID
    error: str  #: one line, kept as the job's last_error
    detail: str  #: the full error with its traceback, kept in the attempt history
    delay: float  #: seconds before the retry, when attempts are left
    outcome: str = "failed"  #: failed or timeout


def job_from_row(row: asyncpg.Record, *, deduplicated: bool = False) -> Job:
    """Build a :class:`Job` from a ``SELECT *`` row of the jobs table, or from a row of a
    page of jobs, whose large parts are NULL when they were not asked for (they are left
    empty: no payload, no result, no history)."""
    payload = row["payload"]
    return Job(
        id=row["id"],
        task=row["task"],
        queue=row["queue"],
        payload=json.loads(payload) if payload is not None else {},
        priority=row["priority"],
        status=JobStatus(row["status"]),
        attempts=row["attempts"],
        max_attempts=row["max_attempts"],
        timeout=row["timeout"],
        created_at=row["created_at"],
        run_at=row["run_at"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        last_error=row["last_error"],
        result=json.loads(row["result"]) if row["result"] is not None else None,
        dedupe_key=row["dedupe_key"],
        tags=list(row["tags"]),
        worker_id=row["worker_id"],
        cancel_requested=row["cancel_requested"],
        history=_load_history(row["history"]),
        deduplicated=deduplicated,
        progress=load_progress(row.get("progress")),
        group=row.get("group_key"),  # reads that list their columns may leave it out
        follow_ups=_links(row.get("follow_ups")),
        chord_id=row.get("chord_id"),
        parent_id=row.get("parent_id"),
    )


def job_from_new(new: NewJob, status: str, created_at: datetime, run_at: datetime) -> Job:
    """The job just inserted, built from what we sent plus what the database decided."""
    return Job(
        id=new.id,
        task=new.task,
        queue=new.queue,
        payload=new.payload,
        priority=new.priority,
        status=_STATUSES[status],
        attempts=0,
        max_attempts=new.max_attempts,
        timeout=new.timeout,
        created_at=created_at,
        run_at=run_at,
        started_at=None,
        finished_at=None,
        last_error=None,
        result=None,
        dedupe_key=new.dedupe_key,
        tags=new.tags,
        group=new.group,
    )


def load_progress(raw: str | None) -> Progress | None:
    """The ``progress`` column's value (see migration 0012); None when none was written."""
    if raw is None:
        return None
    value = json.loads(raw)
    return Progress(
        fraction=value["fraction"],
        message=value.get("message"),
        at=datetime.fromisoformat(value["at"]),
        attempt=value.get("attempt", 0),
    )


def _links(raw: str | None) -> dict[str, Any] | None:
    """A job's follow-ups (migration 0015), absent from pages and before the migration."""
    return json.loads(raw) if raw else None


def _load_history(raw: str | None) -> list[Attempt]:
    if not raw:
        return []
    return [
        Attempt(
            number=item.get("number", 0),
            worker=item.get("worker"),
            started_at=_parse_time(item.get("started_at")),
            finished_at=_parse_time(item.get("finished_at")),
            outcome=item.get("outcome", ""),
            error=item.get("error"),
            lease_token=uuid.UUID(item["lease_token"]) if item.get("lease_token") else None,
        )
        for item in json.loads(raw)
    ]


def _parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
