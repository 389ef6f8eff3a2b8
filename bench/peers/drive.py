"""Runs the benchmark's workload on one peer queue; executed by bench/.venv-peers/bin/python.

The workload is the one equeue's own benchmark runs (bench/benchmark.py):

- enqueue: ``--jobs`` no-op jobs through the peer's fastest batch API, in chunks;
- drain: those jobs drained by one worker process (this one; Celery's worker runs in a
  child process and reports its own clock), timed from the first job started to the last
  job finished; Celery's drain stops at a deadline and reports the jobs done by then;
- latency: ``--latency-jobs`` jobs enqueued one at a time at ``--rate`` jobs/s while an
  idle worker waits in another process (this script, ``--role latency-worker``); latency
  is handler start minus the moment just before the enqueue call.

Each run gets a fresh database (PostgreSQL peers) or a flushed Redis database.
Prints one JSON document: {"system", "settings", "values": {metric: [run values]}}.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import statistics
import sys
import time
from typing import Any
from urllib.parse import urlsplit, urlunsplit

SCRIPT = os.path.abspath(__file__)
STATE: dict[str, Any] = {"first": None, "last": None, "handled": 0, "target": 0, "done": None}


def touch() -> None:
    """Record one no-op job handled; fires STATE['done'] when the target is reached."""
    now = time.perf_counter()
    if STATE["first"] is None:
        STATE["first"] = now
    STATE["handled"] += 1
    STATE["last"] = now
    if STATE["handled"] >= STATE["target"] and STATE["done"] is not None:
        STATE["done"]()


def report_latency(sent: float, seq: int) -> None:
    waited = time.time() - sent
    print(f"done {seq} {waited:.6f}", flush=True)


def with_database(dsn: str, name: str) -> str:
    parts = urlsplit(dsn)
    return urlunsplit(parts._replace(path="/" + name))


async def fresh_database(admin_dsn: str, name: str) -> str:
    import asyncpg

    conn = await asyncpg.connect(admin_dsn)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return with_database(admin_dsn, name)


async def drop_database(admin_dsn: str, name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(admin_dsn)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


# --- pgqueuer (asyncpg driver) -----------------------------------------------------------


class PgQueuerSystem:
    name = "pgqueuer"
    settings: dict[str, Any] = {"batch_size": 100, "chunk": 5000}

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn

    async def install(self) -> None:
        import asyncpg
        from pgqueuer.db import AsyncpgDriver
        from pgqueuer.queries import Queries

        conn = await asyncpg.connect(self.dsn)
        try:
            await Queries(AsyncpgDriver(conn)).install()
        finally:
            await conn.close()

    async def enqueue(self, jobs: int, entrypoint: str = "noop") -> float:
        import asyncpg
        from pgqueuer.db import AsyncpgDriver
        from pgqueuer.queries import Queries

        chunk = self.settings["chunk"]
        conn = await asyncpg.connect(self.dsn)
        try:
            queries = Queries(AsyncpgDriver(conn))
            started = time.perf_counter()
            for start in range(0, jobs, chunk):
                size = min(chunk, jobs - start)
                await queries.enqueue([entrypoint] * size, [None] * size, [0] * size)
            return time.perf_counter() - started
        finally:
            await conn.close()

    async def enqueue_one(self, payload: bytes | str, conn: Any) -> None:
        from pgqueuer.db import AsyncpgDriver
        from pgqueuer.queries import Queries

        body = payload.encode() if isinstance(payload, str) else payload
        await Queries(AsyncpgDriver(conn)).enqueue("latency", body)

    async def connect(self) -> Any:
        import asyncpg

        return await asyncpg.connect(self.dsn)

    async def drain(self, jobs: int) -> float:
        import asyncpg
        from pgqueuer import PgQueuer
        from pgqueuer.db import AsyncpgDriver

        conn = await asyncpg.connect(self.dsn)
        pgq = PgQueuer(AsyncpgDriver(conn))

        @pgq.entrypoint("noop")
        async def noop(job: Any) -> None:
            touch()

        STATE["done"] = pgq.shutdown.set
        try:
            await pgq.run(batch_size=self.settings["batch_size"])
        finally:
            await conn.close()
        return STATE["last"] - STATE["first"]

    async def serve_latency(self) -> None:
        import asyncpg
        from pgqueuer import PgQueuer
        from pgqueuer.db import AsyncpgDriver

        conn = await asyncpg.connect(self.dsn)
        pgq = PgQueuer(AsyncpgDriver(conn))

        @pgq.entrypoint("latency")
        async def latency(job: Any) -> None:
            body = json.loads(job.payload)
            report_latency(body["sent"], body["seq"])

        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, pgq.shutdown.set)
        asyncio.get_running_loop().call_later(0.2, lambda: print("ready", flush=True))
        await pgq.run(batch_size=self.settings["batch_size"])
        await conn.close()


# --- procrastinate ------------------------------------------------------------------------


class ProcrastinateSystem:
    name = "procrastinate"
    settings: dict[str, Any] = {"concurrency": 50, "chunk": 5000}

    def __init__(self, dsn: str) -> None:
        import procrastinate

        self.app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=dsn))

        @self.app.task(name="noop")
        async def noop() -> None:
            touch()

        @self.app.task(name="latency")
        async def latency(sent: float, seq: int) -> None:
            report_latency(sent, seq)

        self.noop, self.latency = noop, latency

    async def install(self) -> None:
        async with self.app.open_async():
            await self.app.schema_manager.apply_schema_async()

    async def enqueue(self, jobs: int) -> float:
        chunk = self.settings["chunk"]
        async with self.app.open_async():
            started = time.perf_counter()
            for start in range(0, jobs, chunk):
                await self.noop.batch_defer_async(*({} for _ in range(min(chunk, jobs - start))))
            return time.perf_counter() - started

    async def connect(self) -> Any:
        return await self.app.open_async().__aenter__()

    async def enqueue_one(self, payload: bytes | str, conn: Any) -> None:
        await self.latency.defer_async(**json.loads(payload))

    async def drain(self, jobs: int) -> float:
        async with self.app.open_async():
            # wait=False: the worker returns once the queue is empty.
            await self.app.run_worker_async(
                concurrency=self.settings["concurrency"],
                wait=False,
                install_signal_handlers=False,
            )
        return STATE["last"] - STATE["first"]

    async def serve_latency(self) -> None:
        async with self.app.open_async():
            asyncio.get_running_loop().call_later(0.5, lambda: print("ready", flush=True))
            await self.app.run_worker_async(concurrency=1, queues=None)


# --- arq (Redis) ---------------------------------------------------------------------------


class ArqSystem:
    name = "arq"
    settings: dict[str, Any] = {"max_jobs": 100, "poll_delay": 0.01, "enqueue_concurrency": 64}

    def __init__(self, redis_url: str) -> None:
        self.redis_url = redis_url

    def _settings(self) -> Any:
        from arq.connections import RedisSettings

        return RedisSettings.from_dsn(self.redis_url)

    async def install(self) -> None:
        from arq import create_pool

        redis = await create_pool(self._settings())
        await redis.flushdb()
        await redis.aclose()

    async def enqueue(self, jobs: int) -> float:
        from arq import create_pool

        redis = await create_pool(self._settings())
        gate = asyncio.Semaphore(self.settings["enqueue_concurrency"])

        async def one() -> None:
            async with gate:
                await redis.enqueue_job("noop")

        started = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(jobs)))
        elapsed = time.perf_counter() - started
        await redis.aclose()
        return elapsed

    async def connect(self) -> Any:
        from arq import create_pool

        return await create_pool(self._settings())

    async def enqueue_one(self, payload: bytes | str, conn: Any) -> None:
        body = json.loads(payload)
        await conn.enqueue_job("latency", body["sent"], body["seq"])

    def _worker(self, burst: bool) -> Any:
        from arq import Worker
        from arq.worker import func

        async def noop(ctx: Any) -> None:
            touch()

        async def latency(ctx: Any, sent: float, seq: int) -> None:
            report_latency(sent, seq)

        return Worker(
            functions=[func(noop, name="noop"), func(latency, name="latency")],
            redis_settings=self._settings(),
            burst=burst,
            max_jobs=self.settings["max_jobs"],
            poll_delay=self.settings["poll_delay"],
            handle_signals=not burst,
            keep_result=0,
        )

    async def drain(self, jobs: int) -> float:
        worker = self._worker(burst=True)
        await worker.async_run()
        await worker.close()
        return STATE["last"] - STATE["first"]

    async def serve_latency(self) -> None:
        worker = self._worker(burst=False)
        asyncio.get_running_loop().call_later(0.5, lambda: print("ready", flush=True))
        # arq ends its worker on SIGTERM by cancelling it: that is the expected way out.
        with contextlib.suppress(asyncio.CancelledError):
            await worker.async_run()


# --- Celery (Redis broker) ------------------------------------------------------------------


class CeleryProducer:
    """One producer (and its broker connection) shared by every single-job send."""

    def __init__(self, app: Any) -> None:
        self._held = app.producer_or_acquire()
        self.producer = self._held.__enter__()

    async def aclose(self) -> None:
        self._held.__exit__(None, None, None)


class CelerySystem:
    """Celery with the Redis broker, no result backend, acks_late (at-least-once).

    Its worker always runs in a process of its own (``--role drain-worker`` or
    ``latency-worker``). The solo pool runs tasks in that process, where STATE lives.
    """

    name = "celery"
    settings: dict[str, Any] = {
        "enqueue": "group(...).apply_async() in chunks",
        "chunk": 5000,
        "pool": "solo",
        "prefetch_multiplier": 16,
        "acks_late": True,
        "drain_deadline_s": 6.0,
    }

    def __init__(self, redis_url: str) -> None:
        from celery import Celery

        self.redis_url = redis_url
        self.app = Celery("bench", broker=redis_url, set_as_current=True)
        self.app.conf.update(
            task_ignore_result=True,
            task_acks_late=self.settings["acks_late"],
            worker_prefetch_multiplier=self.settings["prefetch_multiplier"],
            worker_redirect_stdouts=False,
            worker_hijack_root_logger=False,
            broker_connection_retry_on_startup=True,
        )

        @self.app.task(name="noop")
        def noop() -> None:
            touch()

        @self.app.task(name="latency")
        def latency(sent: float, seq: int) -> None:
            report_latency(sent, seq)

        self.noop, self.latency = noop, latency

    async def install(self) -> None:
        import redis

        client = redis.Redis.from_url(self.redis_url)
        client.flushdb()
        client.close()

    async def enqueue(self, jobs: int) -> float:
        from celery import group

        chunk = self.settings["chunk"]
        started = time.perf_counter()
        for start in range(0, jobs, chunk):
            group(self.noop.s() for _ in range(min(chunk, jobs - start))).apply_async()
        return time.perf_counter() - started

    async def connect(self) -> Any:
        return CeleryProducer(self.app)

    async def enqueue_one(self, payload: bytes | str, conn: Any) -> None:
        body = json.loads(payload)
        self.latency.apply_async((body["sent"], body["seq"]), producer=conn.producer)

    async def drain(self, jobs: int) -> float:
        """Runs the worker in a child process until it is done or the deadline passes."""
        child = await spawn_role("drain-worker")
        try:
            await read_line(child, "ready")
            try:
                stats = await read_line(child, "stats", self.settings["drain_deadline_s"])
            except TimeoutError:
                child.send_signal(signal.SIGTERM)
                stats = await read_line(child, "stats")
        finally:
            await stop(child)
        _, first, last, handled = stats.split()
        STATE.update(first=float(first), last=float(last), handled=int(handled))
        STATE["stopped_early"] = int(handled) < jobs
        await self.install()  # what the deadline left behind
        return STATE["last"] - STATE["first"]

    def serve_drain(self, jobs: int) -> None:
        STATE.update(target=jobs, done=lambda: os.kill(os.getpid(), signal.SIGTERM))
        try:
            self._work()
        finally:
            print(f"stats {STATE['first']} {STATE['last']} {STATE['handled']}", flush=True)

    async def serve_latency(self) -> None:
        self._work()

    def _work(self) -> None:
        import warnings

        from celery import signals

        # The benchmark may run as root (a container); Celery warns about it on every start.
        warnings.filterwarnings("ignore", message="You're running the worker with superuser")
        signals.worker_ready.connect(lambda **_: print("ready", flush=True), weak=False)
        worker = self.app.Worker(
            pool_cls=self.settings["pool"],
            concurrency=1,
            loglevel="WARNING",
            quiet=True,
            without_gossip=True,
            without_mingle=True,
            without_heartbeat=True,
        )
        worker.start()


SETTINGS: dict[str, dict[str, Any]] = {
    "pgqueuer": PgQueuerSystem.settings,
    "procrastinate": ProcrastinateSystem.settings,
    "arq": ArqSystem.settings,
    "celery": CelerySystem.settings,
}
# Each Redis peer flushes its own database index before every run.
REDIS_DEFAULTS = {"arq": "redis://127.0.0.1:6379/14", "celery": "redis://127.0.0.1:6379/13"}
REDIS_SYSTEMS = frozenset(REDIS_DEFAULTS)


# --- the workload ----------------------------------------------------------------------------


def make_system(args: argparse.Namespace, dsn: str) -> Any:
    if args.system == "pgqueuer":
        return PgQueuerSystem(dsn)
    if args.system == "procrastinate":
        return ProcrastinateSystem(dsn)
    if args.system == "arq":
        return ArqSystem(args.redis)
    if args.system == "celery":
        return CelerySystem(args.redis)
    raise SystemExit(f"unknown system {args.system}")


async def fresh(args: argparse.Namespace) -> Any:
    if args.system in REDIS_SYSTEMS:
        system = make_system(args, "")
    else:
        dsn = await fresh_database(args.dsn, args.database)
        system = make_system(args, dsn)
    await system.install()
    return system


async def spawn_role(role: str) -> asyncio.subprocess.Process:
    """This script again, with the same arguments, as a worker in a process of its own."""
    return await asyncio.create_subprocess_exec(
        sys.executable, SCRIPT, *sys.argv[1:], "--role", role, stdout=asyncio.subprocess.PIPE
    )


async def read_line(child: asyncio.subprocess.Process, prefix: str, timeout: float = 60) -> str:
    """The child's next output line starting with ``prefix`` (others are skipped)."""
    assert child.stdout is not None

    async def find() -> str:
        while True:
            raw = await child.stdout.readline()  # type: ignore[union-attr]
            if not raw:
                raise RuntimeError("worker process exited")
            if raw.decode().startswith(prefix):
                return raw.decode().strip()

    return await asyncio.wait_for(find(), timeout)


async def stop(child: asyncio.subprocess.Process) -> None:
    if child.returncode is None:
        child.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(child.wait(), 30)
    except TimeoutError:
        child.kill()
        await child.wait()


async def run_latency(args: argparse.Namespace, system: Any) -> dict[str, float]:
    child = await spawn_role("latency-worker")
    conn = await system.connect()
    try:
        await read_line(child, "ready")
        for warm in range(3):
            await system.enqueue_one(json.dumps({"sent": time.time(), "seq": -1 - warm}), conn)
            await read_line(child, "done")
        started = time.perf_counter()
        for seq in range(args.latency_jobs):
            pause = started + seq / args.rate - time.perf_counter()
            if pause > 0:
                await asyncio.sleep(pause)
            await system.enqueue_one(json.dumps({"sent": time.time(), "seq": seq}).encode(), conn)
        waited = []
        while len(waited) < args.latency_jobs:
            waited.append(float((await read_line(child, "done")).split()[2]) * 1000)
    finally:
        await stop(child)
        closer = getattr(conn, "aclose", None) or getattr(conn, "close", None)
        if args.system == "procrastinate":
            await system.app.close_async()
        elif closer is not None:
            await closer()
    ordered = sorted(waited)
    return {
        "latency_p50_ms": statistics.median(ordered),
        "latency_p99_ms": ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))],
        "latency_max_ms": ordered[-1],
    }


async def run_all(args: argparse.Namespace) -> tuple[dict[str, list[float]], list[str]]:
    values: dict[str, list[float]] = {}
    stopped_after: list[int] = []  # jobs done, for each drain that hit its deadline

    def add(result: dict[str, float]) -> None:
        print(f"{args.system}: {result}", file=sys.stderr, flush=True)
        for key, value in result.items():
            values.setdefault(key, []).append(value)

    for _ in range(args.runs):
        system = await fresh(args)
        add({"enqueue_jobs_per_s": args.jobs / await system.enqueue(args.jobs)})
        STATE.update(first=None, last=None, handled=0, target=args.jobs, done=None)
        STATE["stopped_early"] = False
        elapsed = await system.drain(args.jobs)
        add({"drain_jobs_per_s": STATE["handled"] / elapsed})
        if STATE["stopped_early"]:
            stopped_after.append(STATE["handled"])
        elif STATE["handled"] != args.jobs:
            raise RuntimeError(f"{args.system} ran {STATE['handled']} of {args.jobs} jobs")
    for _ in range(args.runs):
        system = await fresh(args)
        add(await run_latency(args, system))
    if args.system not in REDIS_SYSTEMS:
        await drop_database(args.dsn, args.database)
    notes = []
    if stopped_after:
        done = " / ".join(f"{n:,}" for n in stopped_after)
        notes.append(
            f"{args.system}: drain stopped at its {SETTINGS[args.system]['drain_deadline_s']:g} s "
            f"deadline in {len(stopped_after)} of {args.runs} runs, after {done} of "
            f"{args.jobs:,} jobs; its jobs/s is over the jobs done"
        )
    return values, notes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--system", required=True)
    parser.add_argument("--dsn", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--database", default=None)
    parser.add_argument("--redis", default=None, help="default: a database of the system's own")
    parser.add_argument("--jobs", type=int, default=20_000)
    parser.add_argument("--latency-jobs", type=int, default=200)
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--role", default=None)
    args = parser.parse_args()
    args.database = args.database or f"bench_{args.system}"
    args.redis = args.redis or REDIS_DEFAULTS.get(args.system)
    if args.role is not None:
        system = make_system(args, with_database(args.dsn, args.database))
        if args.role == "drain-worker":
            system.serve_drain(args.jobs)
        else:
            asyncio.run(system.serve_latency())
        return 0
    values, notes = asyncio.run(run_all(args))
    settings = SETTINGS.get(args.system, {})
    report = {"system": args.system, "settings": settings, "values": values, "notes": notes}
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
