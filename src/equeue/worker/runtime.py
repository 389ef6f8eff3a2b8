"""The worker: claims jobs in batches, runs them, reports back, and stops cleanly.

One worker process runs one :class:`Worker`. Its parts:

- the claim loop, which fills free slots with one claim statement per round and sleeps
  until a notification or the poll interval when there is nothing to do;
- one asyncio task per job, with the job's timeout, whose outcome goes into a buffer
  (plain functions run in threads of their own: see worker/threads.py);
- the flusher, which writes buffered outcomes in one statement per kind (so a busy
  worker acknowledges hundreds of jobs per round trip);
- the heartbeat thread (leases), the notifier (LISTEN) and the maintenance duties.

A job holds its slot until its outcome is written, so the lease is renewed until then.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import socket
import time
import traceback
import uuid
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from equeue.context import JobContext, set_current_job
from equeue.errors import DatabaseValueError, JobTimeoutError, TaskNotRegisteredError
from equeue.job import encode_json
from equeue.queue import Queue
from equeue.retry import DEFAULT_BACKOFF
from equeue.storage import Claimed, Failure, Handoff, Storage
from equeue.worker.handoff import OfferBook
from equeue.worker.heartbeat import Heartbeat, WorkerInfo
from equeue.worker.maintenance import Maintenance, MaintenanceSettings
from equeue.worker.notifier import Notifier
from equeue.worker.stats import JobStats
from equeue.worker.threads import TaskThreads

log = logging.getLogger("equeue.worker")

_STATS_INTERVAL = 2.0  # seconds between writes of this process's job statistics

# Why a running job's asyncio task was cancelled, which decides what is written.
_REQUESTED, _LEASE_LOST, _SHUTDOWN = "requested", "lease_lost", "shutdown"


@dataclass(frozen=True, slots=True)
class WorkerSettings:
    """How a worker runs. The defaults suit most deployments."""

    concurrency: int = 10  #: jobs run at once by this process
    queues: list[str] | None = None  #: queues to take jobs from; None means all
    lease_seconds: float = 30.0  #: a job whose lease is not renewed for this long is rescued
    heartbeat_interval: float | None = None  #: default: a third of the lease
    poll_interval: float = 2.0  #: fallback polling when no notification comes
    claim_batch: int = 500  #: most jobs claimed per statement
    shutdown_grace: float = 30.0  #: how long running jobs may finish on SIGTERM
    listen: bool = True  #: False for poll-only mode (PgBouncer in transaction pooling)
    handoff: bool = True  #: when idle, let single enqueues hand jobs over directly (needs listen)
    maintenance: bool = True  #: offer to run the maintenance duties
    maintenance_settings: MaintenanceSettings = field(default_factory=MaintenanceSettings)

    def __post_init__(self) -> None:
        if self.concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        if self.lease_seconds <= 0 or self.poll_interval <= 0:
            raise ValueError("lease_seconds and poll_interval must be positive")


@dataclass(slots=True)
class _Held:
    """A job this worker holds a lease on, from claim until its outcome is written."""

    claimed: Claimed
    started: float
    task: asyncio.Task[None] | None = None
    cancel_reason: str | None = None
    duration: float = 0.0  #: how long the task ran, once it has ended
    ended: bool = False  #: the task has ended; its outcome may still be on its way


class Worker:
    """Runs the tasks registered on ``queue``; see :class:`WorkerSettings`."""

    def __init__(self, queue: Queue, settings: WorkerSettings | None = None, **options: Any):
        self.queue = queue
        self.settings = settings or WorkerSettings(**options)
        self.id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._held: dict[uuid.UUID, _Held] = {}
        self._ended = 0  #: held jobs whose task has ended (outcome not yet written)
        self._acks: list[tuple[uuid.UUID, uuid.UUID, str]] = []
        self._failures: list[Failure] = []
        self._cancels: list[tuple[uuid.UUID, uuid.UUID]] = []  #: stopped on request
        self._wake = asyncio.Event()
        self._slot_freed = asyncio.Event()
        self._flush_needed = asyncio.Event()
        self._flushed = asyncio.Event()
        self._stopping = asyncio.Event()
        self._hard_stop = False
        self._threads = TaskThreads(self.settings.concurrency)
        self._sync_paused = False  #: claims leave plain tasks' jobs alone (no thread free)
        self._threads_shown = (0, False)  #: what the workers view shows of the threads
        self._queues = set(self.settings.queues) if self.settings.queues else None
        self._storage: Storage | None = None
        self._closing = False
        self._half_batch = min(self.settings.claim_batch, self.settings.concurrency) // 2
        self._notifier: Notifier | None = None
        self._offers = OfferBook(self.settings.poll_interval)
        #: The read of the job a hand-off notification names, while it is under way.
        self._handoff_read: asyncio.Task[None] | None = None
        #: Checks of cancel notifications against the table, by job: one at a time each.
        self._cancel_checks: dict[uuid.UUID, asyncio.Task[None]] = {}
        self.stats = JobStats()
        self.jobs_done = 0

    # --- public control -------------------------------------------------------------------

    @property
    def stopping(self) -> bool:
        """Whether :meth:`stop` has been called."""
        return self._stopping.is_set()

    def stop(self) -> None:
        """Stop claiming; running jobs get ``shutdown_grace`` seconds, then are released.

        A second call stops at once: running jobs are cancelled and released.
        """
        if self._stopping.is_set():
            self._hard_stop = True
            for held in list(self._held.values()):
                self._cancel(held, _SHUTDOWN)
        self._stopping.set()
        self._wake.set()
        self._slot_freed.set()

    async def run(self) -> None:
        """Run until :meth:`stop` is called."""
        storage = await self.queue._storage()
        self._storage = storage
        s = self.settings
        loop = asyncio.get_running_loop()
        await storage.register_tasks(
            [(t.name, t.queue, t.priority, t.max_attempts, t.timeout) for t in self.queue.tasks]
        )
        info = WorkerInfo(self.id, socket.gethostname(), os.getpid(), s.queues, s.concurrency)
        # Listed before the first claim, so no job ever names a worker nobody can find; the
        # heartbeat's first beat comes in its own thread, possibly after jobs have run.
        await storage.register_worker(info.id, info.host, info.pid, info.queues, info.concurrency)
        heartbeat = Heartbeat(
            dsn=self._dsn,
            queries=storage.q,
            lease_seconds=s.lease_seconds,
            interval=s.heartbeat_interval or s.lease_seconds / 3,
            worker=info,
            held=self._lease_snapshot,
            report=self._on_heartbeat,
            loop=loop,
        )
        heartbeat.start()
        notifier = Notifier(self._dsn, storage.q, self._on_notification, self._wake.set)
        self._notifier = notifier
        background: list[asyncio.Task[None]] = []
        flusher: asyncio.Task[None] | None = None
        try:
            if s.listen:
                await notifier.start()
            flusher = asyncio.create_task(self._flush_loop(), name="equeue-flush")
            background.append(asyncio.create_task(self._stats_loop(), name="equeue-stats"))
            if s.maintenance:
                maintenance = Maintenance(storage, s.maintenance_settings, self.stats)
                background.append(asyncio.create_task(maintenance.run_forever()))
            log.info(
                "worker %s started: concurrency %d, queues %s",
                self.id,
                s.concurrency,
                ",".join(s.queues) if s.queues else "all",
            )
            await self._claim_loop(storage)
            await self._withdraw_offer(storage)
            await self._drain()
        finally:
            background.extend(self._cancel_checks.values())
            if self._handoff_read is not None:
                background.append(self._handoff_read)
            for task in background:
                task.cancel()
            for task in background:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await self._close_flusher(flusher)
            await self._write_stats()
            await notifier.stop()
            await asyncio.to_thread(heartbeat.stop)
            with contextlib.suppress(Exception):
                await storage.delete_worker(self.id)
            self._threads.shutdown()
            log.info("worker %s stopped after %d jobs", self.id, self.jobs_done)

    @property
    def _dsn(self) -> str:
        assert self.queue.dsn is not None
        return self.queue.dsn

    # --- claiming ---------------------------------------------------------------------------

    async def _claim_loop(self, storage: Storage) -> None:
        s = self.settings
        queues = sorted(self._queues) if self._queues else None
        while not self._stopping.is_set():
            free = self._free_slots()
            if free <= 0:
                self._slot_freed.clear()
                await self._slot_freed.wait()
                continue
            if free < self._half_batch and self._held:
                # Busy: give finishing jobs a moment to free more slots, so each claim
                # statement takes a large batch instead of a trickle.
                self._slot_freed.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._slot_freed.wait(), 0.005)
                free = self._free_slots()
            want = min(free, s.claim_batch)
            # Clear before claiming: a notification that lands during the claim must
            # still wake the next round.
            self._wake.clear()
            # Every claim statement also decides this worker's hand-off offer (0004), so
            # one may reopen it only once the table has answered about the last hand-off.
            await self._settle_handoff()
            skip = self._tasks_without_threads()  # before the offer: it decides on it too
            offer = self._offers.for_claim(self._listener_pid())
            try:
                claimed = await storage.claim(self.id, queues, want, s.lease_seconds, offer, skip)
            except Exception as exc:  # a database hiccup must not kill the worker
                self._offers.claim_failed()
                log.warning("claim failed (%s); retrying in %.1fs", exc, s.poll_interval)
                await self._sleep(s.poll_interval)
                continue
            now = time.monotonic()
            for job in claimed:
                # A job collected from the offer may have come with its notification too.
                if job.id != self._offers.handed:
                    self._start(job, now)
            self._offers.claimed(offer, len(claimed), want)
            if len(claimed) < want:
                await self._sleep(s.poll_interval)

    def _start(self, job: Claimed, now: float) -> None:
        if job.id in self._held:  # already running: one task per job, always
            return
        self.stats.observe(job.queue, job.task, "wait_seconds", job.waited)
        held = _Held(job, now)
        self._held[job.id] = held
        held.task = asyncio.create_task(self._run(held))

    def _tasks_without_threads(self) -> list[str] | None:
        """The plain tasks, while too many threads are abandoned for them to be sure of
        one (see worker/threads.py); None while every task's jobs may be claimed."""
        short = self._threads.short
        if short != self._sync_paused:
            self._sync_paused = short
            self._log_sync_claims(short)
        if not short:
            return None
        return [task.name for task in self.queue.tasks if not task.is_async]

    def _log_sync_claims(self, paused: bool) -> None:
        abandoned = self._threads.abandoned
        if paused:
            log.warning(
                "%d threads still run plain tasks whose jobs timed out or were cancelled, more "
                "than concurrency (%d): claiming only async tasks' jobs until some end",
                abandoned,
                self.settings.concurrency,
            )
        else:
            log.info("abandoned task threads down to %d: claiming every task's jobs", abandoned)

    def _listener_pid(self) -> int | None:
        """The LISTEN backend hand-offs would be heard on; None: take none now."""
        if not self.settings.handoff or self._notifier is None or self.stopping:
            return None
        if self._sync_paused:  # a hand-off could bring a job no thread is free for
            return None
        return self._notifier.backend_pid

    async def _withdraw_offer(self, storage: Storage) -> None:
        """On stop: no more hand-offs; one that came too late is given back at once."""
        await self._settle_handoff()
        try:
            late = await storage.withdraw_offer(self.id, self._offers.handed)
            if late:
                await storage.release(late)
        except Exception as exc:  # its lease expires instead
            log.warning("could not withdraw the hand-off offer (%s)", exc)

    def _free_slots(self) -> int:
        """How many more jobs may be claimed now.

        Concurrency bounds the tasks running at once. A job whose task has ended but
        whose outcome is still being written no longer counts, so the next claim
        overlaps the last batch's acknowledgement instead of waiting for it; those are
        bounded too, to another ``concurrency``, should writes fall behind.
        """
        running = len(self._held) - self._ended
        limit = self.settings.concurrency
        return min(limit - running, 2 * limit - len(self._held))

    async def _sleep(self, seconds: float) -> None:
        """Sleep until woken by a notification, a stop, or the timeout."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)

    def _on_notification(self, payload: str) -> None:
        # Anyone who can connect may send any of these: each is a hint to check, at most.
        kind, _, value = payload.partition(":")
        if kind == "q":
            if self._queues is None or value in self._queues:
                self._wake.set()
        elif kind == "h":
            self._on_handoff(value)
        elif kind == "c":
            self._on_cancel_hint(value)

    def _on_handoff(self, value: str) -> None:
        """A job handed over through this worker's offer: read it, then run it."""
        handoff = Handoff.parse(value)
        if handoff is None or handoff.worker != self.id:  # every worker hears every one
            return
        if self.stopping or not self._offers.take(handoff.generation, handoff.job_id):
            # A claim round collects the job instead (withdrawing the offer, when
            # stopping, gives it back).
            self._wake.set()
            return
        self._handoff_read = asyncio.create_task(self._read_handed(handoff))

    async def _read_handed(self, handoff: Handoff) -> None:
        assert self._storage is not None
        try:
            job = await self._storage.read_handed(self.id, handoff)
        except Exception as exc:  # the claim statement collects it instead
            log.warning("could not read the job handed over (%s)", exc)
            job = None
        if job is None or self.stopping:
            self._offers.unconfirmed()
        else:
            self._start(job, time.monotonic())
        # A claim round follows: it opens the offer again, or collects the job.
        self._wake.set()

    async def _settle_handoff(self) -> None:
        """Wait for the read of a handed job, if one is under way."""
        if self._handoff_read is not None:
            await asyncio.wait([self._handoff_read])
            self._handoff_read = None

    def _on_cancel_hint(self, value: str) -> None:
        """A job may have been asked to stop: the table says whether it was."""
        with contextlib.suppress(ValueError):
            job_id = uuid.UUID(value)
            if job_id in self._held and job_id not in self._cancel_checks:
                check = asyncio.create_task(self._check_cancel(self._held[job_id]))
                self._cancel_checks[job_id] = check

    async def _check_cancel(self, held: _Held) -> None:
        job = held.claimed
        assert self._storage is not None
        try:
            requested = await self._storage.cancel_is_requested(job.id, job.lease_token)
        except Exception as exc:  # the heartbeat carries the request all the same
            log.warning("could not check the cancel of job %s (%s)", job.id, exc)
            requested = False
        finally:
            self._cancel_checks.pop(job.id, None)
        if requested:
            self._cancel(held, _REQUESTED)

    def _on_heartbeat(self, lost: set[uuid.UUID], cancel: set[uuid.UUID]) -> None:
        for job_id in lost:
            held = self._held.get(job_id)
            # A job whose outcome is already buffered was not lost: it just finished.
            if held is not None and held.task is not None and not held.task.done():
                log.warning(
                    "lost the lease of job %s; stopping it", job_id, extra={"job_id": str(job_id)}
                )
                self._cancel(held, _LEASE_LOST)
        for job_id in cancel:
            held = self._held.get(job_id)
            if held is not None:
                self._cancel(held, _REQUESTED)

    def _cancel(self, held: _Held, reason: str) -> None:
        if held.task is not None and not held.task.done() and held.cancel_reason is None:
            held.cancel_reason = reason
            held.task.cancel()

    def _lease_snapshot(self) -> list[tuple[uuid.UUID, uuid.UUID]]:
        # Called from the heartbeat thread: copy first, the dict may change meanwhile.
        return [(h.claimed.id, h.claimed.lease_token) for h in list(self._held.values())]

    # --- running one job ----------------------------------------------------------------

    async def _run(self, held: _Held) -> None:
        try:
            await self._execute(held)
        finally:
            if not held.ended and self._held.get(held.claimed.id) is held:
                held.ended = True
                self._ended += 1
                self._slot_freed.set()

    async def _execute(self, held: _Held) -> None:
        job = held.claimed
        task = self.queue.tasks.get(job.task)
        try:
            if task is None:
                raise TaskNotRegisteredError(f"this worker has no task named {job.task!r}")
            kwargs = json.loads(job.payload)
            # This asyncio task has a context of its own: the variable is the job's only.
            set_current_job(JobContext(job.id, job.task, job.queue, job.attempts, job.max_attempts))
            if task.is_async:
                call = task.func(**kwargs)
            else:
                call = self._threads.run(partial(task.func, **kwargs))
            if job.timeout is None:
                result = await call
            else:
                try:
                    async with asyncio.timeout(job.timeout):
                        result = await call
                except TimeoutError:
                    raise JobTimeoutError(
                        f"timed out after {job.timeout:g}s (attempt {job.attempts})"
                    ) from None
            try:
                result_json = encode_json(result)
            except (TypeError, ValueError) as exc:
                raise ValueError(f"the task's result cannot be stored as JSON: {exc}") from None
        except asyncio.CancelledError as exc:
            if held.cancel_reason is None:
                if asyncio.current_task().cancelling():  # type: ignore[union-attr]
                    raise  # not this worker's doing: let whoever cancelled see it through
                self._record_failure(held, exc)  # the task raised it itself
                return
            asyncio.current_task().uncancel()  # type: ignore[union-attr]
            self._on_cancelled(held)
            return
        except BaseException as exc:  # every task error is recorded, SystemExit too:
            # a task must not stop the worker, and its job must not stay held.
            self._record_failure(held, exc)
            return
        held.duration = time.monotonic() - held.started
        self._acks.append((job.id, job.lease_token, result_json))
        self._flush_needed.set()
        self._log(held, "succeeded")

    def _on_cancelled(self, held: _Held) -> None:
        job = held.claimed
        if held.cancel_reason == _REQUESTED:
            # Written by the flusher, which retries until it lands: the job stays held
            # (its lease renewed) only until then, and never ends anywhere but cancelled.
            held.duration = time.monotonic() - held.started
            self._cancels.append((job.id, job.lease_token))
            self._flush_needed.set()
            self._log(held, "cancelled")
        elif held.cancel_reason == _LEASE_LOST:
            self._log(held, "abandoned (lease lost)")
            self._forget(job.id)
        # Jobs cancelled by a shutdown stay held: _drain releases them in one statement.

    def _record_failure(self, held: _Held, exc: BaseException) -> None:
        job = held.claimed
        held.duration = time.monotonic() - held.started
        task = self.queue.tasks.get(job.task)
        backoff = task.retry if task else DEFAULT_BACKOFF
        error = _text(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
        self._failures.append(
            Failure(
                id=job.id,
                token=job.lease_token,
                error=error[:2000],
                detail=_text("".join(traceback.format_exception(exc)))[:20000],
                delay=backoff.delay(job.attempts),
                outcome="timeout" if isinstance(exc, JobTimeoutError) else "failed",
            )
        )
        self._flush_needed.set()
        self._log(held, "failed", error=error)

    def _log(self, held: _Held, outcome: str, error: str | None = None) -> None:
        if not log.isEnabledFor(logging.INFO):
            return
        job = held.claimed
        duration = time.monotonic() - held.started
        log.info(
            "job %s %s %s (attempt %d/%d, %.3fs)%s",
            job.id,
            job.task,
            outcome,
            job.attempts,
            job.max_attempts,
            duration,
            f": {error}" if error else "",
            extra={
                "job_id": str(job.id),
                "task": job.task,
                "queue": job.queue,
                "attempt": job.attempts,
                "outcome": outcome,
                "duration": duration,
            },
        )

    def _forget(self, job_id: uuid.UUID) -> None:
        held = self._held.pop(job_id, None)
        if held is not None:
            self._ended -= held.ended
            self.jobs_done += 1
            self._slot_freed.set()

    # --- writing outcomes ------------------------------------------------------------------

    async def _flush_loop(self) -> None:
        while not (self._closing and not (self._acks or self._failures or self._cancels)):
            await self._flush_needed.wait()
            self._flush_needed.clear()
            try:
                await self._flush()
            except Exception as exc:  # keep the outcomes and try again
                log.warning("writing job outcomes failed (%s); retrying", exc)
                await asyncio.sleep(0.5)
                self._flush_needed.set()

    async def _close_flusher(self, flusher: asyncio.Task[None] | None) -> None:
        """Let the flusher write what is left, then stop it (never mid-statement:
        an outcome written but put back as unwritten would be sent twice)."""
        if flusher is None:
            return
        self._closing = True
        self._flush_needed.set()
        done, _ = await asyncio.wait([flusher], timeout=10)
        if not done:
            log.error("could not write the last job outcomes; their leases will expire")
            flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await flusher

    async def _stats_loop(self) -> None:
        while True:
            await asyncio.sleep(_STATS_INTERVAL)
            await self._write_stats()
            await self._show_threads()

    async def _show_threads(self) -> None:
        """Keep the workers view's account of abandoned threads current (see threads.py)."""
        shown = (self._threads.abandoned, self._threads.short)
        if shown == self._threads_shown or self._storage is None:
            return
        try:
            await self._storage.report_worker_threads(self.id, *shown)
        except Exception as exc:  # shown at the next round instead
            log.warning("could not show the abandoned task threads (%s)", exc)
        else:
            self._threads_shown = shown

    async def _write_stats(self) -> None:
        rows = self.stats.take()
        if not rows or self._storage is None:
            return
        try:
            await self._storage.add_job_stats(rows, shard=hash(self.id) % 16)
        except Exception as exc:  # statistics must never stop the work
            log.warning("writing job statistics failed (%s); keeping them", exc)
            self.stats.put_back(rows)

    def _count(self, held: _Held, status: str) -> None:
        job = held.claimed
        self.stats.count(job.queue, job.task, status)
        self.stats.observe(job.queue, job.task, "run_seconds", held.duration)

    async def _flush(self) -> None:
        assert self._storage is not None
        acks, self._acks = self._acks, []
        failures, self._failures = self._failures, []
        cancels, self._cancels = self._cancels, []
        try:
            if acks:
                await self._write_acks(acks)
                acks = []
            if failures:
                await self._write_failures(failures)
                failures = []
            if cancels:
                await self._write_cancels(cancels)
        except BaseException:
            # What failed was not written (one statement is atomic): keep the rest for
            # the retry.
            self._acks[:0] = acks
            self._failures[:0] = failures
            self._cancels[:0] = cancels
            raise

    async def _write_acks(self, acks: list[tuple[uuid.UUID, uuid.UUID, str]]) -> None:
        assert self._storage is not None
        try:
            landed = await self._storage.complete(acks)
        except DatabaseValueError:
            # A value PostgreSQL refuses would fail the whole batch forever: find it by
            # writing one at a time, and fail those jobs instead.
            landed = set()
            for ack in acks:
                try:
                    landed |= await self._storage.complete([ack])
                except DatabaseValueError as exc:
                    held = self._held.get(ack[0])
                    if held is not None:
                        error = ValueError(f"the task's result could not be stored: {exc}")
                        self._record_failure(held, error)
                    continue
        self._report_fenced([a[0] for a in acks], landed)
        for job_id in landed:
            held = self._held.get(job_id)
            if held is not None:
                self._count(held, "succeeded")
            self._forget(job_id)
        for job_id, _, _ in acks:
            if job_id not in landed and job_id not in {f.id for f in self._failures}:
                self._forget(job_id)

    async def _write_failures(self, failures: list[Failure]) -> None:
        assert self._storage is not None
        try:
            statuses = await self._storage.fail(failures)
        except DatabaseValueError as exc:
            # Not expected (errors are sanitised); never retry it forever. Letting go of
            # the jobs lets their leases expire, and the rescuer retries them.
            log.error(
                "could not record %d failed attempts (%s); their leases will expire",
                len(failures),
                exc,
            )
            statuses = {}
        else:
            self._report_fenced([f.id for f in failures], set(statuses))
        for failure in failures:
            held = self._held.get(failure.id)
            if held is not None and failure.id in statuses:
                self._count(held, statuses[failure.id])
            self._forget(failure.id)

    async def _write_cancels(self, cancels: list[tuple[uuid.UUID, uuid.UUID]]) -> None:
        assert self._storage is not None
        landed = await self._storage.mark_cancelled(cancels)
        self._report_fenced([job_id for job_id, _ in cancels], landed)
        for job_id, _ in cancels:
            held = self._held.get(job_id)
            if held is not None and job_id in landed:
                self._count(held, "cancelled")
            self._forget(job_id)

    def _report_fenced(self, ids: list[uuid.UUID], landed: set[uuid.UUID]) -> None:
        for job_id in ids:
            if job_id not in landed:
                log.warning(
                    "outcome of job %s refused: its lease was lost meanwhile",
                    job_id,
                    extra={"job_id": str(job_id)},
                )

    # --- stopping ---------------------------------------------------------------------------

    async def _drain(self) -> None:
        """Let running jobs finish within the grace period, then release the rest."""
        running = [h.task for h in self._held.values() if h.task and not h.task.done()]
        if running and not self._hard_stop:
            log.info(
                "waiting up to %.0fs for %d running jobs",
                self.settings.shutdown_grace,
                len(running),
            )
            await asyncio.wait(running, timeout=self.settings.shutdown_grace)
        for held in list(self._held.values()):
            self._cancel(held, _SHUTDOWN)
        pending = [h.task for h in self._held.values() if h.task and not h.task.done()]
        if pending:
            await asyncio.wait(pending)
        await self._flush()
        leftover = [
            (h.claimed.id, h.claimed.lease_token)
            for h in self._held.values()
            if h.cancel_reason == _SHUTDOWN
        ]
        if leftover:
            assert self._storage is not None
            released = await self._storage.release(leftover)
            log.info("released %d unfinished jobs for other workers", len(released))
            for job_id, _ in leftover:
                self._forget(job_id)


def _text(value: str) -> str:
    """Text PostgreSQL can store: it refuses the NUL character."""
    return value.replace("\x00", "\\x00")


async def run_worker(queue: Queue, settings: WorkerSettings | None = None, **options: Any) -> None:
    """Run a worker until SIGTERM or SIGINT (a second signal stops at once)."""
    worker = Worker(queue, settings, **options)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, worker.stop)
    try:
        await queue.migrate()
        await worker.run()
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
        await queue.close()
