"""Plain values the administration façade hands out (see :mod:`equeue.admin`).

Storage builds them from rows; the API, the dashboard and the command line read them.
They live here, below both, so that neither side has to import the other.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class StoredKey:
    """An API key as stored: never the key itself, only its hash."""

    id: str
    scopes: frozenset[str]
    secret_hash: bytes
    expires_at: datetime | None = None  #: None: it never expires


@dataclass(frozen=True, slots=True)
class KeyInfo:
    """An API key as listed."""

    id: str
    name: str | None
    scopes: list[str]
    created_at: datetime
    revoked_at: datetime | None
    expires_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class QueueStats:
    """One queue's state for ``GET /v1/queues``."""

    name: str
    paused: bool
    counts: dict[str, int]
    oldest_queued_age: float | None
    succeeded_recent: int
    failed_recent: int


@dataclass(frozen=True, slots=True)
class StatCell:
    """One fleet-wide counter or (non-cumulative) histogram bucket."""

    queue: str
    task: str
    metric: str
    le: float
    n: int
    total: float


@dataclass(frozen=True, slots=True)
class LeasedJob:
    """A job claimed by a worker over HTTP: what it needs to run it and to report back."""

    id: uuid.UUID
    task: str
    queue: str
    payload: Any
    priority: int
    attempt: int
    max_attempts: int
    timeout: float | None
    lease_token: uuid.UUID


@dataclass(frozen=True, slots=True)
class StepCell:
    """One counter or (non-cumulative) histogram bucket of one time step, fleet-wide."""

    at: datetime
    metric: str
    le: float
    n: int


@dataclass(frozen=True, slots=True)
class DeadLetterGroup:
    """Failed jobs of one task whose last errors start with the same line."""

    task: str
    error: str
    count: int
    queues: list[str]
    first_failed_at: datetime | None
    last_failed_at: datetime | None
    sample_job_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class BulkResult:
    """What an action on many jobs did: the ids it was done to, and why it was not done
    to the others (id, reason), each in the order asked."""

    done: list[uuid.UUID]
    skipped: list[tuple[uuid.UUID, str]]
