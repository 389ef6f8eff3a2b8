"""A worker cut off from the database (every connection of its own through a TCP proxy
the test cuts): longer than its lease, its jobs are taken over by another worker and its
completions are refused when it comes back; shorter than its lease, nothing is taken
over and nothing runs twice."""

from __future__ import annotations

import asyncio
import signal
import time
import uuid
from collections.abc import AsyncIterator
from functools import partial

import pytest

from equeue import Queue
from tests.conftest import wait_until
from tests.e2e.battery.battery_app import MAX_ATTEMPTS
from tests.e2e.battery.conftest import Fleet
from tests.e2e.battery.invariants import assert_holds, check, read_executions
from tests.e2e.battery.metrics import scrape
from tests.e2e.battery.proxy import CuttableProxy

pytestmark = pytest.mark.battery
REFUSED = (
    "equeue_jobs_late_outcomes_refused_total",
    (("queue", "default"), ("task", "battery.work")),
)


@pytest.fixture
async def proxy(database_url: str) -> AsyncIterator[CuttableProxy]:
    started = CuttableProxy(database_url)
    await started.start()
    yield started
    await started.close()


async def enqueue(queue: Queue, count: int, seconds: float) -> set[uuid.UUID]:
    work = {"type": "battery.work", "payload": {"seconds": seconds}, "max_attempts": MAX_ATTEMPTS}
    return {job.id for job in await queue.enqueue_many([work] * count)}


async def all_succeeded(queue: Queue, total: int) -> bool:
    return (await queue.counts()).get("default", {}).get("succeeded", 0) == total


async def test_a_worker_cut_off_past_its_lease_is_taken_over_and_refused(
    battery_queue: Queue, fleet: Fleet, proxy: CuttableProxy
) -> None:
    cut_off = fleet.spawn(
        "--concurrency", "3", "--lease", "2", env={"EQUEUE_DATABASE_URL": proxy.url}
    )
    committed = await enqueue(battery_queue, 3, 2.5)
    await wait_until(lambda: len(read_executions(fleet.folder)) == 3, timeout=30)
    for _ in range(2):  # the others, straight to the database
        fleet.spawn("--concurrency", "3", "--lease", "2")
    proxy.cut()
    cut_at = time.monotonic()
    # Its tasks end during the cut; meanwhile the others rescue and run its jobs.
    await wait_until(partial(all_succeeded, battery_queue, len(committed)), timeout=60)
    recovery = time.monotonic() - cut_at
    proxy.restore()

    async def refused_on_return() -> bool:
        return (fleet.folder / "worker0.log").read_text().count("refused: its lease") == 3

    await wait_until(refused_on_return, timeout=30)
    cut_off.send_signal(signal.SIGTERM)  # it writes its statistics as it stops
    # Waited for in a thread: the proxy, in this event loop, carries its last writes.
    assert await asyncio.to_thread(cut_off.wait, 30) == 0
    report = await check(fleet.url, fleet.schema, committed, fleet.folder)
    counted = (await scrape(fleet.url, fleet.schema)).get(REFUSED, 0)
    assert_holds(f"cut off past the lease (completions refused: {counted})", report, 1, recovery)
    assert report.statuses == {"succeeded": len(committed)}
    assert report.duplicates == len(committed)  # each ran again, explained by its lost lease
    assert counted == len(committed)
    for job_id in committed:
        job = await battery_queue.get_job(job_id)
        assert job.history[0].outcome == "lease_expired"
        assert job.history[-1].worker.split(":")[1] != str(cut_off.pid)


async def test_a_worker_cut_off_shorter_than_its_lease_keeps_its_jobs(
    battery_queue: Queue, fleet: Fleet, proxy: CuttableProxy
) -> None:
    # Lease 6 s, renewed every 2 s: a 1 s cut delays one renewal at most by one interval.
    fleet.spawn("--concurrency", "5", "--lease", "6", env={"EQUEUE_DATABASE_URL": proxy.url})
    committed = await enqueue(battery_queue, 10, 1.5)
    await wait_until(lambda: len(read_executions(fleet.folder)) >= 5, timeout=30)
    fleet.spawn("--concurrency", "5", "--lease", "6")  # would take over any lapsed lease
    proxy.cut()
    cut_at = time.monotonic()
    await asyncio.sleep(1.0)  # the fault itself: a cut of one second
    proxy.restore()
    await wait_until(partial(all_succeeded, battery_queue, len(committed)), timeout=60)
    report = await check(fleet.url, fleet.schema, committed, fleet.folder)
    assert_holds("cut off shorter than the lease", report, 1, time.monotonic() - cut_at)
    assert report.statuses == {"succeeded": len(committed)}
    assert report.duplicates == 0
    for job_id in committed:
        assert [a.outcome for a in (await battery_queue.get_job(job_id)).history] == ["succeeded"]
