"""The claim loop, and the notifications that steer it.

The loop fills free slots with one claim statement per round and sleeps until a
notification, a stop or the poll interval when there is nothing to do. Every claim
statement also decides the worker's hand-off offer (see worker/handoff.py). The
notifications are hints (anyone may send one), each checked against the tables before
the worker acts on it: ``q:<queue>`` wakes the loop, ``h:...`` names a job handed over,
``c:<job id>`` a job that may have been asked to stop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from typing import Protocol

from equeue.storage import Handoff, WorkerStorage
from equeue.task import TaskRegistry
from equeue.worker.execution import Execution
from equeue.worker.handoff import OfferBook
from equeue.worker.held import CancelReason, Held, HeldJobs
from equeue.worker.settings import WorkerSettings
from equeue.worker.threads import TaskThreads

log = logging.getLogger("equeue.worker")

#: How long a busy worker waits for more slots to free up before a small claim.
GATHER_SECONDS = 0.005


class ListenerPid(Protocol):
    """The LISTEN connection hand-offs are heard on."""

    @property
    def backend_pid(self) -> int | None: ...


class Claimer:
    """Claims jobs for free slots and starts them; acts on notifications."""

    def __init__(
        self,
        *,
        worker_id: str,
        settings: WorkerSettings,
        storage: WorkerStorage,
        held: HeldJobs,
        execution: Execution,
        tasks: TaskRegistry,
        threads: TaskThreads,
        stopping: asyncio.Event,
        wake: asyncio.Event,
        listener: ListenerPid | None,
    ) -> None:
        self._id = worker_id
        self._settings = settings
        self._storage = storage
        self._held = held
        self._execution = execution
        self._tasks = tasks
        self._threads = threads
        self._stopping = stopping
        self._wake = wake
        self._listener = listener
        self._queues = set(settings.queues) if settings.queues else None
        self._queue_list = sorted(self._queues) if self._queues else None
        self._half_batch = min(settings.claim_batch, settings.concurrency) // 2
        self.offers = OfferBook(settings.poll_interval)
        self.sync_paused = False  #: claims leave plain tasks' jobs alone (no thread free)
        #: The read of the job a hand-off notification names, while it is under way.
        self._handoff_read: asyncio.Task[None] | None = None
        #: Checks of cancel notifications against the table, by job: one at a time each.
        self._cancel_checks: dict[uuid.UUID, asyncio.Task[None]] = {}

    def background(self) -> list[asyncio.Task[None]]:
        """The checks of notifications under way, for the worker to cancel as it stops."""
        tasks = list(self._cancel_checks.values())
        if self._handoff_read is not None:
            tasks.append(self._handoff_read)
        return tasks

    # --- claiming ---------------------------------------------------------------------------

    async def run(self) -> None:
        """Claim and start jobs until the worker stops."""
        s = self._settings
        while not self._stopping.is_set():
            free = self._held.free_slots()
            if free <= 0:
                self._held.slot_freed.clear()
                await self._held.slot_freed.wait()
                continue
            if free < self._half_batch and len(self._held):
                # Busy: give finishing jobs a moment to free more slots, so each claim
                # statement takes a large batch instead of a trickle.
                self._held.slot_freed.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._held.slot_freed.wait(), GATHER_SECONDS)
                free = self._held.free_slots()
            want = min(free, s.claim_batch)
            # Clear before claiming: a notification that lands during the claim must
            # still wake the next round (and a slot freed then, when limits held it back).
            self._wake.clear()
            self._held.slot_freed.clear()
            if not await self._claim_round(want):
                await self._wait_for_work()

    async def _claim_round(self, want: int) -> bool:
        """One claim statement for ``want`` jobs; whether it filled them all."""
        s = self._settings
        # Every claim statement also decides this worker's hand-off offer (0004), so
        # one may reopen it only once the table has answered about the last hand-off.
        await self._settle_handoff()
        skip = self._tasks_without_threads()  # before the offer: it decides on it too
        offer = self.offers.for_claim(self._listener_pid())
        try:
            claimed = await self._storage.claim(
                self._id, self._queue_list, want, s.lease_seconds, offer, skip
            )
        except Exception as exc:  # a database hiccup must not kill the worker
            self.offers.claim_failed()
            log.warning("claim failed (%s); retrying in %.1fs", exc, s.poll_interval)
            return False
        now = time.monotonic()
        for job in claimed:
            # A job collected from the offer may have come with its notification too.
            if job.id != self.offers.handed:
                self._execution.start(job, now)
        self.offers.claimed(offer, len(claimed), want)
        return len(claimed) >= want

    async def _wait_for_work(self) -> None:
        """After a claim that left slots free: sleep until a notification, or the poll
        interval. When the claim reached limited queues (docs/limits.md), a job of this
        worker ending wakes it too (it may have made room under a limit), and so does
        the next token of a rate that held jobs back."""
        poll = self._settings.poll_interval
        limit_wait = self._storage.limit_wait(self._id)
        if limit_wait is None:
            await self._sleep(poll)
            return
        woken = [asyncio.ensure_future(e.wait()) for e in (self._wake, self._held.slot_freed)]
        try:
            await asyncio.wait(woken, timeout=min(poll, limit_wait), return_when="FIRST_COMPLETED")
        finally:
            for waiter in woken:
                waiter.cancel()

    def _tasks_without_threads(self) -> list[str] | None:
        """The plain tasks, while too many threads are abandoned for them to be sure of
        one (see worker/threads.py); None while every task's jobs may be claimed."""
        short = self._threads.short
        if short != self.sync_paused:
            self.sync_paused = short
            self._log_sync_claims(short)
        if not short:
            return None
        return [task.name for task in self._tasks if not task.is_async]

    def _log_sync_claims(self, paused: bool) -> None:
        abandoned = self._threads.abandoned
        if paused:
            log.warning(
                "%d threads still run plain tasks whose jobs timed out or were cancelled, more "
                "than concurrency (%d): claiming only async tasks' jobs until some end",
                abandoned,
                self._settings.concurrency,
            )
        else:
            log.info("abandoned task threads down to %d: claiming every task's jobs", abandoned)

    def _listener_pid(self) -> int | None:
        """The LISTEN backend hand-offs would be heard on; None: take none now."""
        if not self._settings.handoff or self._listener is None or self._stopping.is_set():
            return None
        if self.sync_paused:  # a hand-off could bring a job no thread is free for
            return None
        return self._listener.backend_pid

    async def withdraw_offer(self) -> None:
        """On stop: no more hand-offs; one that came too late is given back at once."""
        await self._settle_handoff()
        try:
            late = await self._storage.withdraw_offer(self._id, self.offers.handed)
            if late:
                await self._storage.release(late)
        except Exception as exc:  # its lease expires instead
            log.warning("could not withdraw the hand-off offer (%s)", exc)

    async def _sleep(self, seconds: float) -> None:
        """Sleep until woken by a notification, a stop, or the timeout."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)

    # --- notifications ----------------------------------------------------------------------

    def on_notification(self, payload: str) -> None:
        """A notification on the schema's channel (see the module's docstring)."""
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
        if handoff is None or handoff.worker != self._id:  # every worker hears every one
            return
        if self._stopping.is_set() or not self.offers.take(handoff.generation, handoff.job_id):
            # A claim round collects the job instead (withdrawing the offer, when
            # stopping, gives it back).
            self._wake.set()
            return
        self._handoff_read = asyncio.create_task(self._read_handed(handoff))

    async def _read_handed(self, handoff: Handoff) -> None:
        try:
            job = await self._storage.read_handed(self._id, handoff)
        except Exception as exc:  # the claim statement collects it instead
            log.warning("could not read the job handed over (%s)", exc)
            job = None
        if job is None or self._stopping.is_set():
            self.offers.unconfirmed()
        else:
            self._execution.start(job, time.monotonic())
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
            held = self._held.get(job_id)
            if held is not None and job_id not in self._cancel_checks:
                self._cancel_checks[job_id] = asyncio.create_task(self._check_cancel(held))

    async def _check_cancel(self, held: Held) -> None:
        job = held.claimed
        try:
            requested = await self._storage.cancel_is_requested(job.id, job.lease_token)
        except Exception as exc:  # the heartbeat carries the request all the same
            log.warning("could not check the cancel of job %s (%s)", job.id, exc)
            requested = False
        finally:
            self._cancel_checks.pop(job.id, None)
        if requested:
            held.cancel(CancelReason.REQUESTED)
