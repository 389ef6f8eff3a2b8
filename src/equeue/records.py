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


@dataclass(frozen=True, slots=True)
class PartitionInfo:
    """One partition of a partitioned table."""

    name: str
    bound: str  #: its bounds, as PostgreSQL writes them (``FOR VALUES FROM ... TO ...``)
    total_bytes: int


@dataclass(frozen=True, slots=True)
class TableInfo:
    """One table's size and vacuum state (rows as PostgreSQL's statistics estimate them)."""

    name: str
    total_bytes: int  #: table, indexes and TOAST
    index_bytes: int
    live_rows: int
    dead_rows: int
    last_vacuum: datetime | None
    last_analyze: datetime | None
    partitions: int
    partition_list: list[PartitionInfo]


@dataclass(frozen=True, slots=True)
class VacuumHorizon:
    """What keeps vacuum from removing dead rows; None where nothing holds it back."""

    session_xmin_age: int | None  #: transactions since the oldest session snapshot
    session_seconds: float | None  #: how long that session's transaction has been open
    session_pid: int | None
    session_application: str | None
    session_state: str | None
    slot_xmin_age: int | None  #: the oldest replication slot's horizon, in transactions
    prepared_xmin_age: int | None  #: the oldest prepared transaction, in transactions
    prepared_seconds: float | None


#: Warning thresholds of the table health (docs/deploy.md, "Table health"). Dead rows are
#: a problem past this share of the live ones, and past the floor (a small table churns
#: through its few rows between two vacuums and means nothing).
DEAD_ROWS_SHARE = 0.2
DEAD_ROWS_FLOOR = 10_000
#: A snapshot held this long keeps every job finished since from being vacuumed away.
HELD_SNAPSHOT_SECONDS = 300.0
#: Transactions behind: half of PostgreSQL's default autovacuum_freeze_max_age, so a
#: warning comes well before anti-wraparound vacuums do.
HELD_XMIN_AGE = 100_000_000


@dataclass(frozen=True, slots=True)
class TableHealth:
    """The schema's tables and the vacuum horizon, read at one moment."""

    tables: list[TableInfo]
    horizon: VacuumHorizon

    def warnings(self) -> list[str]:
        """What passes a warning threshold, each in one sentence."""
        found = [
            f"table {t.name}: {t.dead_rows} dead rows for {t.live_rows} live ones: "
            "vacuum is behind, or something holds it back"
            for t in self.tables
            if t.dead_rows > max(DEAD_ROWS_FLOOR, DEAD_ROWS_SHARE * t.live_rows)
        ]
        h = self.horizon
        if (h.session_seconds or 0) > HELD_SNAPSHOT_SECONDS:
            found.append(
                f"a transaction (pid {h.session_pid}, {h.session_application or 'no name'}, "
                f"{h.session_state}) has held its snapshot for {h.session_seconds:.0f} s: "
                "no row deleted or updated since can be vacuumed"
            )
        if (h.prepared_seconds or 0) > HELD_SNAPSHOT_SECONDS:
            found.append(
                f"a prepared transaction has waited {h.prepared_seconds:.0f} s for its "
                "COMMIT PREPARED: vacuum is held back meanwhile"
            )
        ages = {
            "a session's snapshot": h.session_xmin_age,
            "a replication slot": h.slot_xmin_age,
            "a prepared transaction": h.prepared_xmin_age,
        }
        found += [
            f"{holder} holds vacuum {age} transactions back"
            for holder, age in ages.items()
            if (age or 0) > HELD_XMIN_AGE
        ]
        return found
