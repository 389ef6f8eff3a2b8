"""The benchmark's HTTP rows: the REST API served by uvicorn in another process.

:func:`measure_http` runs, in a fresh schema, against ``equeue.api.create_app`` served by
uvicorn in a subprocess on a free port:

- ``http_roundtrip``: jobs posted one at a time (``POST /v1/jobs``) at ``rate`` jobs/s
  while a worker process waits (half as many as the ``latency`` scenario's, to keep the
  scenario short); latency from just before the POST to the ``succeeded`` event arriving
  on the events WebSocket (``/v1/events``), which is what a client of the API sees. That
  includes the event hub's batching window (``events_batch_seconds``, 0.1 s by default),
  so ``http_notified`` also reports when the API process learned of the success (the
  event's ``at``), which leaves the window out;
- ``http_single``: ``http_jobs`` single-job POSTs over ``http_clients`` concurrent
  keep-alive connections, jobs/s and request latency;
- ``http_batch``: ``jobs`` jobs posted 1,000 per ``POST /v1/jobs/batch``, jobs/s.

The worker is stopped before the enqueue rows are timed, so they measure the API alone.
The server runs with its default settings but for the per-key rate limit, lifted so the
benchmark measures the server rather than the limiter. The client is a minimal HTTP/1.1
one: on two cores a full client library costs more CPU per request than the server, and
the figures would be the library's.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime

import websockets

from bench.common import Child, Settings, drop, fresh, percentiles
from bench.http_load import drive
from bench.http_server import ApiServer

#: Jobs in one ``POST /v1/jobs/batch`` (the API's default ``max_batch_size``).
BATCH_SIZE = 1_000
WARM_UP_REQUESTS = 3
HOST = "127.0.0.1"


async def measure_http(settings: Settings) -> dict[str, float]:
    """The HTTP rows: round trip through the whole stack, single and batch enqueue."""
    queue = await fresh(settings)
    server: ApiServer | None = None
    worker: Child | None = None
    try:
        server = await ApiServer.start(settings.dsn, settings.schema)
        worker = await Child.start(settings, "drain-worker", settings.schema)
        await worker.wait_for("ready")  # its tasks are registered: the API accepts them
        result = await _roundtrip(settings, server)
        await worker.stop()
        result |= await _single(settings, server)
        result |= await _batch(settings, server)
    finally:
        if worker is not None:
            await worker.stop()
        if server is not None:
            await server.stop()
        await drop(queue)
    return result


# --- enqueue → succeeded -----------------------------------------------------------------


@dataclass
class _Succeeded:
    """When each job's ``succeeded`` event arrived, and the ``at`` it carried."""

    arrived: dict[str, float] = field(default_factory=dict)  #: perf_counter
    at: dict[str, float] = field(default_factory=dict)  #: epoch seconds
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    async def wait_for(self, ids: list[str], timeout: float) -> None:
        deadline = time.perf_counter() + timeout
        while any(job_id not in self.arrived for job_id in ids):
            left = deadline - time.perf_counter()
            if left <= 0:
                missing = sum(job_id not in self.arrived for job_id in ids)
                raise RuntimeError(f"{missing} jobs not seen succeeded within {timeout:g} s")
            self.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), left)


@contextlib.asynccontextmanager
async def _events(server: ApiServer) -> AsyncIterator[_Succeeded]:
    """Listen on the events socket for ``succeeded`` in the default queue."""
    url = f"ws://{HOST}:{server.port}/v1/events?queue=default"
    seen = _Succeeded()
    async with websockets.connect(url, additional_headers={"x-api-key": server.key}) as ws:

        async def read() -> None:
            async for message in ws:
                now = time.perf_counter()
                for event in json.loads(message)["events"]:
                    if event["status"] == "succeeded":
                        seen.arrived[event["job_id"]] = now
                        seen.at[event["job_id"]] = datetime.fromisoformat(event["at"]).timestamp()
                seen.changed.set()

        reader = asyncio.create_task(read())
        try:
            yield seen
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader


async def _roundtrip(settings: Settings, server: ApiServer) -> dict[str, float]:
    connection = await server.connect()
    try:
        async with _events(server) as seen:
            # Connections, caches and the LISTEN paths warm up first, not measured.
            warm = [await connection.post_job() for _ in range(WARM_UP_REQUESTS)]
            await seen.wait_for(warm, timeout=30)
            sent: dict[str, tuple[float, float]] = {}  # id -> (perf_counter, epoch) before
            started = time.perf_counter()
            for seq in range(max(1, settings.latency_jobs // 2)):
                pause = started + seq / settings.rate - time.perf_counter()
                if pause > 0:
                    await asyncio.sleep(pause)
                before = (time.perf_counter(), time.time())
                sent[await connection.post_job()] = before
            await seen.wait_for(list(sent), timeout=60)
    finally:
        await connection.close()
    seen_ms = [(seen.arrived[i] - t0) * 1000 for i, (t0, _) in sent.items()]
    learned_ms = [(seen.at[i] - wall) * 1000 for i, (_, wall) in sent.items()]
    return _p50_p99("http_roundtrip", seen_ms) | _p50_p99("http_notified", learned_ms)


def _p50_p99(prefix: str, values_ms: list[float]) -> dict[str, float]:
    found = percentiles(prefix, values_ms)
    return {key: found[key] for key in (f"{prefix}_p50_ms", f"{prefix}_p99_ms")}


# --- enqueue throughput -------------------------------------------------------------------


async def _single(settings: Settings, server: ApiServer) -> dict[str, float]:
    """``http_jobs`` single-job POSTs over ``http_clients`` connections per server process,
    from ``http_load_processes`` processes of their own (:mod:`bench.http_load`)."""
    return await single_enqueue(settings, server, "http_single")


async def single_enqueue(settings: Settings, server: ApiServer, prefix: str) -> dict[str, float]:
    """Single-job enqueue against ``server``: ``<prefix>_jobs_per_s``, ``_p50_ms``, ``_p99_ms``."""
    found = await asyncio.to_thread(
        drive,
        server.port,
        server.key,
        settings.http_load_processes,
        settings.http_clients * server.workers,
        settings.http_jobs,
    )
    return {f"{prefix}_{name}": value for name, value in found.items()}


async def measure_http_processes(settings: Settings) -> dict[str, float]:
    """Single-job enqueue against ``equeue api --workers <http_processes>``."""
    queue = await fresh(settings)
    worker = await Child.start(settings, "drain-worker", settings.schema)
    server: ApiServer | None = None
    try:
        await worker.wait_for("ready")  # its tasks are registered: the API accepts them
        await worker.stop()
        server = await ApiServer.start(
            settings.dsn, settings.schema, workers=settings.http_processes
        )
        return await single_enqueue(settings, server, f"http_single_{settings.http_processes}p")
    finally:
        await worker.stop()
        if server is not None:
            await server.stop()
        await drop(queue)


async def _batch(settings: Settings, server: ApiServer) -> dict[str, float]:
    """``jobs`` jobs, ``BATCH_SIZE`` per request, one request after the other."""
    bodies = [
        json.dumps({"jobs": [{"type": "bench.noop"}] * min(BATCH_SIZE, settings.jobs - start)})
        for start in range(0, settings.jobs, BATCH_SIZE)
    ]
    connection = await server.connect()
    try:
        started = time.perf_counter()
        for body in bodies:
            await connection.post_json("/v1/jobs/batch", body.encode())
        elapsed = time.perf_counter() - started
    finally:
        await connection.close()
    return {"http_batch_jobs_per_s": settings.jobs / elapsed}
