"""The benchmark's scenarios, each in a fresh schema: see :mod:`bench.benchmark`."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import socket
import time
from typing import Any

from bench.common import (
    Child,
    Settings,
    build_queue,
    drop,
    enqueue_all,
    fresh,
    noop_items,
    percentiles,
    progress,
    worker_settings,
)
from bench.storage import BenchmarkStorage
from equeue.worker import MaintenanceSettings, Worker
from equeue.worker.maintenance import Maintenance


async def measure_enqueue(settings: Settings) -> dict[str, float]:
    """Batch enqueue: jobs per second through ``enqueue_many``."""
    queue = await fresh(settings)
    try:
        items = noop_items(settings.jobs)
        started = time.perf_counter()
        await enqueue_all(queue, items, settings.chunk)
        elapsed = time.perf_counter() - started
    finally:
        await drop(queue)
    return {"enqueue_jobs_per_s": settings.jobs / elapsed}


async def measure_drain(settings: Settings) -> dict[str, float]:
    """One worker process (this one) drains ``jobs`` no-op jobs; jobs per second."""
    queue = await fresh(settings)
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
        storage = await BenchmarkStorage.of(queue)
        succeeded = await storage.succeeded()
        if succeeded != settings.jobs or progress.first_started is None:
            raise RuntimeError(f"drain ended with {succeeded} of {settings.jobs} succeeded")
        elapsed = finished - progress.first_started
    finally:
        await drop(queue)
    return {"drain_jobs_per_s": settings.jobs / elapsed}


async def measure_latency(settings: Settings) -> dict[str, float]:
    """Pickup latency of an idle worker in another process, at ``rate`` jobs/s."""
    queue = await fresh(settings)
    child = await Child.start(settings, "latency-worker", settings.schema)
    try:
        await child.wait_for("ready")
        for warm in range(3):  # connections, caches and the LISTEN path, not measured
            await queue.enqueue("bench.latency", {"sent": time.time(), "seq": -1 - warm})
            await child.wait_for("done")
        waited: list[float] = []
        started = time.perf_counter()
        for seq in range(settings.latency_jobs):
            pause = started + seq / settings.rate - time.perf_counter()
            if pause > 0:
                await asyncio.sleep(pause)
            await queue.enqueue("bench.latency", {"sent": time.time(), "seq": seq})
        while len(waited) < settings.latency_jobs:
            _, _, seconds = (await child.wait_for("done")).split()
            waited.append(float(seconds) * 1000)
    finally:
        await child.stop()
        await drop(queue)
    return percentiles("latency", waited)


async def measure_processes(settings: Settings) -> dict[str, float]:
    """``processes`` worker processes drain the jobs together; jobs per second.

    The jobs wait in a paused queue while the workers start; the clock starts when the
    queue is resumed, and stops when no job is left unfinished.
    """
    queue = await fresh(settings)
    children: list[Child] = []
    try:
        await queue.pause_queue("default")
        await enqueue_all(queue, noop_items(settings.jobs), settings.chunk)
        for _ in range(settings.processes):
            children.append(await Child.start(settings, "drain-worker", settings.schema))
        for child in children:
            await child.wait_for("ready")
        storage = await BenchmarkStorage.of(queue)
        started = time.perf_counter()
        await queue.resume_queue("default")
        await queue.enqueue("bench.noop")  # its notification wakes every worker at once
        while await storage.unfinished():
            await asyncio.sleep(0.01)
        elapsed = time.perf_counter() - started
    finally:
        await asyncio.gather(*(child.stop() for child in children))
        await drop(queue)
    return {f"drain_{settings.processes}p_jobs_per_s": (settings.jobs + 1) / elapsed}


async def measure_explain(settings: Settings) -> dict[str, float]:
    """The claim statement with 1,000 waiting jobs, first alone, then behind history."""
    queue = await fresh(settings)
    try:
        await enqueue_all(queue, noop_items(1_000), 1_000)
        storage = await BenchmarkStorage.of(queue)
        await storage.analyze()
        empty = await storage.explain_claim(settings.claim_batch)
        await storage.fill_history(settings.history_rows)
        full = await storage.explain_claim(settings.claim_batch)
    finally:
        await drop(queue)
    return {
        "claim_cost_0": empty["total_cost"],
        "claim_ms_0": empty["execution_ms"],
        "claim_cost_history": full["total_cost"],
        "claim_ms_history": full["execution_ms"],
        "history_rows": float(settings.history_rows),
    }


async def measure_prune(settings: Settings) -> dict[str, float]:
    """A worker's maintenance, with the default settings, deletes a backlog of
    ``prune_jobs`` expired finished jobs; jobs per second from its start to none left."""
    queue = await fresh(settings)
    maintenance_settings = MaintenanceSettings()
    retention = maintenance_settings.retention_seconds
    try:
        storage = await BenchmarkStorage.of(queue)
        await storage.fill_expired(settings.prune_jobs, retention)
        maintenance = Maintenance(storage.storage, maintenance_settings)
        started = time.perf_counter()
        running = asyncio.create_task(maintenance.run_forever())
        try:
            while await storage.expired_left(retention):
                await asyncio.sleep(0.02)
            elapsed = time.perf_counter() - started
        finally:
            running.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await running
    finally:
        await drop(queue)
    return {"prune_jobs_per_s": settings.prune_jobs / elapsed}


# --- the worker processes ---------------------------------------------------------------


async def run_child(role: str, settings: Settings) -> None:
    """A worker process for ``latency``, ``processes`` or ``fleet``: says ``ready``, runs
    till TERM. A fleet worker then says what it did: ``stats`` and a JSON object with its
    host, the jobs it ran and each claim statement it sent (when, ms, jobs claimed)."""
    fleet = role == "fleet-worker"
    queue = build_queue(settings.dsn, settings.schema, pool_max_size=3 if fleet else 10)
    claims: list[tuple[float, float, int]] = []
    if fleet:
        _time_claims(await queue._storage(), claims)
    worker = Worker(queue, worker_settings(settings))
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, worker.stop)
    running = asyncio.create_task(worker.run())
    storage = await BenchmarkStorage.of(queue)
    while not await storage.worker_seen(worker.id):
        if running.done():
            await running  # raises what stopped it
        await asyncio.sleep(0.01)
    print("ready", flush=True)
    await running
    await queue.close()
    if fleet:
        said = {"host": socket.gethostname(), "handled": progress.handled, "claims": claims}
        print("stats " + json.dumps(said), flush=True)


def _time_claims(storage: Any, claims: list[tuple[float, float, int]]) -> None:
    """Record each claim statement of ``storage``: when it was sent, ms, jobs claimed."""
    claim = storage.claim

    async def timed(*args: Any, **kwargs: Any) -> Any:
        sent = time.monotonic()
        claimed = await claim(*args, **kwargs)
        claims.append((sent, (time.monotonic() - sent) * 1000, len(claimed)))
        return claimed

    storage.claim = timed
