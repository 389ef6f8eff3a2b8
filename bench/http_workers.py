"""The benchmark's rows of workers over HTTP: how fast they drain a queue.

:func:`measure_http_workers` serves the REST API with uvicorn in another process (as the
HTTP rows do, :mod:`bench.http_rows`), enqueues ``http_jobs`` no-op jobs, and drains
them with 1, then 4, HTTP workers. Each worker is a loop on a keep-alive connection of
its own: claim up to 100 jobs (the protocol's most), complete each of them with its lease
token, claim again, until a claim comes back empty. The workers run in the benchmark's
process, on the minimal HTTP/1.1 client of the HTTP rows, so the figure is the server's
(the API process and PostgreSQL), not a client library's. Jobs/s is from the first claim
to the last completion, checked against the jobs the database holds succeeded.
"""

from __future__ import annotations

import asyncio
import json
import time

from bench.common import Settings, drop, enqueue_all, fresh, noop_items
from bench.http_client import Connection as HttpConnection
from bench.http_server import ApiServer
from bench.storage import BenchmarkStorage

#: How many HTTP workers drain the queue, one row each.
WORKER_COUNTS = (1, 4)
#: Jobs per claim: the most the protocol allows.
CLAIM_LIMIT = 100


async def measure_http_workers(settings: Settings) -> dict[str, float]:
    """``http_workers_<n>_jobs_per_s`` for each count of workers."""
    queue = await fresh(settings)
    server: ApiServer | None = None
    result: dict[str, float] = {}
    try:
        server = await ApiServer.start(settings.dsn, settings.schema)
        storage = await BenchmarkStorage.of(queue)
        for count in WORKER_COUNTS:
            await enqueue_all(queue, noop_items(settings.http_jobs), settings.chunk)
            before = await storage.succeeded()
            elapsed = await _drain(server, count)
            done = await storage.succeeded() - before
            if done != settings.http_jobs:
                raise RuntimeError(f"{count} HTTP workers: {done} of {settings.http_jobs} done")
            result[f"http_workers_{count}_jobs_per_s"] = settings.http_jobs / elapsed
    finally:
        if server is not None:
            await server.stop()
        await drop(queue)
    return result


async def _drain(server: ApiServer, count: int) -> float:
    """Seconds ``count`` workers take to empty the queue."""
    connections = [await server.connect() for _ in range(count)]
    try:
        for connection in connections:  # the key's lookup and the connection, not measured
            await _claim(connection, "warm-up", "bench-warm-up")
        started = time.perf_counter()
        await asyncio.gather(
            *(_work(connection, f"bench-{n}") for n, connection in enumerate(connections))
        )
        return time.perf_counter() - started
    finally:
        await asyncio.gather(*(connection.close() for connection in connections))


async def _claim(connection: HttpConnection, queue: str, worker: str) -> list[dict[str, str]]:
    path = f"/v1/queues/{queue}/claim?worker={worker}&limit={CLAIM_LIMIT}&lease=60"
    status, answer = await connection.request("POST", path)
    if status != 200:
        raise RuntimeError(f"claim answered {status}: {answer[:500]!r}")
    items: list[dict[str, str]] = json.loads(answer)["items"]
    return items


async def _work(connection: HttpConnection, worker: str) -> None:
    """One HTTP worker: claim a batch, complete each job, until the queue is empty."""
    while jobs := await _claim(connection, "default", worker):
        for job in jobs:
            report = json.dumps({"token": job["lease_token"], "result": None}).encode()
            status, answer = await connection.request(
                "POST", f"/v1/jobs/{job['id']}/complete", report
            )
            if status != 200:
                raise RuntimeError(f"complete answered {status}: {answer[:500]!r}")
