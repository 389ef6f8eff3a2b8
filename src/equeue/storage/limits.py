"""Fleet-wide limits of queues: setting and reading them, and claiming the jobs of the
queues that have some (``queries/limits.sql``, migration 0014).

The ordinary claim statement leaves a limited queue's jobs alone; they are claimed here,
in a transaction that first locks the queue's row: claims of one limited queue run one
at a time, each seeing what the one before it started. A fleet without limits never
comes here: the claim asks whether any of its queues is limited from a list read at most
every :data:`LIMITED_TTL` seconds (a new limit holds at once all the same, since the
ordinary claim reads the flag from the table).
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import asyncpg

from equeue.limits import QueueLimits
from equeue.storage.rows import Claimed
from equeue.storage.seam import Statements

#: Seconds the list of limited queues is trusted before it is read again.
LIMITED_TTL = 0.5
#: Shortest wait for a token a worker is told: it never spins on a fast rate.
MIN_TOKEN_WAIT = 0.005


class LimitedQueues:
    """The names of the limited queues, as last read, and when."""

    def __init__(self) -> None:
        self.names: frozenset[str] = frozenset()
        self.read_at = -LIMITED_TTL
        #: Seconds until a rate-limited queue has a token again, by worker (last claim).
        self.token_waits: dict[str, float | None] = {}


class LimitStatements(Statements):
    """Queue limits, and the claim of limited queues' jobs."""

    limited: LimitedQueues

    async def set_queue_limits(self, name: str, limits: QueueLimits) -> QueueLimits:
        """Set the limits of queue ``name`` to exactly ``limits``; returns them."""
        row = await self.pool.fetchrow(
            self.q["set_queue_limits"],
            name,
            limits.concurrency,
            limits.rate,
            limits.burst,
            limits.group_concurrency,
        )
        assert row is not None  # an upsert always returns its row
        self.limited.read_at = -LIMITED_TTL  # this process sees it at its next claim
        return _limits(row)

    async def queue_limits(self) -> dict[str, QueueLimits]:
        """Every limited queue's limits, by name."""
        return {r["name"]: _limits(r) for r in await self.pool.fetch(self.q["list_queue_limits"])}

    async def limited_among(self, queues: Sequence[str] | None) -> bool:
        """Whether any queue of ``queues`` (any queue: None) is limited, as read at most
        :data:`LIMITED_TTL` seconds ago."""
        cache = self.limited
        now = time.monotonic()
        if now - cache.read_at >= LIMITED_TTL:
            rows = await self.pool.fetch(self.q["limited_queue_names"])
            cache.names, cache.read_at = frozenset(r["name"] for r in rows), now
        if queues is None:
            return bool(cache.names)
        return not cache.names.isdisjoint(queues)

    async def claim_limited(
        self,
        worker_id: str,
        queues: list[str] | None,
        limit: int,
        lease_seconds: float,
        skip_tasks: list[str] | None = None,
    ) -> list[Claimed]:
        """Claim up to ``limit`` jobs of the limited queues among ``queues`` (all: None),
        within their limits. Afterwards :meth:`token_wait` tells how soon a rate-limited
        queue among them has a token again."""
        async with self.pool.acquire() as conn, conn.transaction():
            buckets = await conn.fetch(self.q["lock_queue_limits"], queues)
            names = [b["name"] for b in buckets]
            rows = []
            if names:
                rows = await conn.fetch(
                    self.q["claim_limited_jobs"],
                    names,
                    limit,
                    worker_id,
                    lease_seconds,
                    skip_tasks,
                )
        claimed = [Claimed.from_row(row) for row in rows]
        self.limited.token_waits[worker_id] = _token_wait(buckets, claimed)
        return claimed

    def token_wait(self, worker_id: str) -> float | None:
        """Seconds until a rate-limited queue that ``worker_id`` claimed from last had no
        token left gets one again; None when no rate held its last claim back."""
        return self.limited.token_waits.get(worker_id)


def _token_wait(buckets: Sequence[asyncpg.Record], claimed: Sequence[Claimed]) -> float | None:
    """When the next token comes in the first of the buckets the claim left empty."""
    waits = []
    for bucket in buckets:
        rate = bucket["rate"]
        if rate is None:
            continue
        tokens = min(bucket["capacity"], bucket["tokens"] + rate * bucket["since"])
        left = tokens - sum(1 for job in claimed if job.queue == bucket["name"])
        if left < 1:
            waits.append(max(MIN_TOKEN_WAIT, (1 - left) / rate))
    return min(waits, default=None)


def _limits(row: asyncpg.Record) -> QueueLimits:
    return QueueLimits(
        concurrency=row["max_running"],
        rate=row["rate"],
        burst=row["burst"],
        group_concurrency=row["group_concurrency"],
    )
