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
import os
import secrets
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import websockets

from bench.common import Child, Settings, drop, fresh, percentiles

#: Jobs in one ``POST /v1/jobs/batch`` (the API's default ``max_batch_size``).
BATCH_SIZE = 1_000
WARM_UP_REQUESTS = 3
_HOST = "127.0.0.1"
_ONE_JOB = json.dumps({"type": "bench.noop"}).encode()

_SERVER = """
import os, uvicorn
from equeue import Queue
from equeue.api import create_app
queue = Queue(os.environ["EQUEUE_DATABASE_URL"], schema=os.environ["EQUEUE_SCHEMA"])
uvicorn.run(create_app(queue), host="127.0.0.1", port=int(os.environ["EQUEUE_BENCH_PORT"]),
            log_level="warning", access_log=False)
"""


class HttpConnection:
    """One keep-alive HTTP/1.1 connection, one request at a time."""

    def __init__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, headers: bytes
    ) -> None:
        self._reader = reader
        self._writer = writer
        self._headers = headers

    @classmethod
    async def open(cls, port: int, key: str) -> HttpConnection:
        reader, writer = await asyncio.open_connection(_HOST, port)
        return cls(reader, writer, f"host: {_HOST}:{port}\r\nx-api-key: {key}\r\n".encode())

    async def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        """The response's status and body."""
        head = f"{method} {path} HTTP/1.1\r\n".encode() + self._headers
        if body:
            head += b"content-type: application/json\r\ncontent-length: %d\r\n" % len(body)
        self._writer.write(head + b"\r\n" + body)
        try:
            received = await self._reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:
            raise RuntimeError(f"{method} {path}: the server closed the connection") from None
        status_line, *lines = received.decode("latin-1").split("\r\n")
        length = 0
        for line in lines:
            name, _, value = line.partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "transfer-encoding":
                raise RuntimeError(f"{method} {path}: unexpected transfer-encoding {value}")
        return int(status_line.split()[1]), await self._reader.readexactly(length)

    async def post_json(self, path: str, body: bytes) -> Any:
        """POST and the decoded answer; anything but 201 is an error."""
        status, answer = await self.request("POST", path, body)
        if status != 201:
            raise RuntimeError(f"POST {path} answered {status}: {answer[:500]!r}")
        return json.loads(answer)

    async def post_job(self) -> str:
        """Enqueue one no-op job; its id."""
        return str((await self.post_json("/v1/jobs", _ONE_JOB))["id"])

    async def close(self) -> None:
        self._writer.close()
        with contextlib.suppress(OSError):
            await self._writer.wait_closed()


@dataclass
class ApiServer:
    """The API in a uvicorn process, with the admin key it accepts."""

    process: asyncio.subprocess.Process
    port: int
    key: str

    @classmethod
    async def start(cls, settings: Settings) -> ApiServer:
        port = _free_port()
        key = secrets.token_urlsafe(24)
        env = {
            **os.environ,
            "EQUEUE_DATABASE_URL": settings.dsn,
            "EQUEUE_SCHEMA": settings.schema,
            "EQUEUE_BENCH_PORT": str(port),
            "EQUEUE_API_KEY": key,
            "EQUEUE_RATE_LIMIT_PER_SECOND": "1000000000",
            "EQUEUE_RATE_LIMIT_BURST": "1000000000",
        }
        process = await asyncio.create_subprocess_exec(sys.executable, "-c", _SERVER, env=env)
        server = cls(process, port, key)
        try:
            await server._wait_ready()
        except BaseException:
            await server.stop()
            raise
        return server

    async def _wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.returncode is not None:
                raise RuntimeError(f"API server exited at start ({self.process.returncode})")
            with contextlib.suppress(OSError, RuntimeError):
                connection = await self.connect()
                try:
                    if (await connection.request("GET", "/readyz"))[0] == 200:
                        return
                finally:
                    await connection.close()
            await asyncio.sleep(0.05)
        raise RuntimeError(f"API server not ready within {timeout:g} s")

    async def connect(self) -> HttpConnection:
        return await HttpConnection.open(self.port, self.key)

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 15)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((_HOST, 0))
        return int(probe.getsockname()[1])


async def measure_http(settings: Settings) -> dict[str, float]:
    """The HTTP rows: round trip through the whole stack, single and batch enqueue."""
    queue = await fresh(settings)
    server: ApiServer | None = None
    worker: Child | None = None
    try:
        server = await ApiServer.start(settings)
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
    url = f"ws://{_HOST}:{server.port}/v1/events?queue=default"
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
    """``http_jobs`` POSTs of one job each over ``http_clients`` concurrent connections."""
    connections = [await server.connect() for _ in range(settings.http_clients)]
    remaining = iter(range(settings.http_jobs))  # shared: each job is posted once
    latencies: list[float] = []

    async def post_all(connection: HttpConnection) -> None:
        for _ in remaining:
            before = time.perf_counter()
            await connection.post_job()
            latencies.append((time.perf_counter() - before) * 1000)

    try:
        for connection in connections:  # warm up every connection, not measured
            await connection.post_job()
        started = time.perf_counter()
        await asyncio.gather(*(post_all(connection) for connection in connections))
        elapsed = time.perf_counter() - started
    finally:
        await asyncio.gather(*(connection.close() for connection in connections))
    rate = {"http_single_jobs_per_s": settings.http_jobs / elapsed}
    return rate | _p50_p99("http_single", latencies)


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
