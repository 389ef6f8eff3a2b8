"""equeue's own benchmark: how fast jobs go in, come out, and get picked up.

``python -m equeue.benchmark`` (or ``equeue bench``) measures, on one PostgreSQL:

- ``enqueue``: batch enqueue of no-op jobs through :meth:`Queue.enqueue_many`;
- ``drain``: those jobs drained by one worker process, from the first job started to
  the last outcome written (acknowledged, not merely run);
- ``latency``: jobs enqueued one at a time at a fixed rate while an idle worker waits in
  another process; latency is handler start minus the moment just before ``enqueue``;
- ``processes``: the drain with several worker processes;
- ``explain``: the claim statement's EXPLAIN ANALYZE with 0 and with many finished jobs
  in the table (history that a long-lived deployment keeps);
- ``prune``: retention pruning as a worker's maintenance runs it (default settings:
  bounded rounds, a pause between them while behind), from a backlog of expired finished
  jobs to none; jobs deleted per second, pauses included;
- ``http``: single and batch enqueue over the REST API (uvicorn in another process), and
  enqueue → succeeded through the whole stack, when the API is installed.

Each scenario runs in a fresh schema. Results print as a table and, with ``--json``,
as JSON that the side-by-side harness (``bench/run.py``) reads.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import json
import os
import signal
import socket
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from equeue.queue import Queue
from equeue.storage.benchmark import BenchmarkStorage
from equeue.worker import MaintenanceSettings, Worker, WorkerSettings
from equeue.worker.maintenance import Maintenance

DEFAULT_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
SCENARIOS = ("enqueue", "drain", "latency", "processes", "explain", "prune", "http")
#: Scenarios whose figure is one run's worth (too slow, or deterministic, to repeat).
SINGLE_RUN = frozenset({"explain"})


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
    http_jobs: int = 2_000
    http_clients: int = 16
    runs: int = 3
    scenarios: list[str] = field(default_factory=lambda: list(SCENARIOS))


# --- the tasks the benchmark runs --------------------------------------------------------


@dataclass
class _Progress:
    """Shared by the no-op task and the measurement in one process."""

    first_started: float | None = None
    handled: int = 0


_progress = _Progress()


def build_queue(dsn: str, schema: str, *, pool_max_size: int = 10) -> Queue:
    """A queue with the benchmark's two tasks registered."""
    queue = Queue(dsn, schema=schema, pool_max_size=pool_max_size)

    @queue.task(name="bench.noop", max_attempts=1)
    async def noop() -> None:
        if _progress.first_started is None:
            _progress.first_started = time.perf_counter()
        _progress.handled += 1

    @queue.task(name="bench.latency", max_attempts=1)
    async def latency(sent: float, seq: int) -> None:
        # Measured first, reported after: the print is not part of the latency.
        waited = time.time() - sent
        print(f"done {seq} {waited:.6f}", flush=True)

    return queue


async def _fresh(settings: Settings, schema: str | None = None) -> Queue:
    queue = build_queue(settings.dsn, schema or settings.schema)
    await BenchmarkStorage(await queue._storage()).drop_schema()
    await queue.migrate()
    return queue


async def _drop(queue: Queue) -> None:
    await BenchmarkStorage(await queue._storage()).drop_schema()
    await queue.close()


def _noop_items(count: int) -> list[dict[str, Any]]:
    return [{"type": "bench.noop"} for _ in range(count)]


async def _enqueue_all(queue: Queue, items: list[dict[str, Any]], chunk: int) -> None:
    for start in range(0, len(items), chunk):
        await queue.enqueue_many(items[start : start + chunk])


# --- scenarios ------------------------------------------------------------------------------


async def measure_enqueue(settings: Settings) -> dict[str, float]:
    """Batch enqueue: jobs per second through ``enqueue_many``."""
    queue = await _fresh(settings)
    try:
        items = _noop_items(settings.jobs)
        started = time.perf_counter()
        await _enqueue_all(queue, items, settings.chunk)
        elapsed = time.perf_counter() - started
    finally:
        await _drop(queue)
    return {"enqueue_jobs_per_s": settings.jobs / elapsed}


async def measure_drain(settings: Settings) -> dict[str, float]:
    """One worker process (this one) drains ``jobs`` no-op jobs; jobs per second."""
    queue = await _fresh(settings)
    try:
        await _enqueue_all(queue, _noop_items(settings.jobs), settings.chunk)
        _progress.first_started, _progress.handled = None, 0
        worker = Worker(queue, _worker_settings(settings))
        running = asyncio.create_task(worker.run())
        while worker.jobs_done < settings.jobs and not running.done():
            await asyncio.sleep(0.002)
        finished = time.perf_counter()
        worker.stop()
        await running
        storage = BenchmarkStorage(await queue._storage())
        succeeded = await storage.succeeded()
        if succeeded != settings.jobs or _progress.first_started is None:
            raise RuntimeError(f"drain ended with {succeeded} of {settings.jobs} succeeded")
        elapsed = finished - _progress.first_started
    finally:
        await _drop(queue)
    return {"drain_jobs_per_s": settings.jobs / elapsed}


def _worker_settings(settings: Settings) -> WorkerSettings:
    return WorkerSettings(
        concurrency=settings.concurrency,
        claim_batch=settings.claim_batch,
        poll_interval=0.5,
        shutdown_grace=5.0,
    )


class _Child:
    """A worker process of the benchmark, speaking line by line on its stdout."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    @classmethod
    async def start(cls, settings: Settings, role: str, schema: str) -> _Child:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "equeue.benchmark",
            "--role",
            role,
            "--dsn",
            settings.dsn,
            "--schema",
            schema,
            "--concurrency",
            str(settings.concurrency),
            "--claim-batch",
            str(settings.claim_batch),
            stdout=asyncio.subprocess.PIPE,
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


async def measure_latency(settings: Settings) -> dict[str, float]:
    """Pickup latency of an idle worker in another process, at ``rate`` jobs/s."""
    queue = await _fresh(settings)
    child = await _Child.start(settings, "latency-worker", settings.schema)
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
        await _drop(queue)
    return _percentiles("latency", waited)


def _percentiles(prefix: str, values_ms: list[float]) -> dict[str, float]:
    ordered = sorted(values_ms)

    def pick(fraction: float) -> float:
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]

    return {
        f"{prefix}_p50_ms": statistics.median(ordered),
        f"{prefix}_p99_ms": pick(0.99),
        f"{prefix}_max_ms": ordered[-1],
    }


async def measure_processes(settings: Settings) -> dict[str, float]:
    """``processes`` worker processes drain the jobs together; jobs per second.

    The jobs wait in a paused queue while the workers start; the clock starts when the
    queue is resumed, and stops when no job is left unfinished.
    """
    queue = await _fresh(settings)
    children: list[_Child] = []
    try:
        await queue.pause_queue("default")
        await _enqueue_all(queue, _noop_items(settings.jobs), settings.chunk)
        for _ in range(settings.processes):
            children.append(await _Child.start(settings, "drain-worker", settings.schema))
        for child in children:
            await child.wait_for("ready")
        storage = BenchmarkStorage(await queue._storage())
        started = time.perf_counter()
        await queue.resume_queue("default")
        await queue.enqueue("bench.noop")  # its notification wakes every worker at once
        while await storage.unfinished():
            await asyncio.sleep(0.01)
        elapsed = time.perf_counter() - started
    finally:
        await asyncio.gather(*(child.stop() for child in children))
        await _drop(queue)
    return {f"drain_{settings.processes}p_jobs_per_s": (settings.jobs + 1) / elapsed}


async def measure_explain(settings: Settings) -> dict[str, float]:
    """The claim statement with 1,000 waiting jobs, first alone, then behind history."""
    queue = await _fresh(settings)
    try:
        await _enqueue_all(queue, _noop_items(1_000), 1_000)
        storage = BenchmarkStorage(await queue._storage())
        await storage.analyze()
        empty = await storage.explain_claim(settings.claim_batch)
        await storage.fill_history(settings.history_rows)
        full = await storage.explain_claim(settings.claim_batch)
    finally:
        await _drop(queue)
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
    queue = await _fresh(settings)
    maintenance_settings = MaintenanceSettings()
    retention = maintenance_settings.retention_seconds
    try:
        storage = BenchmarkStorage(await queue._storage())
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
        await _drop(queue)
    return {"prune_jobs_per_s": settings.prune_jobs / elapsed}


def http_available() -> bool:
    """Whether the REST API is installed (the HTTP rows need it)."""
    if importlib.util.find_spec("equeue.benchmark_http") is None:
        return False
    return importlib.util.find_spec("equeue.api") is not None and _has_create_app()


def _has_create_app() -> bool:
    try:
        module = importlib.import_module("equeue.api")
    except Exception:
        return False
    return hasattr(module, "create_app")


MEASURES: dict[str, Callable[[Settings], Awaitable[dict[str, float]]]] = {
    "enqueue": measure_enqueue,
    "drain": measure_drain,
    "latency": measure_latency,
    "processes": measure_processes,
    "explain": measure_explain,
    "prune": measure_prune,
}


# --- the worker processes ---------------------------------------------------------------


async def run_child(role: str, settings: Settings) -> None:
    """A worker process for ``latency`` or ``processes``: says ``ready``, runs till TERM."""
    queue = build_queue(settings.dsn, settings.schema)
    worker = Worker(queue, _worker_settings(settings))
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, worker.stop)
    running = asyncio.create_task(worker.run())
    storage = await queue._storage()
    while not any(w["id"] == worker.id for w in await storage.list_workers()):
        if running.done():
            await running  # raises what stopped it
        await asyncio.sleep(0.01)
    print("ready", flush=True)
    await running
    await queue.close()


# --- running and reporting ---------------------------------------------------------------


async def run(settings: Settings, log: Callable[[str], None]) -> dict[str, list[float]]:
    """Every chosen scenario, ``runs`` times each; each metric's values in run order."""
    values: dict[str, list[float]] = {}
    for name in settings.scenarios:
        measure = MEASURES.get(name)
        if name == "http":
            if not http_available():
                log("http: not measured: the REST API (equeue.api) is not installed")
                continue
            measure = importlib.import_module("equeue.benchmark_http").measure_http
        if measure is None:
            raise ValueError(f"unknown scenario {name!r}; choose from {', '.join(SCENARIOS)}")
        runs = 1 if name in SINGLE_RUN else settings.runs
        for number in range(1, runs + 1):
            result = await measure(settings)
            log(f"{name} run {number}/{runs}: " + _describe(result))
            for key, value in result.items():
                values.setdefault(key, []).append(value)
    return values


def _describe(result: dict[str, float]) -> str:
    return ", ".join(f"{key}={value:,.2f}" for key, value in result.items())


def summarize(values: dict[str, list[float]]) -> dict[str, dict[str, float]]:
    """Median, min and max of each metric."""
    return {
        key: {"median": statistics.median(vs), "min": min(vs), "max": max(vs), "runs": len(vs)}
        for key, vs in values.items()
    }


def format_table(summary: dict[str, dict[str, float]]) -> str:
    """A plain-text table: metric, median, min-max."""
    lines = [f"{'metric':<28} {'median':>12}  {'min - max':>26}"]
    for key, s in summary.items():
        spread = f"{s['min']:,.1f} - {s['max']:,.1f}"
        lines.append(f"{key:<28} {s['median']:>12,.1f}  {spread:>26}")
    return "\n".join(lines)


def _parser() -> argparse.ArgumentParser:
    defaults = Settings()
    p = argparse.ArgumentParser(prog="equeue bench", description=__doc__.split("\n\n")[0])
    p.add_argument("--dsn", default=os.environ.get("EQUEUE_DATABASE_URL", DEFAULT_DSN))
    p.add_argument("--schema", default=defaults.schema)
    p.add_argument("--jobs", type=int, default=defaults.jobs)
    p.add_argument("--chunk", type=int, default=defaults.chunk)
    p.add_argument("--concurrency", type=int, default=defaults.concurrency)
    p.add_argument("--claim-batch", type=int, default=defaults.claim_batch)
    p.add_argument("--latency-jobs", type=int, default=defaults.latency_jobs)
    p.add_argument("--rate", type=float, default=defaults.rate)
    p.add_argument("--processes", type=int, default=defaults.processes)
    p.add_argument("--history-rows", type=int, default=defaults.history_rows)
    p.add_argument("--prune-jobs", type=int, default=defaults.prune_jobs)
    p.add_argument("--http-jobs", type=int, default=defaults.http_jobs)
    p.add_argument("--http-clients", type=int, default=defaults.http_clients)
    p.add_argument("--runs", type=int, default=defaults.runs)
    p.add_argument("--scenario", nargs="+", choices=SCENARIOS, default=list(SCENARIOS))
    p.add_argument("--json", help="write the results here as JSON ('-' for stdout)")
    p.add_argument("--role", choices=("latency-worker", "drain-worker"), help=argparse.SUPPRESS)
    return p


def _settings(args: argparse.Namespace) -> Settings:
    return Settings(
        dsn=args.dsn,
        schema=args.schema,
        jobs=args.jobs,
        chunk=args.chunk,
        concurrency=args.concurrency,
        claim_batch=args.claim_batch,
        latency_jobs=args.latency_jobs,
        rate=args.rate,
        processes=args.processes,
        history_rows=args.history_rows,
        prune_jobs=args.prune_jobs,
        http_jobs=args.http_jobs,
        http_clients=args.http_clients,
        runs=args.runs,
        scenarios=list(args.scenario),
    )


def _run_loop(coro: Awaitable[Any]) -> Any:
    """Run on uvloop when it is installed, as the worker command does."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coro)  # type: ignore[arg-type]
    return uvloop.run(coro)  # type: ignore[arg-type]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; returns the process exit status."""
    args = _parser().parse_args(list(argv) if argv is not None else None)
    settings = _settings(args)
    if args.role:
        with contextlib.suppress(KeyboardInterrupt):
            _run_loop(run_child(args.role, settings))
        return 0

    def log(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    log(f"equeue benchmark on {socket.gethostname()}, {os.cpu_count()} cores: {args.dsn}")
    values = _run_loop(run(settings, log))
    summary = summarize(values)
    report = {
        "system": "equeue",
        "settings": {
            "jobs": settings.jobs,
            "chunk": settings.chunk,
            "concurrency": settings.concurrency,
            "claim_batch": settings.claim_batch,
            "processes": settings.processes,
            "latency_jobs": settings.latency_jobs,
            "rate": settings.rate,
            "history_rows": settings.history_rows,
            "prune_jobs": settings.prune_jobs,
            "http_jobs": settings.http_jobs,
            "http_clients": settings.http_clients,
            "runs": settings.runs,
        },
        "values": values,
        "summary": summary,
    }
    if args.json == "-":
        print(json.dumps(report, indent=2))
    else:
        print(format_table(summary))
        if args.json:
            with open(args.json, "w", encoding="utf-8") as out:
                json.dump(report, out, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
