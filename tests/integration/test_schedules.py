"""Periodic jobs against the real PostgreSQL: schedules written as workers start, ticks
enqueued once each however many leaders race for them."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import asyncpg
import pytest

from equeue import Queue
from equeue.job import Limits
from equeue.periodic import InvalidScheduleError, ScheduleNotFoundError, ScheduleSpec
from equeue.scheduling import ScheduleExistsError
from equeue.worker.ticker import Ticker, register_schedules
from tests.conftest import storage_of, wait_until


@pytest.fixture(autouse=True)
def any_task(queue: Queue) -> None:
    # The tasks named here are registered by no worker: schedules of them are allowed, as
    # enqueues of them are, only with allow_unknown_tasks (see the test of the refusal).
    queue.allow_unknown_tasks = True


async def jobs_per_tick(db: asyncpg.Connection, schema: str) -> Counter[str]:
    rows = await db.fetch(f'SELECT payload FROM "{schema}".jobs')
    return Counter(json.loads(row["payload"])["tick"] for row in rows)


async def move_next_run(db: asyncpg.Connection, schema: str, name: str, at: datetime) -> None:
    """Put a schedule's next tick in the past, as if nobody had run since ``at``."""
    await db.execute(f'UPDATE "{schema}".schedules SET next_run_at = $2 WHERE name = $1', name, at)


async def database_now(queue: Queue) -> datetime:
    return await (await storage_of(queue)).database_now()


async def test_a_due_tick_is_enqueued_once_with_its_tick_and_tag(
    queue: Queue, db: asyncpg.Connection
) -> None:
    await queue.admin.schedules.create(
        ScheduleSpec("report", "report.build", "*/5 * * * *", payload={"to": "ops"})
    )
    now = await database_now(queue)
    tick = now.replace(second=0, microsecond=0) - timedelta(minutes=now.minute % 5)
    await move_next_run(db, queue.schema, "report", tick)
    ticker = Ticker(await storage_of(queue))

    enqueued = await ticker.run_once()
    again = await ticker.run_once()

    assert enqueued.ticks == {"report": [tick.isoformat()]}
    assert again.jobs == 0
    [job], _ = await queue.list_jobs(tag="schedule:report")
    assert job.payload == {"to": "ops", "tick": tick.isoformat()}
    assert job.tags == ["schedule:report"]
    schedule = await queue.admin.schedules.get("report")
    assert schedule.last_run_at == tick
    assert schedule.last_job_id == str(job.id)
    assert schedule.next_run_at == tick + timedelta(minutes=5)


async def test_catch_up_enqueues_each_missed_tick_and_skip_only_the_latest(
    queue: Queue, db: asyncpg.Connection
) -> None:
    schedules = queue.admin.schedules
    await schedules.create(ScheduleSpec("every-min", "t", "* * * * *", on_missed="catch_up"))
    await schedules.create(ScheduleSpec("every-min-skip", "t", "* * * * *"))
    now = await database_now(queue)
    an_hour_ago = now.replace(second=0, microsecond=0) - timedelta(hours=1)
    await move_next_run(db, queue.schema, "every-min", an_hour_ago)
    await move_next_run(db, queue.schema, "every-min-skip", an_hour_ago)

    enqueued = await Ticker(await storage_of(queue)).run_once()

    assert len(enqueued.ticks["every-min"]) == 61
    assert len(enqueued.ticks["every-min-skip"]) == 1
    assert enqueued.ticks["every-min-skip"][0] == enqueued.ticks["every-min"][-1]


async def test_a_paused_schedule_enqueues_nothing_and_resumes_from_now(
    queue: Queue, db: asyncpg.Connection
) -> None:
    schedules = queue.admin.schedules
    await schedules.create(ScheduleSpec("s", "t", "* * * * *", on_missed="catch_up"))
    await move_next_run(db, queue.schema, "s", datetime(2026, 1, 1, tzinfo=UTC))
    await schedules.pause("s")
    ticker = Ticker(await storage_of(queue))

    assert (await ticker.run_once()).jobs == 0
    resumed = await schedules.resume("s")

    assert resumed.next_run_at > await database_now(queue)
    assert (await ticker.run_once()).jobs == 0


async def race(leaders: list[Ticker], exclusive: bool, done: Callable[[], Awaitable[bool]]) -> None:
    """Each leader runs rounds back to back, all at once, until ``done``."""
    finished = asyncio.Event()

    async def lead(ticker: Ticker) -> None:
        while not finished.is_set():
            await ticker.run_once(exclusive=exclusive)

    async def watch() -> None:
        await wait_until(done, timeout=30)
        finished.set()

    await asyncio.gather(watch(), *(lead(t) for t in leaders))


@pytest.mark.parametrize("exclusive", [True, False], ids=["duty-lock", "no-lock"])
async def test_leaders_racing_never_enqueue_a_tick_twice(
    queue: Queue, db: asyncpg.Connection, database_url: str, exclusive: bool
) -> None:
    await queue.admin.schedules.create(
        ScheduleSpec("every-second", "t", "* * * * * *", on_missed="catch_up")
    )
    # Each leader on a pool of its own, as in processes of their own.
    others = [Queue(database_url, schema=queue.schema, pool_max_size=2) for _ in range(3)]
    try:
        leaders = [Ticker(await storage_of(q)) for q in [queue, *others] for _ in range(2)]

        async def four_ticks() -> bool:
            return len(await jobs_per_tick(db, queue.schema)) >= 4

        await race(leaders, exclusive, four_ticks)
    finally:
        for other in others:
            await other.close()

    per_tick = await jobs_per_tick(db, queue.schema)
    assert len(per_tick) >= 4
    assert set(per_tick.values()) == {1}


async def test_a_stale_leader_cannot_enqueue_a_tick_another_enqueued(
    queue: Queue, db: asyncpg.Connection
) -> None:
    await queue.admin.schedules.create(ScheduleSpec("s", "t", "* * * * *"))
    tick = (await database_now(queue)).replace(second=0, microsecond=0)
    await move_next_run(db, queue.schema, "s", tick)
    storage = await storage_of(queue)
    stale = await queue.admin.schedules.get("s")  # read before the other leader's round
    await Ticker(storage).run_once()

    async with storage.pool.acquire() as conn, conn.transaction():
        claimed = await storage.claim_ticks(conn, stale, tick + timedelta(minutes=1), [tick])

    assert claimed == []
    # And with next_run_at moved back by hand, the tick's key still refuses it.
    await move_next_run(db, queue.schema, "s", tick)
    await Ticker(storage).run_once()
    assert await jobs_per_tick(db, queue.schema) == Counter({tick.isoformat(): 1})


async def test_a_worker_start_writes_its_schedules_and_keeps_the_operators_pause(
    queue: Queue,
) -> None:
    storage = await storage_of(queue)
    spec = ScheduleSpec("nightly", "t", "0 3 * * *", timezone="Europe/Paris")
    await register_schedules(storage, [spec])
    first = await queue.admin.schedules.get("nightly")
    paused = await queue.admin.schedules.pause("nightly")

    await register_schedules(storage, [spec])  # another worker starts: nothing moves
    same = await queue.admin.schedules.get("nightly")
    await register_schedules(storage, [ScheduleSpec("nightly", "t", "0 4 * * *")])
    redefined = await queue.admin.schedules.get("nightly")

    assert first.source == "code"
    assert first.next_run_at.astimezone(ZoneInfo("Europe/Paris")).hour == 3
    assert (same.next_run_at, same.updated_at, same.paused) == (
        first.next_run_at,
        paused.updated_at,
        True,
    )
    assert redefined.spec.cron == "0 4 * * *"
    assert redefined.next_run_at.hour == 4
    assert redefined.paused


async def test_an_api_schedule_is_not_overwritten_by_code_of_the_same_name(queue: Queue) -> None:
    await queue.admin.schedules.create(ScheduleSpec("s", "t", "0 1 * * *"))
    await register_schedules(await storage_of(queue), [ScheduleSpec("s", "t", "0 2 * * *")])
    assert (await queue.admin.schedules.get("s")).spec.cron == "0 1 * * *"


async def test_creating_a_taken_name_or_changing_a_missing_schedule_is_refused(
    queue: Queue,
) -> None:
    schedules = queue.admin.schedules
    await schedules.create(ScheduleSpec("s", "t", "0 1 * * *"))
    with pytest.raises(ScheduleExistsError, match="exists already"):
        await schedules.create(ScheduleSpec("s", "t", "0 2 * * *"))
    with pytest.raises(ScheduleNotFoundError):
        await schedules.pause("missing")
    with pytest.raises(ScheduleNotFoundError):
        await schedules.delete("missing")
    await schedules.delete("s")
    assert await schedules.list() == []


async def test_a_schedule_of_a_task_no_worker_registered_is_refused(queue: Queue) -> None:
    queue.allow_unknown_tasks = False
    spec = ScheduleSpec("s", "report.build", "0 1 * * *")
    with pytest.raises(
        InvalidScheduleError, match=r"no worker has registered task 'report\.build'"
    ):
        await queue.admin.schedules.create(spec)
    await (await storage_of(queue)).register_tasks([("report.build", "default", 0, 5, None)])
    assert (await queue.admin.schedules.create(spec)).spec.task == "report.build"
    with pytest.raises(InvalidScheduleError, match="no worker has registered task 'typo'"):
        await queue.admin.schedules.update("s", {"task": "typo"})


async def test_a_schedule_whose_job_is_refused_is_passed_over_without_stopping_the_others(
    queue: Queue, db: asyncpg.Connection
) -> None:
    schedules = queue.admin.schedules
    await schedules.create(ScheduleSpec("big", "t", "* * * * *", payload={"blob": "x" * 100}))
    await schedules.create(ScheduleSpec("small", "t", "* * * * *"))
    tick = (await database_now(queue)).replace(second=0, microsecond=0)
    for name in ("big", "small"):
        await move_next_run(db, queue.schema, name, tick)
    # The workers' bounds shrank since the schedule was made: its jobs are refused now.
    ticker = Ticker(await storage_of(queue), Limits(max_payload_bytes=64))

    enqueued = await ticker.run_once()

    assert enqueued.ticks == {"small": [tick.isoformat()]}
    big = await schedules.get("big")
    assert big.next_run_at > tick
    assert big.last_run_at is None
    assert (await ticker.run_once()).jobs == 0  # and it does not fail again every round
