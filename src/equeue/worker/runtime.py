"""The worker: claims jobs in batches, runs them, reports back, and stops cleanly.

One worker process runs one :class:`Worker`, which wires these parts together:

- the claim loop (worker/claiming.py), which fills free slots with one claim statement
  per round and sleeps until a notification or the poll interval when there is nothing
  to do, and acts on the notifications;
- one asyncio task per job, with the job's timeout (worker/execution.py; plain functions
  run in threads of their own: worker/threads.py);
- the flusher (worker/outcomes.py), which writes buffered outcomes in one statement per
  kind, so a busy worker acknowledges hundreds of jobs per round trip;
- the drain (worker/stopping.py), which gives running jobs their grace, then releases
  them;
- the heartbeat thread (leases), the notifier (LISTEN) and the maintenance duties.

Every statement goes through the storage seam (:class:`~equeue.storage.WorkerStorage`);
:meth:`Worker.serve` runs the parts above the connections on any implementation of it.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import signal
import socket
import uuid
from typing import Any

from equeue.queue import Queue
from equeue.storage import Storage, WorkerStorage
from equeue.worker.claiming import Claimer, ListenerPid
from equeue.worker.execution import Execution
from equeue.worker.heartbeat import Heartbeat, WorkerInfo
from equeue.worker.held import CancelReason, HeldJobs
from equeue.worker.maintenance import Maintenance
from equeue.worker.notifier import Notifier
from equeue.worker.outcomes import Outcomes
from equeue.worker.settings import WorkerSettings
from equeue.worker.stats import JobStats
from equeue.worker.stopping import drain
from equeue.worker.threads import TaskThreads
from equeue.worker.ticker import Ticker, register_schedules

__all__ = ["Worker", "WorkerSettings", "run_worker"]

log = logging.getLogger("equeue.worker")

_STATS_INTERVAL = 2.0  # seconds between writes of this process's job statistics


class Worker:
    """Runs the tasks registered on ``queue``; see :class:`WorkerSettings`."""

    def __init__(self, queue: Queue, settings: WorkerSettings | None = None, **options: Any):
        self.queue = queue
        self.settings = settings or WorkerSettings(**options)
        self.id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.stats = JobStats()
        self._held = HeldJobs(self.settings.concurrency)
        self._threads = TaskThreads(self.settings.concurrency)
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._hard_stop = False
        self._claimer: Claimer | None = None
        self._threads_shown = (0, False)  #: what the workers view shows of the threads

    # --- public control -------------------------------------------------------------------

    @property
    def stopping(self) -> bool:
        """Whether :meth:`stop` has been called."""
        return self._stopping.is_set()

    @property
    def jobs_done(self) -> int:
        """Jobs this worker has let go of: written, released or lost."""
        return self._held.done

    def stop(self) -> None:
        """Stop claiming; running jobs get ``shutdown_grace`` seconds, then are released.

        A second call stops at once: running jobs are cancelled and released.
        """
        if self._stopping.is_set():
            self._hard_stop = True
            self._held.cancel_all(CancelReason.SHUTDOWN)
        self._stopping.set()
        self._wake.set()
        self._held.slot_freed.set()

    async def run(self) -> None:
        """Run until :meth:`stop` is called."""
        storage = await self.queue._storage()
        s = self.settings
        info = WorkerInfo(self.id, socket.gethostname(), os.getpid(), s.queues, s.concurrency)
        await self._register(storage, info)
        heartbeat = Heartbeat(
            dsn=self._dsn,
            pooled=self.queue.transaction_pooler,
            storage=storage,
            lease_seconds=s.lease_seconds,
            interval=s.heartbeat_interval or s.lease_seconds / 3,
            worker=info,
            held=self._held.leases,
            report=self.on_heartbeat,
            loop=asyncio.get_running_loop(),
        )
        heartbeat.start()
        # LISTEN keeps its session: on the direct URL when the pool goes through a pooler.
        notifier = Notifier(self.queue.session_dsn, storage.q, self.on_notification, self._wake.set)
        maintenance: asyncio.Task[None] | None = None
        try:
            if s.listen:
                await notifier.start()
            if s.maintenance:
                ticker = Ticker(storage, self.queue.limits)
                duties = Maintenance(storage, s.maintenance_settings, self.stats, ticker)
                maintenance = asyncio.create_task(duties.run_forever())
            # What exists by now (modules, tasks, the pool) lives as long as the worker:
            # out of the collector's sight, so the collections the jobs' short-lived
            # objects set off do not walk it again and again (a tenth of the drain's
            # time). Given back when the worker ends: a process may go on without it.
            gc.freeze()
            await self.serve(storage, notifier)
        finally:
            gc.unfreeze()
            await _cancelled(maintenance)
            await notifier.stop()
            await asyncio.to_thread(heartbeat.stop)
            with contextlib.suppress(Exception):
                await storage.delete_worker(self.id)
            self._threads.shutdown()
            log.info("worker %s stopped after %d jobs", self.id, self.jobs_done)

    async def serve(self, storage: WorkerStorage, listener: ListenerPid | None = None) -> None:
        """Claim, run and report jobs through ``storage`` until :meth:`stop`, then drain.

        The part of :meth:`run` above the connections: :meth:`run` registers the worker,
        starts the heartbeat and the notifier (``listener``, which hand-offs are heard
        on; None takes none) and calls this.
        """
        s = self.settings
        outcomes = Outcomes(storage, self._held, self.queue.tasks, self.stats)
        execution = Execution(
            self.queue.tasks, self._held, outcomes, self._threads, self.stats, storage
        )
        claimer = self._claimer = Claimer(
            worker_id=self.id,
            settings=s,
            storage=storage,
            held=self._held,
            execution=execution,
            tasks=self.queue.tasks,
            threads=self._threads,
            stopping=self._stopping,
            wake=self._wake,
            listener=listener,
        )
        flusher: asyncio.Task[None] | None = None
        reporter: asyncio.Task[None] | None = None
        try:
            flusher = asyncio.create_task(outcomes.run(), name="equeue-flush")
            reporter = asyncio.create_task(self._report_loop(storage), name="equeue-stats")
            log.info(
                "worker %s started: concurrency %d, queues %s",
                self.id,
                s.concurrency,
                ",".join(s.queues) if s.queues else "all",
            )
            await claimer.run()
            await claimer.withdraw_offer()
            await drain(storage, self._held, outcomes, s.shutdown_grace, at_once=self._hard_stop)
        finally:
            for task in [reporter, *claimer.background()]:
                await _cancelled(task)
            await outcomes.close(flusher)
            await self._write_stats(storage)

    @property
    def _dsn(self) -> str:
        assert self.queue.dsn is not None
        return self.queue.dsn

    async def _register(self, storage: Storage, info: WorkerInfo) -> None:
        await storage.register_tasks(
            [(t.name, t.queue, t.priority, t.max_attempts, t.timeout) for t in self.queue.tasks]
        )
        await register_schedules(storage, self.queue.schedules)
        # Listed before the first claim, so no job ever names a worker nobody can find; the
        # heartbeat's first beat comes in its own thread, possibly after jobs have run.
        await storage.register_worker(
            info.id,
            info.host,
            info.pid,
            info.queues,
            info.concurrency,
            lease_seconds=self.settings.lease_seconds,
        )

    # --- what the notifier and the heartbeat report -------------------------------------------

    def on_notification(self, payload: str) -> None:
        """What the notifier calls with each notification on the schema's channel."""
        if self._claimer is not None:
            self._claimer.on_notification(payload)

    def on_heartbeat(self, lost: set[uuid.UUID], cancel: set[uuid.UUID]) -> None:
        """What the heartbeat reports: jobs whose lease was lost, jobs asked to stop."""
        for job_id in lost:
            held = self._held.get(job_id)
            # A job whose outcome is already buffered was not lost: it just finished (or
            # its task's transaction completed it, and the task goes on after it).
            if (
                held is not None
                and held.task is not None
                and not held.task.done()
                and not held.committed
            ):
                log.warning(
                    "lost the lease of job %s; stopping it", job_id, extra={"job_id": str(job_id)}
                )
                held.cancel(CancelReason.LEASE_LOST)
        for job_id in cancel:
            held = self._held.get(job_id)
            if held is not None:
                held.cancel(CancelReason.REQUESTED)

    # --- statistics and the workers view -----------------------------------------------------

    async def _report_loop(self, storage: WorkerStorage) -> None:
        while True:
            await asyncio.sleep(_STATS_INTERVAL)
            await self._write_stats(storage)
            await self._show_threads(storage)

    async def _show_threads(self, storage: WorkerStorage) -> None:
        """Keep the workers view's account of abandoned threads current (see threads.py)."""
        shown = (self._threads.abandoned, self._threads.short)
        if shown == self._threads_shown:
            return
        try:
            await storage.report_worker_threads(self.id, *shown)
        except Exception as exc:  # shown at the next round instead
            log.warning("could not show the abandoned task threads (%s)", exc)
        else:
            self._threads_shown = shown

    async def _write_stats(self, storage: WorkerStorage) -> None:
        rows = self.stats.take()
        if not rows:
            return
        try:
            await storage.add_job_stats(rows, shard=hash(self.id) % 16)
        except Exception as exc:  # statistics must never stop the work
            log.warning("writing job statistics failed (%s); keeping them", exc)
            self.stats.put_back(rows)


async def _cancelled(task: asyncio.Task[None] | None) -> None:
    """Cancel ``task`` (if any) and wait for it to end."""
    if task is None:
        return
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def run_worker(
    queue: Queue, settings: WorkerSettings | None = None, *, migrate: bool = True, **options: Any
) -> None:
    """Run a worker until SIGTERM or SIGINT (a second signal stops at once).

    It first waits for the database, applies pending migrations (unless ``migrate`` is
    false) and checks it can run on the schema (see :mod:`equeue.worker.startup`).
    """
    from equeue.worker.startup import prepare_schema  # it builds on this module's Queue

    worker = Worker(queue, settings, **options)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, worker.stop)
    try:
        if await prepare_schema(queue, migrate=migrate, stopping=lambda: worker.stopping):
            await worker.run()
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
        await queue.close()
