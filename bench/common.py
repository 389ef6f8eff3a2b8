"""What the benchmark's scenarios share: their settings, their queue and its tasks, fresh
schemas, and the worker processes they start."""

from __future__ import annotations

import asyncio
import signal
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.storage import BenchmarkStorage
from equeue.queue import Queue
from equeue.worker import WorkerSettings

#: The repository's root: the benchmark's worker processes import ``bench`` from there.
ROOT = Path(__file__).resolve().parents[1]

DEFAULT_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
SCENARIOS = (
    "enqueue",
    "drain",
    "limited",
    "latency",
    "processes",
    "explain",
    "prune",
    "history",
    "http",
    "http_processes",
    "pgbouncer",
    "fleet",
    "http-workers",
    "reads",
)
#: Scenarios whose figure is one run's worth (too slow, or deterministic, to repeat).
SINGLE_RUN = frozenset({"explain", "reads"})


@dataclass
class Settings:
    """What to measure and at which size; the defaults are the published workload."""

    dsn: str = DEFAULT_DSN
    schema: str = "equeue_bench"
    jobs: int = 20_000
    chunk: int = 20_000  #: jobs per enqueue_many call
    concurrency: int = 2_000  #: worker slots
    claim_batch: int = 2_000  #: most jobs per claim statement
    latency_jobs: int = 200
    rate: float = 20.0  #: jobs per second in the latency scenario
    processes: int = 4
    history_rows: int = 10_000_000
    prune_jobs: int = 1_000_000  #: expired finished jobs the prune scenario starts from
    http_jobs: int = 4_000
    http_clients: int = 16  #: connections per API server process
    http_processes: int = 2  #: API server processes of the http_processes row
    http_load_processes: int = 2  #: processes that post the single jobs
    fleet_processes: int = 8  #: worker processes of the fleet, each on a host of its own
    fleet_jobs: int = 40_000
    #: Finished jobs behind the polled reads, one measurement at each size in turn.
    reads_history: tuple[int, ...] = (0, 1_000_000, 10_000_000)
    reads_requests: int = 50  #: timed requests of each polled read, at each size
    runs: int = 3
    scenarios: list[str] = field(default_factory=lambda: list(SCENARIOS))


# --- the tasks the benchmark runs --------------------------------------------------------


@dataclass
class Progress:
    """Shared by the no-op task and the measurement in one process."""

    first_started: float | None = None
    handled: int = 0


progress = Progress()


def build_queue(
    dsn: str, schema: str, *, pool_max_size: int = 10, direct_dsn: str | None = None
) -> Queue:
    """A queue with the benchmark's two tasks registered; with ``direct_dsn``, ``dsn``
    goes through a pooler in transaction mode."""
    queue = Queue(
        dsn,
        schema=schema,
        pool_max_size=pool_max_size,
        direct_dsn=direct_dsn,
        transaction_pooler=direct_dsn is not None,
    )

    @queue.task(name="bench.noop", max_attempts=1)
    async def noop() -> None:
        if progress.first_started is None:
            progress.first_started = time.perf_counter()
        progress.handled += 1

    @queue.task(name="bench.latency", max_attempts=1)
    async def latency(sent: float, seq: int) -> None:
        # Measured first, reported after: the print is not part of the latency.
        waited = time.time() - sent
        print(f"done {seq} {waited:.6f}", flush=True)

    return queue


async def fresh(settings: Settings, schema: str | None = None) -> Queue:
    queue = build_queue(settings.dsn, schema or settings.schema)
    await (await BenchmarkStorage.of(queue)).drop_schema()
    await queue.migrate()
    return queue


async def drop(queue: Queue) -> None:
    await (await BenchmarkStorage.of(queue)).drop_schema()
    await queue.close()


def noop_items(count: int) -> list[dict[str, Any]]:
    return [{"type": "bench.noop"} for _ in range(count)]


async def enqueue_all(queue: Queue, items: list[dict[str, Any]], chunk: int) -> None:
    for start in range(0, len(items), chunk):
        await queue.enqueue_many(items[start : start + chunk])


def worker_settings(settings: Settings) -> WorkerSettings:
    return WorkerSettings(
        concurrency=settings.concurrency,
        claim_batch=settings.claim_batch,
        poll_interval=0.5,
        shutdown_grace=5.0,
    )


class Child:
    """A worker process of the benchmark, speaking line by line on its stdout."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    @classmethod
    async def start(
        cls,
        settings: Settings,
        role: str,
        schema: str,
        *,
        dsn: str | None = None,
        prefix: Sequence[str] = (),
    ) -> Child:
        """A worker process of ``role`` on ``dsn`` (default: the settings'), its command
        run by ``prefix`` (e.g. in namespaces of its own) when given."""
        process = await asyncio.create_subprocess_exec(
            *prefix,
            sys.executable,
            "-m",
            "bench.benchmark",
            "--role",
            role,
            "--dsn",
            dsn or settings.dsn,
            "--schema",
            schema,
            "--concurrency",
            str(settings.concurrency),
            "--claim-batch",
            str(settings.claim_batch),
            stdout=asyncio.subprocess.PIPE,
            cwd=ROOT,
        )
        return cls(process)

    async def line(self, timeout: float = 60.0) -> str:
        assert self.process.stdout is not None
        raw = await asyncio.wait_for(self.process.stdout.readline(), timeout)
        if not raw:
            raise RuntimeError(f"worker process exited ({await self.process.wait()})")
        return raw.decode().strip()

    async def wait_for(self, prefix: str, timeout: float = 60.0) -> str:
        while True:
            text = await self.line(timeout)
            if text.startswith(prefix):
                return text

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 30)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()

    async def stop_saying(self, prefix: str) -> str:
        """Stop it and return the line starting with ``prefix`` it says on the way out."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        said = await self.wait_for(prefix)
        await self.stop()
        return said


def percentiles(prefix: str, values_ms: list[float]) -> dict[str, float]:
    ordered = sorted(values_ms)

    def pick(fraction: float) -> float:
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]

    return {
        f"{prefix}_p50_ms": statistics.median(ordered),
        f"{prefix}_p99_ms": pick(0.99),
        f"{prefix}_max_ms": ordered[-1],
    }
