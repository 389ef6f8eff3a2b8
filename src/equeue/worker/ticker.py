"""The schedules' maintenance duty: enqueue the ticks that are due, once each.

One round is one transaction: under the schedules duty's lock (one process at a time),
it reads the schedules due by the database's clock, locks them, and for each one moves
its next tick on with a compare-and-set, writes the ticks down (a primary key per
schedule and tick) and inserts their jobs. All of it commits together or not at all: a
leader killed halfway leaves nothing behind, and the next leader enqueues those ticks.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from equeue import building, periodic
from equeue.errors import InvalidJobError
from equeue.job import DEFAULT_LIMITS, Limits, NewJob
from equeue.periodic import Schedule, ScheduleSpec
from equeue.storage import Storage, TickRound

log = logging.getLogger("equeue.schedules")
#: Schedules enqueued per round at most; the others are still due at the next round.
SCHEDULES_PER_ROUND = 100


@dataclass(frozen=True, slots=True)
class Enqueued:
    """The ticks one round enqueued, by schedule name."""

    ticks: dict[str, list[str]]

    @property
    def jobs(self) -> int:
        return sum(map(len, self.ticks.values()))


class Ticker:
    """Enqueues the due ticks of every schedule, from one maintenance round to the next."""

    def __init__(self, storage: Storage, limits: Limits = DEFAULT_LIMITS) -> None:
        self._storage = storage
        self._limits = limits

    async def run_once(self, *, exclusive: bool = True) -> Enqueued:
        """One round. ``exclusive`` takes the duty's lock first; without it (as two leaders
        at once would be) the compare-and-set and the ticks' key still keep each tick to
        one job."""
        done: dict[str, list[str]] = {}
        async with self._storage.tick_round(SCHEDULES_PER_ROUND, exclusive=exclusive) as round_:
            if not round_.due:
                return Enqueued(done)
            names = sorted({s.spec.task for s in round_.due})
            defaults = await self._storage.task_defaults(names)
            for schedule in round_.due:
                ticks = await self._enqueue(round_, schedule, defaults)
                if ticks:
                    done[schedule.spec.name] = [t.isoformat() for t in ticks]
        return Enqueued(done)

    async def _enqueue(
        self, round_: TickRound, schedule: Schedule, defaults: building.Defaults
    ) -> list[datetime]:
        spec = schedule.spec
        plan = periodic.due(spec, schedule.next_run_at, round_.now)
        if plan.dropped:
            log.warning(
                "schedule %s missed ticks: enqueueing %d of them (on_missed=%s)",
                spec.name,
                len(plan.ticks),
                spec.on_missed,
            )
        conn = round_.connection
        # A savepoint: a schedule whose job cannot be built is logged and passed by,
        # without undoing the others' ticks.
        try:
            async with conn.transaction():
                claimed = await self._storage.claim_ticks(
                    conn, schedule, plan.next_run_at, plan.ticks
                )
                if not claimed:
                    return []
                jobs = [self._job(schedule, tick, defaults) for tick in claimed]
                inserted = await self._storage.insert_jobs(jobs, conn)
                await self._storage.record_tick_jobs(
                    conn, spec.name, claimed, [job.id for job in inserted]
                )
        except InvalidJobError as exc:
            # Its definition cannot make a job (a task's bounds changed under it): the
            # ticks are passed over, so the schedule does not fail again every round.
            log.error("schedule %s skipped ticks it cannot enqueue: %s", spec.name, exc)
            await self._storage.claim_ticks(conn, schedule, plan.next_run_at, [])
            return []
        for tick in claimed:
            log.debug("schedule %s: enqueued tick %s", spec.name, tick.isoformat())
        return claimed

    def _job(self, schedule: Schedule, tick: datetime, defaults: building.Defaults) -> NewJob:
        spec = schedule.spec
        options = {
            "queue": spec.queue,
            "priority": spec.priority,
            "tags": [periodic.TAG_PREFIX + spec.name],
        }
        payload = periodic.tick_payload(spec, tick)
        return building.build(spec.task, payload, options, defaults, self._limits)


async def register_schedules(storage: Storage, schedules: Iterable[ScheduleSpec]) -> None:
    """Write the schedules of ``@queue.periodic`` as a worker starts: a new one starts at
    its first tick after now, by the database's clock."""
    specs = list(schedules)
    if not specs:
        return
    now = await storage.database_now()
    await storage.upsert_code_schedules([(spec, periodic.first_run(spec, now)) for spec in specs])
