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

import math
import time
from collections.abc import Sequence

import asyncpg

from equeue.limits import QueueLimits
from equeue.storage.rows import Claimed
from equeue.storage.seam import Statements

#: Seconds the list of limited queues is trusted before it is read again.
LIMITED_TTL = 0.5
#: Most claim statements of one limited claim (see :meth:`LimitStatements.claim_limited`).
CLAIM_ROUNDS = 8
#: Shortest wait for a token a worker is told: it never spins on a fast rate.
MIN_TOKEN_WAIT = 0.005


class LimitedQueues:
    """The names of the limited queues, as last read, and when."""

    def __init__(self) -> None:
        self.names: frozenset[str] = frozenset()
        self.read_at = -LIMITED_TTL
        #: By worker whose last claim reached limited queues: seconds until a token comes
        #: again for one its rate held back (inf: no rate held it back).
        self.waits: dict[str, float] = {}


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
        within their limits. Afterwards :meth:`limit_wait` tells how soon a rate-limited
        queue among them has a token again."""
        claimed: list[Claimed] = []
        async with self.pool.acquire() as conn, conn.transaction():
            buckets = await conn.fetch(self.q["lock_queue_limits"], queues)
            names = [b["name"] for b in buckets]
            # A round passes over the groups full when it began; one that fills a group
            # stops its scan short of the next groups' jobs. The next round, a statement
            # of its own, sees the jobs this transaction claimed and passes over that
            # group too: each round reaches further, until nothing more can be had.
            for _ in range(CLAIM_ROUNDS):
                if not names or len(claimed) >= limit:
                    break
                rows = await conn.fetch(
                    self.q["claim_limited_jobs"],
                    names,
                    limit - len(claimed),
                    worker_id,
                    lease_seconds,
                    skip_tasks,
                )
                if not rows:
                    break
                claimed += [Claimed.from_row(row) for row in rows]
        self.limited.waits[worker_id] = _token_wait(buckets, claimed)
        return claimed

    def limit_wait(self, worker_id: str) -> float | None:
        """None when the last claim of ``worker_id`` reached no limited queue; else the
        seconds until a queue whose rate held it back has a token again (inf: none did,
        though a job ending may make room)."""
        return self.limited.waits.get(worker_id)


def _token_wait(buckets: Sequence[asyncpg.Record], claimed: Sequence[Claimed]) -> float:
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
    return min(waits, default=math.inf)


def _limits(row: asyncpg.Record) -> QueueLimits:
    return QueueLimits(
        concurrency=row["max_running"],
        rate=row["rate"],
        burst=row["burst"],
        group_concurrency=row["group_concurrency"],
    )
