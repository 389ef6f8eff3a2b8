"""A worker's statements about the jobs it holds: claim, hand-off, leases and outcomes.

Each takes an ``executor``: None runs it on the pool, a connection runs it there (the
heartbeat passes its own, in its own thread). Writes of outcomes are fenced by the lease
token: each returns the jobs that landed, and a job missing from the answer was taken
away meanwhile.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import asyncpg

from equeue.errors import DatabaseValueError
from equeue.storage.limits import LimitStatements
from equeue.storage.rows import Claimed, Failure, Handoff, Offer, Renewed
from equeue.storage.seam import Ack, Connection, Executor, Lease


class ClaimStatements(LimitStatements):
    """Claiming jobs, renewing their leases and recording how they ended."""

    async def claim(
        self,
        worker_id: str,
        queues: list[str] | None,
        limit: int,
        lease_seconds: float,
        offer: Offer | None = None,
        skip_tasks: list[str] | None = None,
        *,
        executor: Executor | None = None,
    ) -> list[Claimed]:
        """Claim up to ``limit`` jobs; with ``offer``, also keep the worker's hand-off offer
        (see the statement): a job handed over through it and not yet started comes back
        among the claimed ones, and the offer is open afterwards if slots were left over.
        Jobs of the tasks in ``skip_tasks`` are left for later or for other workers.

        When any of ``queues`` has limits, their jobs are claimed too, within the limits
        (:meth:`claim_limited`)."""
        offer = offer or Offer()
        limited = executor is None and await self.limited_among(queues)
        claimed: list[Claimed] = []
        if limited and limit > 1:
            # First, and short of one slot: a busy unlimited queue must not starve the
            # limited ones (their limits bound what they take), and the statement below,
            # which keeps the hand-off offer, always runs with a slot to decide it on.
            claimed = await self.claim_limited(
                worker_id, queues, limit - 1, lease_seconds, skip_tasks
            )
        elif not limited:
            self.limited.waits.pop(worker_id, None)
        arguments = (
            queues,
            limit - len(claimed),
            worker_id,
            lease_seconds,
            offer.listener_pid,
            offer.may_be_open,
            offer.seen,
            offer.next_generation,
            offer.seconds,
            skip_tasks,
        )
        if executor is None and self.pooled:
            # The pool's connections carry no planner setting through a transaction
            # pooler (see storage.pool): the claim sets its own, for its transaction.
            async with self.pool.acquire() as conn, conn.transaction():
                await conn.execute(self.q["claim_planner_settings"])
                rows = await conn.fetch(self.q["claim_jobs"], *arguments)
        else:
            rows = await self._on(executor).fetch(self.q["claim_jobs"], *arguments)
        room_left = len(claimed) == limit - 1  # the limited queues may have had more
        claimed += [Claimed.from_row(row) for row in rows]
        if limited and len(claimed) < limit and (limit == 1 or room_left):
            claimed += await self.claim_limited(
                worker_id, queues, limit - len(claimed), lease_seconds, skip_tasks
            )
        return claimed

    async def read_handed(
        self, worker_id: str, handoff: Handoff, *, executor: Executor | None = None
    ) -> Claimed | None:
        """The job a hand-off notification names, if it was indeed handed to ``worker_id``
        through that opening of its offer; None for any other (a forged one)."""
        row = await self._on(executor).fetchrow(
            self.q["read_handed_job"], worker_id, handoff.generation, handoff.job_id
        )
        return Claimed.from_row(row) if row is not None else None

    async def cancel_is_requested(
        self, job_id: uuid.UUID, token: uuid.UUID, *, executor: Executor | None = None
    ) -> bool:
        """Whether the running job held under ``token`` is asked to stop."""
        return bool(await self._on(executor).fetchval(self.q["cancel_is_requested"], job_id, token))

    async def withdraw_offer(
        self, worker_id: str, seen: uuid.UUID | None, *, executor: Executor | None = None
    ) -> list[Lease]:
        """Remove a worker's offer; returns the job (id, lease token) handed over through it
        that the worker has not started (it has only ``seen``), if any."""
        rows = await self._on(executor).fetch(self.q["withdraw_offer"], worker_id, seen)
        return [(row["id"], row["lease_token"]) for row in rows]

    async def renew_leases(
        self,
        worker_id: str,
        held: Sequence[Lease],
        lease_seconds: float,
        *,
        executor: Executor | None = None,
    ) -> list[Renewed]:
        """Extend the leases ``worker_id`` still holds of ``held`` (and of a job handed to
        it and not yet read); a job missing from the answer was taken away."""
        ids = [job_id for job_id, _ in held]
        tokens = [token for _, token in held]
        rows = await self._on(executor).fetch(
            self.q["renew_leases"], ids, tokens, lease_seconds, worker_id
        )
        return [Renewed.from_row(row) for row in rows]

    async def complete(
        self, done: Sequence[Ack], *, executor: Executor | None = None
    ) -> set[uuid.UUID]:
        """Record successes (id, lease token, JSON result); returns the ids that landed.

        Raises :class:`DatabaseValueError` when PostgreSQL refuses a result (nothing of the
        batch is written then).
        """
        ids, tokens, results = zip(*done, strict=True)
        try:
            rows = await self._on(executor).fetch(self.q["complete_jobs"], ids, tokens, results)
        except asyncpg.DataError as exc:
            raise DatabaseValueError(str(exc), exc.sqlstate) from exc
        return {row["id"] for row in rows}

    async def fail(
        self, failures: Sequence[Failure], *, executor: Executor | None = None
    ) -> dict[uuid.UUID, str]:
        """Record failed attempts; returns the new status of each job that landed.

        Raises :class:`DatabaseValueError` when PostgreSQL refuses a value of the batch.
        """
        try:
            rows = await self._on(executor).fetch(
                self.q["fail_jobs"],
                [f.id for f in failures],
                [f.token for f in failures],
                [f.error for f in failures],
                [f.delay for f in failures],
                [f.outcome for f in failures],
                [f.detail for f in failures],
            )
        except asyncpg.DataError as exc:
            raise DatabaseValueError(str(exc), exc.sqlstate) from exc
        return {row["id"]: row["status"] for row in rows}

    async def mark_cancelled(
        self, held: Sequence[Lease], *, executor: Executor | None = None
    ) -> set[uuid.UUID]:
        """Record jobs (id, lease token) stopped on request; returns the ids that landed."""
        if not held:
            return set()
        ids, tokens = zip(*held, strict=True)
        rows = await self._on(executor).fetch(self.q["cancel_running_jobs"], ids, tokens)
        return {row["id"] for row in rows}

    async def release(
        self, held: Sequence[Lease], *, executor: Executor | None = None
    ) -> set[uuid.UUID]:
        """Give back jobs (id, lease token) a stopping worker did not finish; returns the
        ids that landed."""
        if not held:
            return set()
        ids, tokens = zip(*held, strict=True)
        rows = await self._on(executor).fetch(self.q["release_jobs"], ids, tokens)
        return {row["id"] for row in rows}

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        """A pooled connection in a transaction, for a task that completes its job in it
        (:meth:`~equeue.context.JobContext.transaction`): the task's own statements and
        the job's fenced completion (``complete`` with this connection) commit together."""
        async with self.pool.acquire() as connection, connection.transaction():
            yield connection
