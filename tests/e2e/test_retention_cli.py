"""``equeue worker`` takes the retention settings from its flags: its maintenance prunes
finished jobs by them."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from equeue import JobStatus, Queue

pytestmark = pytest.mark.e2e


async def test_worker_flags_set_retention_and_pruning(
    queue: Queue, database_url: str, tmp_path: Path
) -> None:
    queue.allow_unknown_tasks = True
    finished = [job.id for job in await queue.enqueue_many([{"type": "x"}] * 5)]
    for job_id in finished:
        await queue.cancel(job_id)
    waiting = await queue.enqueue("x", delay=3600)
    env = {k: v for k, v in os.environ.items() if not k.startswith("EQUEUE_")}
    env.update(EQUEUE_DATABASE_URL=database_url, EQUEUE_SCHEMA=queue.schema)
    command = [
        sys.executable, "-m", "equeue.cli", "worker", "equeue.demo:queue",
        "--retention-seconds", "0", "--prune-interval", "0.2", "--prune-batch-size", "2",
        "--prune-round-seconds", "5",
    ]  # fmt: skip
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        worker = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = asyncio.get_running_loop().time() + 30
        while (await queue.list_jobs())[0] != [await queue.get_job(waiting.id)]:
            assert worker.poll() is None, log.read_text()
            assert asyncio.get_running_loop().time() < deadline, log.read_text()
            await asyncio.sleep(0.1)
    finally:
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(30) == 0, log.read_text()
    assert (await queue.get_job(waiting.id)).status is JobStatus.SCHEDULED
    assert "pruned" in log.read_text()
