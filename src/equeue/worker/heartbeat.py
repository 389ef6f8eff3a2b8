"""Lease renewal in a thread of its own.

The heartbeat must go on even when a task hogs the event loop (a CPU-bound ``async def``)
and must never wait behind task work for a pool connection, so it runs in its own thread,
with its own event loop and its own connection, which it passes to each storage method.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import asyncpg

from equeue.storage import Lease, WorkerStorage
from equeue.storage.pool import connection_options

log = logging.getLogger("equeue.worker")


@dataclass(frozen=True, slots=True)
class WorkerInfo:
    id: str
    host: str
    pid: int
    queues: list[str] | None
    concurrency: int


#: Called on the worker's loop with (ids whose lease was lost, ids asked to cancel).
Report = Callable[[set[uuid.UUID], set[uuid.UUID]], None]


class Heartbeat:
    """Renews the leases of the held jobs every ``interval`` seconds."""

    def __init__(
        self,
        *,
        dsn: str,
        pooled: bool = False,
        storage: WorkerStorage,
        worker: WorkerInfo,
        lease_seconds: float,
        interval: float,
        held: Callable[[], list[Lease]],
        report: Report,
        loop: asyncio.AbstractEventLoop,
    ) -> None:
        self._dsn = dsn
        self._options = connection_options("equeue:heartbeat", pooled=pooled)
        self._storage = storage
        self._worker = worker
        self._lease = lease_seconds
        self._interval = interval
        self._held = held
        self._report = report
        self._worker_loop = loop
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._main, name="equeue-heartbeat", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _main(self) -> None:
        asyncio.run(self._loop())

    async def _loop(self) -> None:
        connection: asyncpg.Connection | None = None
        while not self._stop.is_set():
            try:
                if connection is None or connection.is_closed():
                    connection = await asyncpg.connect(self._dsn, **self._options)
                await self._beat(connection)
            except Exception as exc:  # whatever it was, leases must go on being renewed
                log.warning("heartbeat failed (%s: %s); retrying", type(exc).__name__, exc)
                if connection is not None:
                    connection.terminate()
                connection = None
            await asyncio.to_thread(self._stop.wait, self._interval)
        if connection is not None:
            await connection.close()

    async def _beat(self, connection: asyncpg.Connection) -> None:
        held = self._held()
        w = self._worker
        # Also when nothing is held: a job handed over may wait for the worker to read it.
        renewed = await self._storage.renew_leases(w.id, held, self._lease, executor=connection)
        lost = {job_id for job_id, _ in held} - {r.id for r in renewed}
        cancel = {r.id for r in renewed if r.cancel_requested}
        await self._storage.register_worker(
            w.id,
            w.host,
            w.pid,
            w.queues,
            w.concurrency,
            len(held),
            lease_seconds=self._lease,
            executor=connection,
        )
        if lost or cancel:
            self._worker_loop.call_soon_threadsafe(self._report, lost, cancel)
