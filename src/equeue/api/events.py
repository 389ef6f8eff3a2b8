"""The event hub: turns job-change notifications into batched frames for clients.

Workers change job statuses in their own processes; a statement-level trigger (migration
0002) sends the changed ids and statuses on the channel ``equeue_<schema>_ev``, one
notification per statement. The hub holds one LISTEN connection per API process,
gathers notifications for a short window, looks up the jobs' task and queue in one query
per window, and gives each subscriber one frame with the events it asked for. A client
that falls ``buffer`` frames behind is dropped, so memory stays bounded.

The LISTEN connection is opened again whenever it is lost, and the batching loop never
stops on an error (both log what happened): clients stay connected and their events
resume; changes made while the connection was down are missed.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import os
import socket
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from equeue.admin import Admin
from equeue.listener import RECONNECT_BACKOFF, describe

log = logging.getLogger("equeue.api")

#: What :func:`decode` gives for a progress report; its event says ``running`` and carries
#: the job's latest ``progress``.
PROGRESS = "progress"
_STATUS_OF_CODE = {
    "s": "scheduled",
    "q": "queued",
    "r": "running",
    "t": "retrying",
    "d": "succeeded",
    "f": "failed",
    "c": "cancelled",
    "p": PROGRESS,  # not a status: the job reported progress (storage/queries/progress.sql)
}
_ENTRY = 23  # a status letter and 22 characters of unpadded base64
#: Most notified changes held while waiting for the next window; beyond, the oldest go.
MAX_PENDING = 200_000
#: Most events in one frame; a bigger batch for one client is split.
MAX_FRAME_EVENTS = 1000
#: How long the triggers keep sending events after this process last said it has clients
#: (renewed every third of it while it has; see migration 0003).
WATCH_SECONDS = 30.0


def decode(payload: str) -> list[tuple[uuid.UUID, str]]:
    """The (job id, status) pairs of one notification; malformed entries are skipped."""
    changes = []
    for start in range(0, len(payload) - _ENTRY + 1, _ENTRY):
        entry = payload[start : start + _ENTRY]
        status = _STATUS_OF_CODE.get(entry[0])
        try:
            job_id = uuid.UUID(bytes=base64.b64decode(entry[1:] + "=="))
        except ValueError:
            continue
        if status is not None:
            changes.append((job_id, status))
    return changes


@dataclass(eq=False)
class Subscription:
    """One client's filter and its bounded queue of frames."""

    queue_name: str | None
    job_id: uuid.UUID | None
    frames: asyncio.Queue[list[dict[str, Any]]]
    #: Set when the client fell too far behind and must be disconnected.
    dropped: asyncio.Event = field(default_factory=asyncio.Event)

    def wants(self, event: dict[str, Any]) -> bool:
        if self.job_id is not None and event["job_id"] != str(self.job_id):
            return False
        return self.queue_name is None or event["queue"] == self.queue_name


class EventHub:
    """One LISTEN connection and a batching loop shared by every events client."""

    def __init__(self, admin: Admin, *, batch_seconds: float = 0.1, buffer: int = 100) -> None:
        self._listener = admin.event_listener(self._on_notification, log=log)
        self._admin = admin
        self.batch_seconds = batch_seconds
        self.buffer = buffer
        self._subscribers: set[Subscription] = set()
        self._pending: list[tuple[uuid.UUID, str, datetime]] = []
        self._task: asyncio.Task[None] | None = None
        self._start_lock = asyncio.Lock()
        self._watcher = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._watched_at: float | None = None  # monotonic time of the last renewal

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        """Start listening (once); safe to call again."""
        async with self._start_lock:
            if self.running:
                return
            await self._listener.start()
            self._task = asyncio.create_task(self._run(), name="equeue-event-hub")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._listener.stop()
        for subscription in list(self._subscribers):
            subscription.dropped.set()
        self._subscribers.clear()
        if self._watched_at is not None:
            self._watched_at = None
            with contextlib.suppress(Exception):  # else the lease simply lapses
                await self._admin.unwatch_events(self._watcher)

    async def subscribe(self, queue_name: str | None, job_id: uuid.UUID | None) -> Subscription:
        """A new client's subscription; the triggers send events from now on."""
        subscription = Subscription(queue_name, job_id, asyncio.Queue(maxsize=self.buffer))
        self._subscribers.add(subscription)
        try:
            await self._keep_watching()
        except BaseException:
            self._subscribers.discard(subscription)
            raise
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        self._subscribers.discard(subscription)

    def _on_notification(self, payload: str) -> None:
        if not self._subscribers:
            return  # nobody listens: nothing to keep
        at = datetime.now(UTC)
        self._pending.extend((job_id, status, at) for job_id, status in decode(payload))
        if len(self._pending) > MAX_PENDING:
            del self._pending[: len(self._pending) - MAX_PENDING]

    async def _keep_watching(self) -> None:
        """Renew this process's events lease when a third of it has gone by."""
        now = time.monotonic()
        if self._watched_at is not None and now - self._watched_at < WATCH_SECONDS / 3:
            return
        await self._admin.watch_events(self._watcher, WATCH_SECONDS)
        self._watched_at = now

    async def _run(self) -> None:
        """One round per window, forever: an error is logged, and rounds go on after a
        backoff (a hub that stopped would leave its clients waiting for nothing)."""
        failures = 0
        while True:
            await asyncio.sleep(self.batch_seconds)
            try:
                failure = await self._round()
            except Exception as exc:  # a fault of our own: log it, and go on all the same
                log.exception("event hub round failed")
                failure = describe(exc)
            if failure is None:
                failures = 0
                continue
            failures += 1
            delay = RECONNECT_BACKOFF.delay(failures)
            log.warning("event hub: %s; next round in %.1fs", failure, delay)
            await asyncio.sleep(delay)

    async def _round(self) -> str | None:
        """Renew the events lease while clients are served, and publish what came in;
        returns what failed, if anything."""
        if self._subscribers:
            try:
                await self._keep_watching()
            except Exception as exc:
                return f"could not renew the events lease ({describe(exc)})"
        if self._pending:
            batch, self._pending = self._pending, []
            try:
                await self._publish(batch)
            except Exception as exc:
                return f"an event batch of {len(batch)} changes was lost ({describe(exc)})"
        return None

    async def _publish(self, batch: list[tuple[uuid.UUID, str, datetime]]) -> None:
        known = await self._admin.event_jobs(list({job_id for job_id, _, _ in batch}))
        reported = {job_id for job_id, status, _ in batch if status == PROGRESS}
        progress = await self._admin.job_progress(list(reported)) if reported else {}
        events = []
        for job_id, status, at in batch:
            task, queue_name = known.get(job_id, (None, None))
            event: dict[str, Any] = {
                "job_id": str(job_id),
                "type": task,
                "queue": queue_name,
                "status": status,
                "at": at.isoformat().replace("+00:00", "Z"),
            }
            if status == PROGRESS:
                if job_id not in progress:
                    continue  # the job is gone
                event["status"] = "running"
                event["progress"] = progress[job_id]
            events.append(event)
        for subscription in list(self._subscribers):
            self._deliver(subscription, [e for e in events if subscription.wants(e)])

    def _deliver(self, subscription: Subscription, events: list[dict[str, Any]]) -> None:
        for start in range(0, len(events), MAX_FRAME_EVENTS):
            try:
                subscription.frames.put_nowait(events[start : start + MAX_FRAME_EVENTS])
            except asyncio.QueueFull:
                self.unsubscribe(subscription)
                subscription.dropped.set()
                return
