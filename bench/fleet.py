"""The ``fleet`` scenario: ``fleet_processes`` worker processes, each on a host of its
own, drain ``fleet_jobs`` no-op jobs from one PostgreSQL together.

A host of its own: as root, each worker runs in network and UTS namespaces of its own
(``unshare --net --uts``, with a host name ``bench-host-N``): it has no network at all, and
reaches PostgreSQL over its Unix socket, as a process on another machine would over the
network. Without that (not root, no socket), each has its own host name only (``unshare
--uts``), or, failing that too, all share this host; the log says which.

Measured: jobs/s of the whole fleet and of each host (from the first claim to the last
job done), and the claim contention: the claim statement's duration (p50, p99, as each
worker timed its own), the share of claims that came back empty while jobs were left, and
the share of samples of pg_stat_activity (every 10 ms) in which a working backend of the
fleet waited on a lock; and the WAL written per job (the server's, so an upper bound when
others use it too), which bounds what a bigger primary can take.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from bench.common import Child, Settings, drop, enqueue_all, fresh, noop_items, percentiles
from bench.storage import BenchmarkStorage

#: Each worker's slots and most jobs per claim: small enough for many claims to meet.
CONCURRENCY = 100
#: Pooled connections per worker process (plus its LISTEN and heartbeat connections).
POOL_SIZE = 3
SAMPLE_SECONDS = 0.01
_PROBE = "import asyncio, asyncpg, sys; asyncio.run(asyncpg.connect(sys.argv[1]))"
_NAMED = 'hostname "$0" && exec "$@"'


@dataclass
class Isolation:
    """How the workers are kept apart: what runs each, and the URL they use."""

    kind: str
    dsn: str
    prefix: Callable[[int], Sequence[str]]


async def measure_fleet(settings: Settings) -> dict[str, float]:
    queue = await fresh(settings)
    storage = await BenchmarkStorage.of(queue)
    each = replace(settings, concurrency=CONCURRENCY, claim_batch=CONCURRENCY)
    children: list[Child] = []
    try:
        isolation = await _isolation(settings, storage)
        print(f"fleet: {settings.fleet_processes} workers, {isolation.kind}", file=sys.stderr)
        await queue.pause_queue("default")
        await enqueue_all(queue, noop_items(settings.fleet_jobs), settings.chunk)
        for n in range(settings.fleet_processes):
            where = isolation.prefix(n + 1)
            child = await Child.start(
                each, "fleet-worker", settings.schema, dsn=isolation.dsn, prefix=where
            )
            children.append(child)
        for child in children:
            await child.wait_for("ready")
        hosts = len({w["host"] for w in await storage.storage.list_workers()})
        result, window = await _drain(settings, queue, storage)
        said = [json.loads((await c.stop_saying("stats "))[6:]) for c in children]
    finally:
        await asyncio.gather(*(child.stop() for child in children))
        await drop(queue)
    return result | _contention(said, window) | {"fleet_hosts": float(hosts)}


async def _drain(
    settings: Settings, queue: Any, storage: BenchmarkStorage
) -> tuple[dict[str, float], tuple[float, float]]:
    samples: list[tuple[int, int]] = []
    sampling = asyncio.create_task(_sample(storage, samples))
    try:
        wal = await storage.wal_position()
        started = time.monotonic()
        await queue.resume_queue("default")
        await queue.enqueue("bench.noop")  # its notification wakes every worker at once
        while await storage.unfinished():
            await asyncio.sleep(0.01)
        ended = time.monotonic()
        wal = await storage.wal_position() - wal
    finally:
        sampling.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sampling
    active = sum(a for a, _ in samples)
    waiting = sum(w for _, w in samples)
    return {
        f"fleet_{settings.fleet_processes}p_jobs_per_s": (settings.fleet_jobs + 1)
        / (ended - started),
        "fleet_lock_wait_pct": 100.0 * waiting / active if active else 0.0,
        # The server's, all databases: on a server others use too, an upper bound.
        "fleet_wal_bytes_per_job": wal / (settings.fleet_jobs + 1),
    }, (started, ended)


async def _sample(storage: BenchmarkStorage, samples: list[tuple[int, int]]) -> None:
    while True:
        samples.append(await storage.fleet_backends())
        await asyncio.sleep(SAMPLE_SECONDS)


def _contention(said: list[dict[str, Any]], window: tuple[float, float]) -> dict[str, float]:
    started, ended = window
    seconds = ended - started
    per_host = [s["handled"] / seconds for s in said]
    claims = [c for s in said for c in s["claims"] if started <= c[0] <= ended]
    empty = sum(1 for c in claims if c[2] == 0)
    timed = percentiles("fleet_claim", [c[1] for c in claims] or [0.0])
    return {
        "fleet_host_min_jobs_per_s": min(per_host),
        "fleet_host_max_jobs_per_s": max(per_host),
        "fleet_claim_p50_ms": timed["fleet_claim_p50_ms"],
        "fleet_claim_p99_ms": timed["fleet_claim_p99_ms"],
        "fleet_claims": float(len(claims)),
        "fleet_claims_empty_pct": 100.0 * empty / len(claims) if claims else 0.0,
    }


async def _isolation(settings: Settings, storage: BenchmarkStorage) -> Isolation:
    if os.geteuid() != 0 or not shutil.which("unshare"):
        return Isolation("all on this host (not root: no namespaces)", settings.dsn, _none)
    unix = await _unix_dsn(settings.dsn, storage)
    if unix is not None and await _succeeds(
        "unshare", "--net", "--uts", sys.executable, "-c", _PROBE, unix
    ):
        return Isolation(
            "each in network and UTS namespaces of its own, PostgreSQL over its Unix socket",
            unix,
            lambda n: ("unshare", "--net", "--uts", "sh", "-c", _NAMED, f"bench-host-{n}"),
        )
    if await _succeeds("unshare", "--uts", "true"):
        return Isolation(
            "each with a host name of its own (UTS namespaces), one network",
            settings.dsn,
            lambda n: ("unshare", "--uts", "sh", "-c", _NAMED, f"bench-host-{n}"),
        )
    return Isolation("all on this host (namespaces refused)", settings.dsn, _none)


def _none(_: int) -> Sequence[str]:
    return ()


async def _unix_dsn(dsn: str, storage: BenchmarkStorage) -> str | None:
    """``dsn`` over the server's Unix socket, when it has one on this machine."""
    directory = (await storage.socket_directory()) or ""
    parts = urlsplit(dsn)
    port = parts.port or 5432
    if not directory or not Path(directory, f".s.PGSQL.{port}").exists():  # noqa: ASYNC240
        return None
    auth = parts.netloc.rpartition("@")[0]
    query = urlencode({"host": directory, "port": port})
    return urlunsplit(parts._replace(netloc=f"{auth}@" if auth else "", query=query))


async def _succeeds(*command: str) -> bool:
    try:
        process = await asyncio.create_subprocess_exec(
            *command, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL
        )
        return await asyncio.wait_for(process.wait(), 30) == 0
    except (OSError, TimeoutError):
        return False
