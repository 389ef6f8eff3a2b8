"""A periodic job across real `equeue worker` processes: one job per tick of a schedule of
every second, with three workers taking turns at maintenance and the leader SIGKILLed
while the ticks go on."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO

import asyncpg
import pytest

from equeue import Queue
from tests.conftest import wait_until

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).parents[2]
ENQUEUED = "schedule every-second: enqueued tick "


@pytest.fixture
def spawn(
    queue: Queue, database_url: str, tmp_path: Path
) -> Iterator[Callable[[], tuple[subprocess.Popen[bytes], Path]]]:
    procs: list[subprocess.Popen[bytes]] = []
    logs: list[IO[bytes]] = []

    def start() -> tuple[subprocess.Popen[bytes], Path]:
        env = {
            **os.environ,
            "EQUEUE_DATABASE_URL": database_url,
            "EQUEUE_SCHEMA": queue.schema,
            "EQUEUE_E2E_DIR": str(tmp_path),
            "PYTHONPATH": str(ROOT),
        }
        log_path = tmp_path / f"worker{len(procs)}.log"
        logs.append(open(log_path, "wb"))
        command = [sys.executable, "-m", "equeue", "worker", "tests.e2e.periodic_app:queue"]
        options = ["--poll-interval", "0.5", "--log-level", "DEBUG"]
        proc = subprocess.Popen(
            command + options, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=logs[-1]
        )
        procs.append(proc)
        return proc, log_path

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)
    for log in logs:
        log.close()


def latest_enqueue(log: Path) -> str:
    """The last tick this worker's maintenance enqueued ('' if none)."""
    found = [line for line in log.read_text(errors="replace").splitlines() if ENQUEUED in line]
    return found[-1].split(ENQUEUED)[1].split()[0].rstrip('",') if found else ""


async def jobs_per_tick(db: asyncpg.Connection, schema: str) -> Counter[str]:
    rows = await db.fetch(f'SELECT payload FROM "{schema}".jobs')
    return Counter(json.loads(row["payload"])["tick"] for row in rows)


async def test_a_periodic_job_runs_once_per_tick_across_workers_and_a_leader_kill(
    queue: Queue,
    db: asyncpg.Connection,
    spawn: Callable[[], tuple[subprocess.Popen[bytes], Path]],
) -> None:
    workers = [spawn() for _ in range(3)]

    wanted = 4

    async def enough_ticks() -> bool:
        return len(await jobs_per_tick(db, queue.schema)) >= wanted

    await wait_until(enough_ticks, timeout=30)
    # The leader: the worker whose maintenance enqueued the latest tick.
    leader, leader_log = max(workers, key=lambda w: latest_enqueue(w[1]))
    leader.send_signal(signal.SIGKILL)
    leader.wait(timeout=10)
    last_by_leader = latest_enqueue(leader_log)
    wanted = len(await jobs_per_tick(db, queue.schema)) + 5
    await wait_until(enough_ticks, timeout=30)
    for proc, _ in workers:
        if proc is not leader:
            proc.send_signal(signal.SIGTERM)
    for proc, _ in workers:
        assert proc.wait(timeout=30) in (0, -signal.SIGKILL)

    per_tick = await jobs_per_tick(db, queue.schema)
    assert set(per_tick.values()) == {1}, "a tick got more than one job"
    seen = sorted(datetime.fromisoformat(t) for t in per_tick)
    every_second = [seen[0] + timedelta(seconds=n) for n in range(len(seen))]
    assert seen == every_second, "a tick was missed (catch_up enqueues each)"
    survivors = [latest_enqueue(log) for proc, log in workers if proc is not leader]
    assert max(survivors) > last_by_leader, "no other worker took the ticks over"
