"""``equeue worker --processes N``: real worker processes, supervised and restarted."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from equeue import Queue
from tests.conftest import storage_of

pytestmark = pytest.mark.e2e


async def test_supervised_workers_are_restarted_and_stop_cleanly(
    queue: Queue, database_url: str, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EQUEUE_")}
    env.update(
        EQUEUE_DATABASE_URL=database_url,
        EQUEUE_SCHEMA=queue.schema,
        EQUEUE_POLL_INTERVAL="0.2",
        EQUEUE_SHUTDOWN_GRACE="5",
    )
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        # Popen returns at once (it does not wait for the child): fine in a coroutine.
        supervisor = subprocess.Popen(
            [sys.executable, "-m", "equeue.cli", "worker", "equeue.demo:queue", "--processes", "2"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    parent = psutil.Process(supervisor.pid)
    try:
        first = await _wait_for_workers(queue, parent, 2)
        # Kill one outright: the supervisor must start a new one in its place.
        victim = psutil.Process(first[0])
        victim.kill()
        victim.wait(10)
        replaced = await _wait_for_workers(queue, parent, 2, exclude={first[0]})
        assert first[1] in replaced
        assert first[0] not in replaced

        job = await queue.enqueue("text.reverse", {"text": "hello"}, connection=None)
        deadline = time.monotonic() + 30
        while (current := await queue.get_job(job.id)).status != "succeeded":
            assert time.monotonic() < deadline, current
            await _sleep()
        assert current.result == "olleh"

        children = [psutil.Process(pid) for pid in replaced]
        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(30) == 0
        _, alive = psutil.wait_procs(children, timeout=10)
        assert alive == []
        assert "restarting" in log.read_text()
        storage = await storage_of(queue)
        # Each stopped child removed its row; only the killed one's is left for the
        # maintenance duty to prune.
        assert [w["pid"] for w in await storage.list_workers()] == [first[0]]
    finally:
        if supervisor.poll() is None:
            for child in parent.children(recursive=True):
                child.kill()
            supervisor.kill()
            supervisor.wait(10)


async def _wait_for_workers(
    queue: Queue,
    parent: psutil.Process,
    count: int,
    exclude: set[int] = frozenset(),  # type: ignore[assignment]
) -> list[int]:
    """Wait until ``count`` children run and each registered as a worker; their pids."""
    storage = await storage_of(queue)
    deadline = time.monotonic() + 60
    while True:
        children = sorted(p.pid for p in parent.children() if p.pid not in exclude)
        registered = {w["pid"] for w in await storage.list_workers()}
        if len(children) == count and set(children) <= registered:
            return children
        assert parent.is_running(), "the supervisor died"
        assert time.monotonic() < deadline, (children, registered)
        await _sleep()


async def _sleep() -> None:
    import asyncio

    await asyncio.sleep(0.1)
