"""The ``limited`` scenario: a queue held to fleet-wide limits (docs/limits.md) beside an
unlimited one, both served by one worker process (this one). The figure is the
unlimited queue's throughput, to set beside ``drain``: a limited queue must not slow the
others down."""

from __future__ import annotations

import asyncio
import time

from bench.common import Settings, drop, enqueue_all, fresh, noop_items, progress, worker_settings
from bench.storage import BenchmarkStorage
from equeue.limits import QueueLimits
from equeue.worker import Worker

#: The limited queue: 4 of its jobs at once, 200 started per second at most.
LIMITS = QueueLimits(concurrency=4, rate=200)
LIMITED = "limited"


async def measure_limited(settings: Settings) -> dict[str, float]:
    """Jobs per second of the unlimited queue, from its first job started to its last
    outcome written, while a limited queue with a quarter as many jobs waits beside."""
    queue = await fresh(settings)

    @queue.task(name="bench.limited", queue=LIMITED, max_attempts=1)
    async def limited() -> None:
        await asyncio.sleep(0.001)

    try:
        await queue.admin.set_queue_limits(LIMITED, LIMITS)
        limited_items = [{"type": "bench.limited"} for _ in range(settings.jobs // 4)]
        await enqueue_all(queue, limited_items, settings.chunk)
        await enqueue_all(queue, noop_items(settings.jobs), settings.chunk)
        storage = await BenchmarkStorage.of(queue)
        progress.first_started, progress.handled = None, 0
        worker = Worker(queue, worker_settings(settings))
        running = asyncio.create_task(worker.run())
        while progress.handled < settings.jobs and not running.done():
            await asyncio.sleep(0.002)
        while await storage.unfinished_in("default") and not running.done():
            await asyncio.sleep(0.002)
        finished = time.perf_counter()
        limited_left = await storage.unfinished_in(LIMITED)
        worker.stop()
        await running
        if progress.first_started is None:
            raise RuntimeError("the limited scenario ran no job")
        elapsed = finished - progress.first_started
    finally:
        await drop(queue)
    return {
        "limited_beside_jobs_per_s": settings.jobs / elapsed,
        "limited_queue_jobs_per_s": (settings.jobs // 4 - limited_left) / elapsed,
    }
