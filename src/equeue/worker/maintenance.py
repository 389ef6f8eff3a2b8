"""Maintenance duties every worker process offers to run, one process at a time each.

Each run of a duty is one transaction that starts with a try-lock on an advisory lock
named after the schema and the duty: whoever gets it does the work, the others skip that
round. Transaction-scoped locks survive PgBouncer in transaction mode and free
themselves when a process dies.

Rescue, promotion, the enqueueing of periodic jobs' due ticks and the folding of counted
job changes into the counts run every ``interval``; the slower duties (retention pruning
of jobs, of idempotency keys, of the audit trail and of the schedules' past ticks,
forgetting dead workers and offers, statistics steps older than an hour and spent sign-in
codes) run in a loop of their own, so a long pruning round never delays a rescue. The
archive duty, moving finished jobs from jobs to job_history (migration 0017), has a loop
of its own too, at the pace of ``interval`` and without pause while it is behind.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from equeue.errors import DatabaseError
from equeue.storage import Storage
from equeue.worker.stats import JobStats
from equeue.worker.ticker import Ticker

log = logging.getLogger("equeue.maintenance")
#: How long the statistics per 10-second step are kept: the dashboard charts an hour.
STATS_STEPS_KEPT_SECONDS = 3660.0
_FAILURES = (OSError, DatabaseError)
#: Days of job_history partitions made ahead of today.
PARTITIONS_AHEAD = 2
#: Longest the making and dropping of job_history's partitions wait for its readers.
HISTORY_LOCK_TIMEOUT = "2s"


@dataclass(frozen=True, slots=True)
class MaintenanceSettings:
    interval: float = 1.0  #: how often rescue and promotion run
    prune_interval: float = 60.0  #: how often retention pruning runs once it has caught up
    retention_seconds: float = 7 * 86400.0  #: finished jobs older than this are deleted
    batch_size: int = 1000  #: rows per rescue or promotion statement
    #: Jobs deleted per pruning statement (one short transaction each).
    prune_batch_size: int = 5000
    #: Longest pruning round: a round deletes batch after batch until one comes back
    #: short or this time is up; then, still behind, it goes on after ``interval``.
    prune_round_seconds: float = 2.0
    dead_worker_seconds: float = 300.0  #: forget worker rows not seen for this long
    #: Finished jobs move to job_history this long after they finished: a job read or
    #: retried right after it finished is still found in the small table.
    archive_after_seconds: float = 10.0
    archive_batch_size: int = 5000  #: jobs moved per archive statement

    def __post_init__(self) -> None:
        if min(self.prune_batch_size, self.batch_size, self.archive_batch_size) < 1:
            raise ValueError("batch_size, prune_batch_size and archive_batch_size must be >= 1")
        if self.archive_after_seconds < 0:
            raise ValueError("archive_after_seconds must not be negative")
        if min(self.interval, self.prune_interval, self.prune_round_seconds) <= 0:
            raise ValueError("interval, prune_interval and prune_round_seconds must be positive")
        if self.retention_seconds < 0:
            raise ValueError("retention_seconds must not be negative")


@dataclass(frozen=True, slots=True)
class PruneRound:
    """What one pruning round did."""

    deleted: int  #: finished jobs deleted
    caught_up: bool  #: False when the round ended on its time limit with more to delete


class Maintenance:
    def __init__(
        self,
        storage: Storage,
        settings: MaintenanceSettings,
        stats: JobStats | None = None,
        ticker: Ticker | None = None,
    ) -> None:
        self._storage = storage
        self._ticker = ticker or Ticker(storage)
        self._settings = settings
        self._stats = stats
        self._last_slow = 0.0

    async def run_forever(self) -> None:
        """Run every duty at its pace until cancelled."""
        async with asyncio.TaskGroup() as loops:
            loops.create_task(self._frequent_loop())
            loops.create_task(self._slow_loop())
            loops.create_task(self._archive_loop())

    async def run_once(self) -> None:
        """One round of every duty; the slow ones only when their interval has passed."""
        await self._frequent_duties()
        await self.archive()
        if time.monotonic() - self._last_slow >= self._settings.prune_interval:
            await self._slow_duties()

    async def prune(self) -> PruneRound:
        """One pruning round: batches of expired finished jobs deleted until a batch comes
        back short, another process is pruning, or ``prune_round_seconds`` is up."""
        s = self._settings
        deadline = time.monotonic() + s.prune_round_seconds
        deleted = 0
        while True:
            rows = await self._storage.run_duty(
                "prune", "prune_finished_jobs", s.retention_seconds, s.prune_batch_size
            )
            if rows is None:  # another process holds the duty: it prunes meanwhile
                return PruneRound(deleted, caught_up=True)
            deleted += rows[0]["deleted"]
            if rows[0]["deleted"] < s.prune_batch_size:
                return PruneRound(deleted, caught_up=True)
            if time.monotonic() >= deadline:
                return PruneRound(deleted, caught_up=False)

    async def archive(self) -> int:
        """One archive round: batches of finished jobs moved to job_history until a batch
        comes back short or another process is archiving; returns how many moved.

        Partitions are made first (a cheap check when they exist), so a job lands in its
        day's partition, not in the default one."""
        s = self._settings
        try:
            await self._storage.run_duty(
                "partitions",
                "add_history_partitions",
                s.retention_seconds,
                PARTITIONS_AHEAD,
                HISTORY_LOCK_TIMEOUT,
            )
        except DatabaseError as exc:  # readers held the table: the next round tries again
            log.warning("could not make job_history's partitions now: %s", exc)
        moved = 0
        while True:
            rows = await self._storage.run_duty(
                "archive",
                "archive_finished_jobs",
                s.archive_after_seconds,
                s.retention_seconds,
                s.archive_batch_size,
            )
            if rows is None:
                return moved
            batch: int = rows[0]["archived"]
            moved += batch
            if batch < s.archive_batch_size:
                return moved

    async def drop_expired_history(self) -> int:
        """Retention of job_history: whole daily partitions past retention are dropped,
        and the rare rows of its default partition deleted; returns how many jobs went."""
        s = self._settings
        # The duty of making partitions too: one process at a time changes job_history's
        # partitions (making one scans the default partition this deletes from, and the
        # two at once deadlock), the other skips its turn.
        dropped = await self._storage.run_duty(
            "partitions", "drop_expired_history", s.retention_seconds, HISTORY_LOCK_TIMEOUT
        )
        rows = await self._storage.run_duty(
            "partitions", "prune_history_default", s.retention_seconds, s.prune_batch_size
        )
        gone: int = (dropped[0]["dropped"] if dropped else 0) + (rows[0]["deleted"] if rows else 0)
        return gone

    async def _archive_round(self) -> None:
        await self.archive()

    async def _archive_loop(self) -> None:
        while True:
            await _logged(self._archive_round)
            await asyncio.sleep(self._settings.interval)

    async def _frequent_loop(self) -> None:
        while True:
            await _logged(self._frequent_duties)
            await asyncio.sleep(self._settings.interval)

    async def _slow_loop(self) -> None:
        while True:
            caught_up = await _logged(self._slow_duties)
            # Behind on pruning, or a round cut short by a failure (None): the next round
            # comes after a short pause, not a full interval, so retention keeps up with
            # any sustained rate of finished jobs and one failed step costs no hour.
            s = self._settings
            await asyncio.sleep(s.prune_interval if caught_up else s.interval)

    async def _frequent_duties(self) -> None:
        s = self._settings
        await self._rescue()
        await self._storage.run_duty("promote", "promote_due_jobs", s.batch_size)
        await self._ticker.run_once()
        # Readers fold too, but a queue nobody reads would pile its changes up.
        await self._storage.fold_job_counts()

    async def _slow_duties(self) -> bool:
        """Prune jobs and the audit trail, then forget dead workers and offers, old
        statistics steps and spent sign-ins; returns whether pruning jobs caught up."""
        s = self._settings
        self._last_slow = time.monotonic()
        pruned = await self.prune()
        if pruned.deleted:
            log.info("pruned %d finished jobs past their retention", pruned.deleted)
        await self._prune_idempotency_keys()
        # Operators act far more rarely than jobs finish: one batch per round keeps up.
        await self._storage.run_duty(
            "audit", "prune_audit_log", s.retention_seconds, s.prune_batch_size
        )
        await self._storage.run_duty("workers", "prune_dead_workers", s.dead_worker_seconds)
        await self._storage.run_duty("offers", "prune_dead_offers")
        await self._storage.run_duty("steps", "prune_stats_steps", STATS_STEPS_KEPT_SECONDS)
        await self._storage.run_duty("sign-ins", "prune_sign_ins")
        await self._storage.run_duty(
            "ticks", "prune_schedule_ticks", s.retention_seconds, s.prune_batch_size
        )
        # Last: it may give up on its lock timeout, which ends the round.
        dropped = await self.drop_expired_history()
        if dropped:
            log.info("dropped %d archived jobs past their retention", dropped)
        return pruned.caught_up

    async def _prune_idempotency_keys(self) -> None:
        """Idempotency keys past the retention, batch after batch for at most
        ``prune_round_seconds``: keyed enqueues may come as fast as jobs finish."""
        s = self._settings
        deadline = time.monotonic() + s.prune_round_seconds
        while True:
            rows = await self._storage.run_duty(
                "keys", "prune_idempotency_keys", s.retention_seconds, s.prune_batch_size
            )
            if rows is None or rows[0]["deleted"] < s.prune_batch_size:
                return
            if time.monotonic() >= deadline:
                return

    async def _rescue(self) -> None:
        rows = await self._storage.run_duty(
            "rescue", "rescue_expired_leases", self._settings.batch_size
        )
        for row in rows or ():
            if self._stats is not None:
                self._stats.count(row["queue"], row["task"], row["status"])
            log.warning(
                "rescued job %s after its lease expired: now %s",
                row["id"],
                row["status"],
                extra={"job_id": str(row["id"]), "status": row["status"]},
            )


async def _logged(duties: Callable[[], Awaitable[bool | None]]) -> bool | None:
    """Run ``duties``; a failure is logged and the loop goes on (None): a database
    failure in a line, anything unexpected with its traceback. Maintenance must outlive
    any one bad round, or rescue would stop for the whole fleet's share it runs."""
    try:
        return await duties()
    except _FAILURES as exc:
        log.warning("maintenance round failed: %s", exc)
    except Exception:
        log.exception("maintenance round failed unexpectedly; the next round goes on")
    return None
