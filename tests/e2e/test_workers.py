"""Real `equeue worker` processes against a real PostgreSQL: exactly-once under no
faults, SIGKILL recovery by lease expiry, graceful SIGTERM, heartbeats that survive a
blocked event loop."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import IO

import pytest

from equeue import JobStatus, Queue
from equeue.worker.maintenance import Maintenance, MaintenanceSettings
from tests.conftest import storage_of, wait_for_status, wait_until

ROOT = Path(__file__).parents[2]


@pytest.fixture
async def e2e_queue(queue: Queue, tmp_path: Path) -> AsyncIterator[Queue]:
    # The worker processes register the tasks; this process only enqueues them.
    queue.allow_unknown_tasks = True
    yield queue


@pytest.fixture
def spawn(
    queue: Queue, database_url: str, tmp_path: Path
) -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    procs: list[subprocess.Popen[bytes]] = []
    logs: list[IO[bytes]] = []

    def start(*args: str) -> subprocess.Popen[bytes]:
        env = {
            **os.environ,
            "EQUEUE_DATABASE_URL": database_url,
            "EQUEUE_SCHEMA": queue.schema,
            "EQUEUE_E2E_DIR": str(tmp_path),
            "PYTHONPATH": str(ROOT),
        }
        logs.append(open(tmp_path / f"worker{len(procs)}.log", "wb"))
        level = os.environ.get("E2E_LOG_LEVEL", "WARNING")
        command = [sys.executable, "-m", "equeue", "worker", "tests.e2e.worker_app:queue"]
        options = ["--poll-interval", "0.5", "--log-level", level, *args]
        proc = subprocess.Popen(
            command + options, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=logs[-1]
        )
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)
    for log in logs:
        log.close()


def lines(folder: Path, prefix: str) -> list[str]:
    return [line for path in folder.glob(f"{prefix}.*") for line in path.read_text().split()]


async def assert_each_ran_once(queue: Queue, folder: Path, total: int, timeout: float) -> None:
    """Jobs e2e.record 0..total-1 all succeed, each run exactly once, at the first attempt."""

    async def all_done() -> bool:
        return (await queue.counts()).get("default", {}).get("succeeded", 0) == total

    await wait_until(all_done, timeout=timeout)
    runs = lines(folder, "record")
    assert len(runs) == total, "a job ran twice or not at all"
    assert sorted(map(int, runs)) == list(range(total))
    jobs, _ = await queue.list_jobs(status="succeeded", limit=1000)
    assert all(job.attempts == 1 for job in jobs)


def stop_cleanly(workers: list[subprocess.Popen[bytes]]) -> None:
    for proc in workers:
        proc.send_signal(signal.SIGTERM)
    for proc in workers:
        assert proc.wait(timeout=30) == 0


async def test_three_workers_run_ten_thousand_jobs_exactly_once(
    e2e_queue: Queue, spawn: Callable[..., subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    workers = [spawn("--concurrency", "50") for _ in range(3)]
    total = 10_000
    for start in range(0, total, 2000):
        await e2e_queue.enqueue_many(
            [{"type": "e2e.record", "payload": {"n": n}} for n in range(start, start + 2000)]
        )

    await assert_each_ran_once(e2e_queue, tmp_path, total, timeout=120)
    assert sum(1 for _ in tmp_path.glob("record.*")) == 3  # every worker took a share
    stop_cleanly(workers)


async def test_sigkilled_worker_job_is_rerun_after_its_lease_expires(
    e2e_queue: Queue, spawn: Callable[..., subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    victim = spawn("--lease", "2")
    job = await e2e_queue.enqueue("e2e.sleep", {"seconds": 1.5, "tag": "once"})
    await wait_for_status(e2e_queue, job.id, JobStatus.RUNNING)
    await wait_until(lambda: lines(tmp_path, "started") == ["once"])
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=10)
    killed_at = time.monotonic()
    spawn("--lease", "2")
    done = await wait_for_status(e2e_queue, job.id, JobStatus.SUCCEEDED, timeout=30)
    assert time.monotonic() - killed_at >= 0.5  # not before the lease ran out
    assert done.attempts == 1  # the lost lease was its first: not counted
    assert [a.outcome for a in done.history] == ["lease_expired", "succeeded"]
    assert lines(tmp_path, "started") == ["once", "once"]
    assert lines(tmp_path, "finished") == ["once"]


async def test_sigterm_releases_unfinished_jobs_at_once(
    e2e_queue: Queue, spawn: Callable[..., subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    first = spawn("--lease", "60", "--shutdown-grace", "0.5")
    job = await e2e_queue.enqueue("e2e.sleep", {"seconds": 30, "tag": "long"})
    await wait_until(lambda: lines(tmp_path, "started") == ["long"])
    first.send_signal(signal.SIGTERM)
    assert first.wait(timeout=15) == 0
    released = await e2e_queue.get_job(job.id)
    # Back in the queue straight away, not after the 60 s lease.
    assert released.status is JobStatus.QUEUED and released.attempts == 0
    assert released.history[-1].outcome == "released"


async def test_heartbeat_keeps_the_lease_while_the_task_blocks_the_event_loop(
    e2e_queue: Queue, spawn: Callable[..., subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    spawn("--lease", "1")
    job = await e2e_queue.enqueue("e2e.block_loop", {"seconds": 3})
    await wait_until(lambda: lines(tmp_path, "started") == ["block"])
    # Meanwhile this process plays the rescuer, as hard as it can.
    storage = await storage_of(e2e_queue)
    rescuer = Maintenance(storage, MaintenanceSettings())
    while (await e2e_queue.get_job(job.id)).status is JobStatus.RUNNING:
        await rescuer.run_once()
        await asyncio.sleep(0.1)
    done = await wait_for_status(e2e_queue, job.id, JobStatus.SUCCEEDED)
    assert done.attempts == 1, f"the lease expired while the loop was blocked: {done.history}"


async def listener_pids(queue: Queue) -> dict[str, int]:
    """The LISTEN backend of each worker with an open hand-off offer."""
    storage = await storage_of(queue)
    rows = await storage.pool.fetch(
        f'SELECT worker_id, listener_pid FROM "{queue.schema}".idle_workers WHERE open'
    )
    return {row["worker_id"]: row["listener_pid"] for row in rows}


async def test_single_enqueues_are_handed_to_idle_workers_and_run_exactly_once(
    e2e_queue: Queue, spawn: Callable[..., subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    workers = [spawn("--concurrency", "2") for _ in range(3)]

    async def all_offering() -> bool:
        return len(await listener_pids(e2e_queue)) == 3

    await wait_until(all_offering, timeout=30)
    handed = 0

    async def producer(first: int) -> None:
        nonlocal handed
        for n in range(first, first + 100):
            job = await e2e_queue.enqueue("e2e.record", {"n": n})
            handed += job.status is JobStatus.RUNNING
            await asyncio.sleep(0.002 * (n % 5))

    await asyncio.gather(*(producer(k * 100) for k in range(4)))

    await assert_each_ran_once(e2e_queue, tmp_path, 400, timeout=60)
    assert handed > 0
    stop_cleanly(workers)
    assert await listener_pids(e2e_queue) == {}  # a stopped worker withdraws its offer


async def test_a_sigkilled_idle_worker_is_never_handed_a_job(
    e2e_queue: Queue, spawn: Callable[..., subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    victim = spawn("--lease", "60")

    async def offering() -> bool:
        return len(await listener_pids(e2e_queue)) == 1

    await wait_until(offering, timeout=30)
    [pid] = (await listener_pids(e2e_queue)).values()
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=10)
    storage = await storage_of(e2e_queue)

    async def backend_ended() -> bool:
        query = "SELECT count(*) FROM pg_stat_activity WHERE pid = $1"
        return not await storage.pool.fetchval(query, pid)

    await wait_until(backend_ended)  # PostgreSQL ends it as soon as the socket closes
    job = await e2e_queue.enqueue("e2e.record", {"n": 7})
    assert job.status is JobStatus.QUEUED  # not handed to the dead worker (60 s lease)
    spawn("--lease", "60")
    done = await wait_for_status(e2e_queue, job.id, JobStatus.SUCCEEDED, timeout=20)
    assert done.attempts == 1 and lines(tmp_path, "record") == ["7"]
