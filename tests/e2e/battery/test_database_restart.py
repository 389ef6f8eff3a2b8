"""A private PostgreSQL server restarted under enqueue and work load: workers reconnect
by themselves and every job whose enqueue committed finishes."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from equeue import Queue
from equeue.embedded import EmbeddedPostgres
from tests.conftest import wait_until
from tests.e2e.battery.battery_app import MAX_ATTEMPTS
from tests.e2e.battery.conftest import Fleet
from tests.e2e.battery.invariants import assert_holds, check, read_executions

pytestmark = pytest.mark.battery
JOB = {"type": "battery.work", "payload": {"seconds": 0.05}, "max_attempts": MAX_ATTEMPTS}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[EmbeddedPostgres]:
    # Outside pytest's private folders: as root the server runs as a user of its own.
    home = Path(tempfile.mkdtemp(prefix="equeue-server-home-", dir="/var/tmp"))
    embedded = EmbeddedPostgres(tmp_path / "pg", server_home=home)
    embedded.start()
    yield embedded
    embedded.stop()
    shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
async def private_queue(server: EmbeddedPostgres) -> AsyncIterator[Queue]:
    queue = Queue(server.url, schema="battery", pool_max_size=4)
    queue.allow_unknown_tasks = True
    await queue.migrate()
    yield queue
    await queue.close()


class Enqueuer:
    """Enqueues small batches without pause; keeps the ids of those that committed."""

    def __init__(self, queue: Queue) -> None:
        self.queue = queue
        self.committed: set[uuid.UUID] = set()
        self.refused = 0
        self.running = True

    async def run(self) -> None:
        while self.running:
            try:
                jobs = await self.queue.enqueue_many([JOB] * 20)
            except Exception:  # the server is down: these never committed
                self.refused += 1
                await asyncio.sleep(0.1)
                continue
            self.committed |= {job.id for job in jobs}
            await asyncio.sleep(0.05)


async def test_workers_reconnect_after_a_database_restart_and_finish_every_job(
    server: EmbeddedPostgres, private_queue: Queue, tmp_path: Path
) -> None:
    fleet = Fleet(server.url, "battery", tmp_path)
    try:
        for _ in range(2):
            fleet.spawn("--concurrency", "20", "--lease", "5")
        enqueuer = Enqueuer(private_queue)
        load = asyncio.create_task(enqueuer.run())
        await wait_until(lambda: len(enqueuer.committed) >= 500, timeout=30)
        # Both workers at work before the fault: one still starting would meet a server
        # that is gone with its start-up statements, and rightly exit (its supervisor
        # starts it again); this scenario is about running workers.
        running = {proc.pid for proc in fleet.started}
        await wait_until(lambda: {r.pid for r in read_executions(tmp_path)} == running, timeout=60)

        await asyncio.to_thread(server.stop)
        await asyncio.sleep(1.0)  # the enqueuer meets a server that is gone
        server.start()
        restarted = time.monotonic()
        before = len(enqueuer.committed)
        await wait_until(lambda: len(enqueuer.committed) >= before + 500, timeout=60)
        enqueuer.running = False
        await load

        async def all_final() -> bool:
            counts = (await private_queue.counts()).get("default", {})
            return counts.get("succeeded", 0) == len(enqueuer.committed)

        await wait_until(all_final, timeout=90)
        recovery = time.monotonic() - restarted
        assert not (gone := fleet.exited()), f"a worker gave up:\n{gone}"
        report = await check(server.url, "battery", enqueuer.committed, tmp_path)
        assert_holds("PostgreSQL restart", report, 1, recovery)
        assert enqueuer.refused > 0  # the restart did reach the callers
    finally:
        fleet.kill_all()
