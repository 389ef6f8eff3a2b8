"""The storage layer: every statement equeue sends to PostgreSQL goes through here.

The SQL itself lives in ``queries/*.sql``; the modules here run it with asyncpg and turn
rows into values by column name. Nothing above this layer writes SQL. By concern:

- :mod:`~equeue.storage.jobs`: writing jobs, reading and managing them;
- :mod:`~equeue.storage.idempotency`: enqueues under an idempotency key;
- :mod:`~equeue.storage.claims`: a worker's claims, leases and outcomes;
- :mod:`~equeue.storage.limits`: queues' fleet-wide limits, and claims within them;
- :mod:`~equeue.storage.reads`: counts by queue and status, pages of jobs;
- :mod:`~equeue.storage.workers`: worker and task rows, job statistics;
- :mod:`~equeue.storage.maintenance`: the maintenance duties;
- :mod:`~equeue.storage.audit`: the audit trail of operator actions;
- :mod:`~equeue.storage.schedules`: periodic jobs' schedules and ticks;
- :mod:`~equeue.storage.progress`: progress reports, and reads for waiters;
- :mod:`~equeue.storage.chains`: the links of chains and chords;
- :mod:`~equeue.storage.seam`: what statements run on, and what the worker asks of storage;
- :mod:`~equeue.storage.rows`: the values built from rows.
"""

from __future__ import annotations

import asyncpg

from equeue.storage.audit import AuditStatements
from equeue.storage.chains import ChainStatements
from equeue.storage.claims import ClaimStatements
from equeue.storage.combining import SingleEnqueues
from equeue.storage.errors import translated
from equeue.storage.idempotency import IdempotencyStatements
from equeue.storage.jobs import COPY_FROM, SETTLE_ROUNDS, JobStatements
from equeue.storage.limits import LimitedQueues
from equeue.storage.maintenance import MaintenanceStatements
from equeue.storage.progress import ProgressStatements
from equeue.storage.reads import JobFilter, ReadStatements
from equeue.storage.rows import Claimed, Failure, Handoff, Offer, Renewed, job_from_row
from equeue.storage.schedules import ScheduleStatements, TickRound
from equeue.storage.seam import (
    Connection,
    Executor,
    Lease,
    WorkerStorage,
)
from equeue.storage.sql import Queries, channel_name
from equeue.storage.workers import WorkerStatements

__all__ = [
    "COPY_FROM",
    "SETTLE_ROUNDS",
    "Claimed",
    "Connection",
    "Executor",
    "Failure",
    "Handoff",
    "JobFilter",
    "Lease",
    "Offer",
    "Renewed",
    "Storage",
    "TickRound",
    "WorkerStorage",
    "job_from_row",
]


@translated
class Storage(
    IdempotencyStatements,  # before JobStatements, which it builds on
    JobStatements,
    ReadStatements,
    ClaimStatements,
    WorkerStatements,
    MaintenanceStatements,
    AuditStatements,
    ScheduleStatements,
    ProgressStatements,
    ChainStatements,
):
    """Runs the named queries of one schema over an asyncpg pool."""

    def __init__(self, pool: asyncpg.Pool, schema: str, *, pooled: bool = False) -> None:
        self.pool = pool
        self.schema = schema
        #: The pool goes through a pooler in transaction mode (see storage.pool).
        self.pooled = pooled
        self.q = Queries(schema)
        self.channel = channel_name(schema)
        self.single_enqueues = SingleEnqueues(self._insert_alone, self._insert_together)
        self.limited = LimitedQueues()
