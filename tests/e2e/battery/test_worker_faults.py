"""Worker processes killed and stopped under load: SIGKILL churn, a graceful SIGTERM,
a hard stop by a second SIGTERM. Nothing is lost, every duplicate is explained."""

from __future__ import annotations

import asyncio
import random
import signal
import subprocess
import time
import uuid
from functools import partial

import asyncpg
import pytest

from equeue import Queue
from tests.conftest import wait_until
from tests.e2e.battery.battery_app import MAX_ATTEMPTS
from tests.e2e.battery.conftest import Fleet
from tests.e2e.battery.invariants import (
    assert_holds,
    check,
    longest_overdue_lease,
    read_executions,
)
from tests.e2e.battery.metrics import scrape

pytestmark = pytest.mark.battery
REFUSED_METRIC = "equeue_jobs_late_outcomes_refused_total"

RESCUE_INTERVAL = 1.0
# One rescue interval, and a second for a loaded 2-core machine to get round to it.
OVERDUE_ALLOWED = RESCUE_INTERVAL + 1.0


async def enqueue_work(queue: Queue, count: int, seconds: float) -> set[uuid.UUID]:
    jobs = await queue.enqueue_many(
        [{"type": "battery.work", "payload": {"seconds": seconds}, "max_attempts": MAX_ATTEMPTS}]
        * count
    )
    return {job.id for job in jobs}


async def all_final(queue: Queue, total: int) -> bool:
    counts = (await queue.counts()).get("default", {})
    return sum(counts.get(s, 0) for s in ("succeeded", "failed", "cancelled")) == total


async def test_worker_sigkill_churn_loses_nothing(battery_queue: Queue, fleet: Fleet) -> None:
    """A random worker of three is killed every ~2 s for ~18 s while 3,000 jobs run,
    and started again each time."""
    workers = [fleet.spawn("--lease", "2", "--concurrency", "20") for _ in range(3)]
    committed: set[uuid.UUID] = set()
    for _ in range(3):  # about 18 s of work for three workers, less what the kills cost
        committed |= await enqueue_work(battery_queue, 1000, 0.35)
    kills, overdue = 0, 0.0
    for _ in range(9):
        await asyncio.sleep(random.uniform(1.5, 2.5))
        victim = random.randrange(len(workers))
        workers[victim].send_signal(signal.SIGKILL)
        workers[victim].wait(timeout=10)
        workers[victim] = fleet.spawn("--lease", "2", "--concurrency", "20")
        kills += 1
        overdue = max(overdue, await longest_overdue_lease(fleet.url, fleet.schema))
    last_kill = time.monotonic()

    async def settled() -> bool:
        nonlocal overdue
        overdue = max(overdue, await longest_overdue_lease(fleet.url, fleet.schema))
        return await all_final(battery_queue, len(committed))

    await wait_until(settled, timeout=90)
    recovery = time.monotonic() - last_kill
    report = await check(fleet.url, fleet.schema, committed, fleet.folder)
    report.longest_overdue = overdue
    assert_holds("worker SIGKILL churn", report, kills, recovery)
    assert report.statuses == {"succeeded": len(committed)}
    assert overdue <= OVERDUE_ALLOWED, f"a job stayed running {overdue:.1f}s past its lease"
    assert report.duplicates > 0  # the kills did cut jobs off, and each rerun was explained


async def jobs_running_on(url: str, schema: str, proc: subprocess.Popen[bytes]) -> int:
    connection = await asyncpg.connect(url)
    try:
        count = await connection.fetchval(
            f"SELECT count(*) FROM \"{schema}\".jobs WHERE status = 'running' "
            "AND split_part(worker_id, ':', 2) = $1",
            str(proc.pid),
        )
    finally:
        await connection.close()
    return int(count)


async def test_sigterm_lets_in_flight_jobs_finish_within_the_grace(
    battery_queue: Queue, fleet: Fleet
) -> None:
    victim = fleet.spawn("--concurrency", "10", "--shutdown-grace", "10")
    fleet.spawn("--concurrency", "10")
    committed = await enqueue_work(battery_queue, 120, 1.0)

    async def victim_busy() -> bool:
        return await jobs_running_on(fleet.url, fleet.schema, victim) > 0

    await wait_until(victim_busy, timeout=30)
    signalled = time.monotonic()
    victim.send_signal(signal.SIGTERM)
    assert victim.wait(timeout=15) == 0
    stopped_in = time.monotonic() - signalled

    await wait_until(partial(all_final, battery_queue, len(committed)), timeout=60)
    report = await check(fleet.url, fleet.schema, committed, fleet.folder)
    assert_holds("graceful stop", report, 1, stopped_in)
    assert report.statuses == {"succeeded": len(committed)}
    assert report.duplicates == 0  # every job in flight finished: none was given back
    assert stopped_in < 10
    # Every job the stopping worker had started, it finished itself.
    started = [run for run in read_executions(fleet.folder) if run.pid == victim.pid]
    assert started
    for run in started:
        last = (await battery_queue.get_job(run.job_id)).history[-1]
        assert (last.outcome, last.worker.split(":")[1]) == ("succeeded", str(victim.pid))


async def test_second_sigterm_releases_held_jobs_at_once(
    battery_queue: Queue, fleet: Fleet
) -> None:
    victim = fleet.spawn("--concurrency", "10", "--shutdown-grace", "60")
    committed = await enqueue_work(battery_queue, 10, 5.0)
    await wait_until(lambda: len(read_executions(fleet.folder)) == 10, timeout=30)
    signalled = time.monotonic()
    victim.send_signal(signal.SIGTERM)
    await asyncio.sleep(0.3)
    victim.send_signal(signal.SIGTERM)
    assert victim.wait(timeout=10) == 0
    stopped_in = time.monotonic() - signalled
    fleet.spawn("--concurrency", "10")

    await wait_until(partial(all_final, battery_queue, len(committed)), timeout=60)
    recovery = time.monotonic() - signalled
    report = await check(fleet.url, fleet.schema, committed, fleet.folder)
    assert_holds("hard stop", report, 2, recovery)
    assert report.statuses == {"succeeded": len(committed)}
    assert report.duplicates == len(committed)  # each released once, rerun once, explained
    assert stopped_in < 5  # far inside the 60 s grace: the second signal skipped it


async def test_a_frozen_worker_cannot_complete_jobs_taken_over_meanwhile(
    battery_queue: Queue, fleet: Fleet
) -> None:
    """SIGSTOP a worker past its lease, let another run its jobs, SIGCONT it: its late
    outcomes land on jobs that moved on, and none is accepted."""
    frozen = fleet.spawn("--concurrency", "5", "--lease", "2")
    committed = await enqueue_work(battery_queue, 5, 1.5)
    await wait_until(lambda: len(read_executions(fleet.folder)) == 5, timeout=30)
    frozen.send_signal(signal.SIGSTOP)
    stopped = time.monotonic()
    fleet.spawn("--concurrency", "5", "--lease", "2")
    await wait_until(partial(all_final, battery_queue, len(committed)), timeout=60)
    recovery = time.monotonic() - stopped
    frozen.send_signal(signal.SIGCONT)

    async def frozen_done() -> bool:
        # Its tasks' sleeps are over at once: each either writes its outcome (refused)
        # or is stopped by the heartbeat that finds the job gone. Then it idles.
        return await jobs_running_on(fleet.url, fleet.schema, frozen) == 0

    await wait_until(frozen_done, timeout=30)
    frozen.send_signal(signal.SIGTERM)
    assert frozen.wait(timeout=30) == 0
    report = await check(fleet.url, fleet.schema, committed, fleet.folder)
    refused = (fleet.folder / "worker0.log").read_text().count("refused: its lease was lost")
    # Counted in the fleet's metrics too: the stopping worker wrote its statistics.
    samples = await scrape(fleet.url, fleet.schema)
    counted = samples.get((REFUSED_METRIC, (("queue", "default"), ("task", "battery.work"))), 0)
    assert_holds(f"frozen worker (late outcomes refused: {counted})", report, 1, recovery)
    assert counted == refused
    assert report.statuses == {"succeeded": len(committed)}
    assert report.duplicates == len(committed)  # each job ran again, explained by its lease
    assert refused > 0  # the frozen worker did try to complete, and was turned away
    for job_id in committed:
        job = await battery_queue.get_job(job_id)
        assert job.history[-1].worker.split(":")[1] != str(frozen.pid)
