"""The ``pgbouncer`` scenario: equeue through a real PgBouncer in transaction mode, as
docs/deploy.md recommends it (``transaction_pooler``, LISTEN and migrations on the direct
URL): single-job enqueue over HTTP (one API process, its pool through PgBouncer) and the
no-op drain by one worker process (its pool and heartbeat through PgBouncer).

Every statement goes unprepared there (asyncpg prepares it unnamed, on the connection
that runs it): two round trips instead of one, which is what these rows measure against
the direct ones.
"""

from __future__ import annotations

import asyncio
import time

from bench.common import (
    Child,
    Settings,
    build_queue,
    drop,
    enqueue_all,
    fresh,
    noop_items,
    progress,
    worker_settings,
)
from bench.http_rows import single_enqueue
from bench.http_server import ApiServer
from bench.pgbouncer import PgBouncer
from bench.storage import BenchmarkStorage
from equeue.worker import Worker

#: Server connections PgBouncer keeps for the benchmark's database.
POOL_SIZE = 10


async def measure_pgbouncer(settings: Settings) -> dict[str, float]:
    result: dict[str, float] = {}
    with PgBouncer(settings.dsn, pool_size=POOL_SIZE) as bouncer:
        for part in (_http, _drain):
            queue = await fresh(settings)  # migrated on the direct URL, as it must be
            try:
                result |= await part(settings, bouncer)
            finally:
                await drop(queue)
    return result


async def _http(settings: Settings, bouncer: PgBouncer) -> dict[str, float]:
    worker = await Child.start(settings, "drain-worker", settings.schema)
    server: ApiServer | None = None
    try:
        await worker.wait_for("ready")  # its tasks are registered: the API accepts them
        await worker.stop()
        pooled = {"EQUEUE_DIRECT_DATABASE_URL": settings.dsn, "EQUEUE_TRANSACTION_POOLER": "true"}
        server = await ApiServer.start(bouncer.url(), settings.schema, env=pooled)
        return await single_enqueue(settings, server, "http_single_pgbouncer")
    finally:
        await worker.stop()
        if server is not None:
            await server.stop()


async def _drain(settings: Settings, bouncer: PgBouncer) -> dict[str, float]:
    """As the ``drain`` scenario, the worker's connections through PgBouncer."""
    queue = build_queue(bouncer.url(), settings.schema, direct_dsn=settings.dsn)
    storage = await BenchmarkStorage.of(queue)
    try:
        await enqueue_all(queue, noop_items(settings.jobs), settings.chunk)
        progress.first_started, progress.handled = None, 0
        worker = Worker(queue, worker_settings(settings))
        running = asyncio.create_task(worker.run())
        while worker.jobs_done < settings.jobs and not running.done():
            await asyncio.sleep(0.002)
        finished = time.perf_counter()
        worker.stop()
        await running
        done = await storage.succeeded()
        if done != settings.jobs or progress.first_started is None:
            raise RuntimeError(f"drain ended with {done} of {settings.jobs} succeeded")
        elapsed = finished - progress.first_started
    finally:
        await queue.close()
    return {"drain_pgbouncer_jobs_per_s": settings.jobs / elapsed}
