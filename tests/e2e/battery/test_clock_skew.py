"""Two workers whose clocks are ten minutes off, one ahead and one behind (the wall clock
of each process faked from its start): scheduling, backoff, leases and rescue all follow
PostgreSQL's clock, so nothing runs early, nothing late, and a killed worker's jobs are
rescued when their lease runs out, not ten minutes early or late."""

from __future__ import annotations

import asyncio
import signal
import uuid
from datetime import datetime
from functools import partial
from pathlib import Path

import asyncpg
import pytest

from equeue import Queue
from tests.conftest import wait_until
from tests.e2e.battery.battery_app import MAX_ATTEMPTS
from tests.e2e.battery.conftest import Fleet
from tests.e2e.battery.invariants import assert_holds, check, read_executions

pytestmark = pytest.mark.battery
SKEW = 600.0
LEASE, RESCUE_INTERVAL = 2.0, 1.0
LONG_JOB = 1.75  # seconds: still running when their worker is killed
SKEWED = str(Path(__file__).parent / "skewed_clock")


def spawn_skewed(fleet: Fleet, seconds: float) -> int:
    pythonpath = f"{SKEWED}:{Path(__file__).parents[3]}"
    env = {"BATTERY_CLOCK_SKEW_SECONDS": str(seconds), "PYTHONPATH": pythonpath}
    return fleet.spawn("--concurrency", "5", "--lease", str(int(LEASE)), env=env).pid


def item(task: str, payload: dict[str, object], **options: object) -> dict[str, object]:
    return {"type": task, "payload": payload, "max_attempts": MAX_ATTEMPTS, **options}


async def database_now(url: str) -> datetime:
    connection = await asyncpg.connect(url)
    try:
        now: datetime = await connection.fetchval("SELECT now()")
        return now
    finally:
        await connection.close()


async def all_final(queue: Queue, total: int) -> bool:
    counts = (await queue.counts()).get("default", {})
    return counts.get("succeeded", 0) + counts.get("failed", 0) == total


async def test_workers_ten_minutes_off_change_nothing(battery_queue: Queue, fleet: Fleet) -> None:
    skew_of = {spawn_skewed(fleet, SKEW): SKEW, spawn_skewed(fleet, -SKEW): -SKEW}
    now = [item("battery.clock", {}) for _ in range(10)]
    later = [item("battery.clock", {}, delay=2) for _ in range(10)]
    retried = [item("battery.clock", {"fail_first": True}) for _ in range(5)]
    jobs = await battery_queue.enqueue_many([*now, *later, *retried])
    committed = {job.id for job in jobs}
    await wait_until(partial(all_final, battery_queue, len(jobs)), timeout=60)

    # A worker killed while it holds jobs: they are rescued when the lease runs out.
    killed_at, victim = await _killed_holding_jobs(battery_queue, fleet, committed)
    await wait_until(partial(all_final, battery_queue, len(committed)), timeout=60)
    report = await check(fleet.url, fleet.schema, committed, fleet.folder)
    rescues = [
        attempt
        for job_id in committed
        for attempt in (await battery_queue.get_job(job_id)).history
        if attempt.outcome == "lease_expired"
    ]
    rescued_in = max((a.finished_at - killed_at).total_seconds() for a in rescues)
    assert_holds("clock skew (workers 10 min ahead and behind)", report, 1, rescued_in)
    assert report.statuses == {"succeeded": len(committed)}

    for job in jobs[: len(now) + len(later)]:
        done = await battery_queue.get_job(job.id)
        # The process that ran it did see its clock ten minutes off...
        wall_clock = done.result["wall_clock"]
        assert abs(wall_clock - done.finished_at.timestamp() - skew_of[done.result["pid"]]) < 5
    for job in jobs[len(now) : len(now) + len(later)]:
        done = await battery_queue.get_job(job.id)
        # ...yet a delayed job started no sooner than its delay, by the database's clock.
        assert (done.history[0].started_at - done.created_at).total_seconds() >= 2.0
    for job in jobs[len(now) + len(later) :]:
        first, second = (await battery_queue.get_job(job.id)).history
        assert (first.outcome, second.outcome) == ("failed", "succeeded")
        assert (second.started_at - first.finished_at).total_seconds() >= 1.0  # the backoff
    assert rescues and report.duplicates == len(rescues)  # the kill did cut jobs off
    for attempt in rescues:
        assert attempt.worker.split(":")[1] == str(victim)
        # Never rescued while its lease was good (by a clock running ahead), nor ten
        # minutes late (by one running behind): once the lease ran out, within a rescue
        # interval, and a second and a half of slack for a loaded machine.
        assert (attempt.finished_at - attempt.started_at).total_seconds() >= LEASE
    assert rescued_in <= LEASE + RESCUE_INTERVAL + 1.5


async def _killed_holding_jobs(
    queue: Queue, fleet: Fleet, committed: set[uuid.UUID]
) -> tuple[datetime, int]:
    """Kill the worker that runs ahead of time while it holds jobs; the database's time
    of the kill and the pid killed."""
    ahead = fleet.started[0]
    long_jobs = await queue.enqueue_many(
        [item("battery.work", {"seconds": LONG_JOB}) for _ in range(10)]
    )
    committed |= {job.id for job in long_jobs}

    def ahead_holds_jobs() -> bool:
        mine = {run.job_id for run in read_executions(fleet.folder) if run.pid == ahead.pid}
        return any(job.id in mine for job in long_jobs)

    await wait_until(ahead_holds_jobs, timeout=30)
    ahead.send_signal(signal.SIGKILL)
    await asyncio.to_thread(ahead.wait, 10)
    return await database_now(fleet.url), ahead.pid
