"""The benchmark's polled reads: what a dashboard and Prometheus ask every few seconds,
through the real API over HTTP, as the history of finished jobs grows.

:func:`measure_reads` runs in a fresh schema with live jobs (1,050 waiting and 50
running, each with a payload of 2 kB, and 50 scheduled) and the API served by ``equeue api``
in another process (as the HTTP rows). For each history size of ``reads_history`` in turn,
finished jobs are added up to that size by one SQL statement per million
(``bench_fill_mixed_history``: four tasks, three queues, 1 % failed, 1 % cancelled, a tag
on one job in twenty), vacuumed and analyzed as autovacuum would have; then each polled
request is sent ``reads_requests`` times in a row on one keep-alive connection, after
three unmeasured ones: ``GET /v1/queues``, ``GET /metrics`` and pages of 50 from
``GET /v1/jobs`` under several filters. Each gives a median and a 95th percentile,
``reads_<what>_<history>_{p50,p95}_ms``; the size of a page of 500 jobs goes in
``reads_page500_kb_<history>``, and the claim statement's EXPLAIN ANALYZE (a batch of
``claim_batch``, rolled back) in ``reads_claim_{ms,cost}_<history>``: the claim too must
not grow with history.
"""

from __future__ import annotations

import statistics
import time

from bench.common import Settings, drop, fresh
from bench.http_client import Connection
from bench.http_server import ApiServer
from bench.storage import BenchmarkStorage

#: What is polled: (name, path and query).
POLLED = (
    ("queues", "/v1/queues"),
    ("metrics", "/metrics"),
    ("jobs_newest", "/v1/jobs?limit=50"),
    ("jobs_queue_succeeded", "/v1/jobs?queue=default&status=succeeded&limit=50"),
    ("jobs_failed", "/v1/jobs?status=failed&limit=50"),
    ("jobs_rare_queue_failed", "/v1/jobs?queue=rare&status=failed&limit=50"),
    ("jobs_type", "/v1/jobs?type=report.build&limit=50"),
    ("jobs_tag", "/v1/jobs?tag=customer-7&limit=50"),
    ("jobs_queued", "/v1/jobs?status=queued&limit=50"),
    ("jobs_running", "/v1/jobs?status=running&limit=50"),
)
WARM_UP = 3
LIVE_PAYLOAD = {"to": "someone@example.com", "body": "x" * 2000}


async def measure_reads(settings: Settings) -> dict[str, float]:
    """The polled reads at each history size."""
    queue = await fresh(settings)
    server: ApiServer | None = None
    result: dict[str, float] = {}
    try:
        storage = await BenchmarkStorage.of(queue)
        # Live jobs carry a payload of 2 kB, as an e-mail's would: what a page leaves out.
        await queue.enqueue_many([{"type": "bench.noop", "payload": LIVE_PAYLOAD}] * 1_100)
        await queue.enqueue_many([{"type": "bench.noop", "delay": 3600}] * 50)
        await storage.storage.claim("bench-reads", None, 50, 3600.0)
        server = await ApiServer.start(settings.dsn, settings.schema)
        filled = 0
        for size in sorted(settings.reads_history):
            await storage.fill_mixed_history(size - filled, after=filled)
            filled = size
            # A connection of its own: the server closes one left idle while filling.
            connection = await server.connect()
            try:
                result |= await _poll(connection, size, settings.reads_requests)
            finally:
                await connection.close()
            claim = await storage.explain_claim(settings.claim_batch)
            result[f"reads_claim_ms_{size}"] = claim["execution_ms"]
            result[f"reads_claim_cost_{size}"] = claim["total_cost"]
    finally:
        if server is not None:
            await server.stop()
        await drop(queue)
    return result


async def _poll(connection: Connection, history: int, requests: int) -> dict[str, float]:
    found: dict[str, float] = {}
    for name, path in POLLED:
        for _ in range(WARM_UP):
            await _get(connection, path)
        took = []
        for _ in range(requests):
            started = time.perf_counter()
            await _get(connection, path)
            took.append((time.perf_counter() - started) * 1000)
        took.sort()
        found[f"reads_{name}_{history}_p50_ms"] = statistics.median(took)
        found[f"reads_{name}_{history}_p95_ms"] = took[min(len(took) - 1, int(0.95 * len(took)))]
    found[f"reads_page500_kb_{history}"] = len(await _get(connection, "/v1/jobs?limit=500")) / 1024
    return found


async def _get(connection: Connection, path: str) -> bytes:
    status, body = await connection.request("GET", path)
    if status != 200:
        raise RuntimeError(f"GET {path} answered {status}: {body[:500]!r}")
    return body
