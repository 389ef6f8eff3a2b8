"""Poison jobs mixed with normal ones: jobs that always raise and jobs that kill their
worker process end failed after their last attempt; every normal job succeeds, with the
default attempts, and the crashes it shared cost it (almost) nothing."""

from __future__ import annotations

import time
from typing import Any

import pytest

from equeue import Queue
from tests.conftest import wait_until
from tests.e2e.battery.battery_app import MAX_ATTEMPTS, POISON_ATTEMPTS
from tests.e2e.battery.conftest import Fleet
from tests.e2e.battery.invariants import assert_holds, check

pytestmark = pytest.mark.battery


async def test_poison_jobs_end_failed_and_normal_jobs_all_succeed(
    battery_queue: Queue, fleet: Fleet
) -> None:
    workers = [fleet.spawn("--concurrency", "5", "--lease", "2") for _ in range(4)]
    started = time.monotonic()
    kinds = ["battery.work"] * 48 + ["battery.raise"] + ["battery.exit"]
    items = [_item(kind) for _ in range(4) for kind in kinds]
    jobs = await battery_queue.enqueue_many(items)
    killers = {job.id for job in jobs if job.task == "battery.exit"}
    poison = {job.id for job in jobs if job.task != "battery.work"}

    async def settled() -> bool:
        # A worker that a poison job took down is started again, as a supervisor would.
        for index, proc in enumerate(workers):
            if proc.poll() is not None:
                workers[index] = fleet.spawn("--concurrency", "5", "--lease", "2")
        counts = (await battery_queue.counts()).get("default", {})
        return counts.get("succeeded", 0) + counts.get("failed", 0) == len(jobs)

    await wait_until(settled, timeout=120)
    report = await check(fleet.url, fleet.schema, {job.id for job in jobs}, fleet.folder)
    deaths = len(fleet.started) - len(workers) + sum(p.poll() is not None for p in workers)
    charged = 0  # attempts normal jobs paid for crashes of other jobs
    for job in jobs:
        if job.id not in poison:
            charged += (await battery_queue.get_job(job.id)).attempts - 1
    assert_holds(
        f"poison jobs (attempts charged to others: {charged})",
        report,
        deaths,
        time.monotonic() - started,
    )
    assert report.statuses == {"succeeded": len(jobs) - len(poison), "failed": len(poison)}
    for job_id in poison:
        job = await battery_queue.get_job(job_id)
        assert job.attempts == POISON_ATTEMPTS
        assert max(a.number for a in job.history) == POISON_ATTEMPTS
        if job_id in killers:  # its first crash was not counted, each one after it was
            assert [a.number for a in job.history] == [1, *range(1, POISON_ATTEMPTS + 1)]
    # Only a job that was its worker's one suspect when a killer crashed for the first
    # time pays for it: one job per killer at most. (Each killer's crash used to cost
    # every job on its worker an attempt: hundreds here.)
    assert charged <= len(killers)
    # Each killer crashed its worker once per charged attempt, and once before it was
    # suspected (unless it died first with another one, before it had even started).
    assert len(killers) * POISON_ATTEMPTS <= deaths <= len(killers) * (POISON_ATTEMPTS + 1)


def _item(kind: str) -> dict[str, Any]:
    # Attempts named here, not left to the task's defaults: the first enqueue may come
    # before any worker has registered its tasks.
    if kind == "battery.work":
        return {"type": kind, "payload": {"seconds": 0.1}, "max_attempts": MAX_ATTEMPTS}
    return {"type": kind, "payload": {}, "max_attempts": POISON_ATTEMPTS}
