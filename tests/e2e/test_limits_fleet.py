"""Fleet-wide limits held by 10 real `equeue worker` processes claiming at once: never
more of the queue running than its concurrency, never more of a group than its group
concurrency, never more started than its rate, counted from the times each run recorded
and from the database's."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from equeue import Queue
from equeue.limits import QueueLimits
from tests.conftest import wait_until
from tests.integration.test_limits import most_at_once, most_in_window

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).parents[2]
WORKERS = 10
GROUPS = ("a", "b", "c", "d")
JOBS = 120


@pytest.fixture
def workers(
    database_url: str, queue: Queue, tmp_path: Path
) -> Iterator[list[subprocess.Popen[bytes]]]:
    environment = {
        **os.environ,
        "EQUEUE_DATABASE_URL": database_url,
        "EQUEUE_SCHEMA": queue.schema,
        "EQUEUE_E2E_DIR": str(tmp_path),
        "PYTHONPATH": str(ROOT),
    }
    command = [sys.executable, "-m", "equeue", "worker", "tests.e2e.limits_app:queue"]
    options = ["--log-level", "WARNING", "--concurrency", "8", "--poll-interval", "0.5"]
    with contextlib.ExitStack() as logs:
        started = [
            subprocess.Popen(
                [*command, *options],
                env=environment,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=logs.enter_context(open(tmp_path / f"worker{i}.log", "wb")),
            )
            for i in range(WORKERS)
        ]
        try:
            yield started
        finally:
            for proc in started:
                proc.kill()
                proc.wait(timeout=10)


def recorded_runs(folder: Path) -> list[tuple[float, float, str, str]]:
    runs = []
    for path in folder.glob("runs.*"):
        for line in path.read_text().splitlines():
            start, end, group, pid, _ = line.split()
            runs.append((float(start), float(end), group, pid))
    return runs


async def test_ten_worker_processes_hold_to_the_limits(
    queue: Queue,
    db: asyncpg.Connection,
    workers: list[subprocess.Popen[bytes]],
    tmp_path: Path,
) -> None:
    queue.allow_unknown_tasks = True
    limits = QueueLimits(concurrency=5, rate=30, burst=3, group_concurrency=2)
    await queue.admin.set_queue_limits("capped", limits)
    # The workers register as they start; enqueue once all have, so all claim together.
    await wait_until(workers_registered(queue, WORKERS), timeout=60)
    items = [
        {"type": "limits.work", "queue": "capped", "group": GROUPS[i % len(GROUPS)],
         "payload": {"seconds": 0.05 + 0.05 * (i % 3), "group": GROUPS[i % len(GROUPS)]}}
        for i in range(JOBS)
    ]  # fmt: skip
    await queue.enqueue_many(items)
    await wait_until(lambda: len(recorded_runs(tmp_path)) >= JOBS, timeout=60)
    assert all(proc.poll() is None for proc in workers)

    runs = recorded_runs(tmp_path)
    assert len(runs) == JOBS  # each job ran once
    assert most_at_once([(start, end) for start, end, _, _ in runs]) <= 5
    for group in GROUPS:
        assert most_at_once([(s, e) for s, e, g, _ in runs if g == group]) <= 2
    assert len({pid for _, _, _, pid in runs}) >= 3  # the fleet shared the work
    started = [
        row["started_at"] for row in await db.fetch(f'SELECT started_at FROM "{queue.schema}".jobs')
    ]
    # The bucket: at most 3 + 30·w starts in any w seconds, and the rate is reached.
    assert most_in_window(started, 1.0) <= 33
    assert most_in_window(started, 0.2) <= 9
    span = (max(started) - min(started)).total_seconds()
    assert (JOBS - 3) / 30 - 0.2 <= span <= (JOBS - 3) / 30 + 2.0


def workers_registered(queue: Queue, expected: int) -> Callable[[], Any]:
    """A check for wait_until: ``expected`` workers have registered."""

    async def check() -> bool:
        return len(await queue.admin.workers()) >= expected

    return check
