"""The statements of periodic jobs: the schedules, and the ticks enqueued for them."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from equeue.periodic import Schedule, ScheduleSpec
from equeue.storage.maintenance import DUTY_IDLE_LIMIT
from equeue.storage.seam import Connection, Statements

#: What a read-modify-write of a schedule computes from it and the database's clock: its
#: new definition, paused flag and next tick.
Change = Callable[[Schedule, datetime], tuple[ScheduleSpec, bool, datetime]]


@dataclass(frozen=True, slots=True)
class TickRound:
    """One maintenance round of the schedules, inside its transaction."""

    connection: Connection
    now: datetime  #: the database's clock
    due: list[Schedule]  #: the schedules due now, locked by this round


class ScheduleStatements(Statements):
    """Reads and writes ``schedules`` and ``schedule_ticks`` (migration 0013)."""

    async def database_now(self) -> datetime:
        """The database's clock: the only one schedules go by."""
        now: datetime = await self.pool.fetchval(self.q["database_now"])
        return now

    async def list_schedules(self) -> list[Schedule]:
        return [schedule_from_row(row) for row in await self.pool.fetch(self.q["list_schedules"])]

    async def get_schedule(self, name: str) -> Schedule | None:
        row = await self.pool.fetchrow(self.q["get_schedule"], name)
        return None if row is None else schedule_from_row(row)

    async def create_schedule(
        self, spec: ScheduleSpec, paused: bool, next_run_at: datetime
    ) -> Schedule | None:
        """Write a new schedule; None when one of that name exists."""
        row = await self.pool.fetchrow(
            self.q["create_schedule"], *_definition(spec), paused, next_run_at
        )
        return None if row is None else schedule_from_row(row)

    async def upsert_code_schedules(self, rows: Sequence[tuple[ScheduleSpec, datetime]]) -> None:
        """Write the schedules of ``@queue.periodic``, each with the first tick it gets if
        it is new or its cron expression or time zone changed."""
        if rows:
            await self.pool.executemany(
                self.q["upsert_code_schedule"],
                [(*_definition(spec), first) for spec, first in rows],
            )

    async def change_schedule(self, name: str, change: Change) -> Schedule | None:
        """Read, change and write a schedule in one transaction; None if there is none."""
        async with self.pool.acquire() as conn, conn.transaction():
            row = await conn.fetchrow(self.q["lock_schedule"], name)
            if row is None:
                return None
            spec, paused, next_run_at = change(schedule_from_row(row), row["now"])
            written = await conn.fetchrow(
                self.q["update_schedule"], *_definition(spec), paused, next_run_at
            )
            assert written is not None  # locked above: it is still there
            return schedule_from_row(written)

    async def delete_schedule(self, name: str) -> bool:
        return await self.pool.fetchval(self.q["delete_schedule"], name) is not None

    @asynccontextmanager
    async def tick_round(self, limit: int, *, exclusive: bool = True) -> AsyncIterator[TickRound]:
        """A transaction holding the schedules due now. ``exclusive`` first takes the
        schedules duty's lock, as a maintenance duty does (see try_duty_lock); when
        another process holds it, the round holds no schedule."""
        async with self.pool.acquire() as conn, conn.transaction():
            if exclusive:
                lock = f"{self.schema}:schedules"
                if not await conn.fetchval(self.q["try_duty_lock"], lock, DUTY_IDLE_LIMIT):
                    yield TickRound(conn, datetime.min, [])
                    return
            rows = await conn.fetch(self.q["due_schedules"], limit)
            now = rows[0]["now"] if rows else datetime.min
            yield TickRound(conn, now, [schedule_from_row(row) for row in rows])

    async def claim_ticks(
        self,
        conn: Connection,
        schedule: Schedule,
        next_run_at: datetime,
        ticks: Sequence[datetime],
    ) -> list[datetime]:
        """Move the schedule's next tick on, if no one else did, and write ``ticks`` down;
        returns those no one had written down before (the ones to enqueue)."""
        rows = await conn.fetch(
            self.q["claim_schedule_ticks"],
            schedule.spec.name,
            schedule.next_run_at,
            next_run_at,
            list(ticks),
        )
        return sorted(row["tick_at"] for row in rows)

    async def record_tick_jobs(
        self, conn: Connection, name: str, ticks: Sequence[datetime], jobs: Sequence[uuid.UUID]
    ) -> None:
        await conn.execute(self.q["record_schedule_jobs"], name, list(ticks), list(jobs))


def _definition(spec: ScheduleSpec) -> tuple[object, ...]:
    """The columns of a definition, in the order of the statements' first parameters."""
    return (
        spec.name,
        spec.task,
        spec.cron,
        spec.timezone,
        json.dumps(dict(spec.payload)),
        spec.queue,
        spec.priority,
        spec.on_missed,
        spec.catch_up_limit,
    )


def schedule_from_row(row: asyncpg.Record) -> Schedule:
    spec = ScheduleSpec(
        name=row["name"],
        task=row["task"],
        cron=row["cron"],
        timezone=row["timezone"],
        payload=json.loads(row["payload"]),
        queue=row["queue"],
        priority=row["priority"],
        on_missed=row["on_missed"],
        catch_up_limit=row["catch_up_limit"],
    )
    return Schedule(
        spec=spec,
        paused=row["paused"],
        next_run_at=row["next_run_at"],
        last_run_at=row["last_run_at"],
        last_job_id=None if row["last_job_id"] is None else str(row["last_job_id"]),
        source=row["source"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )
