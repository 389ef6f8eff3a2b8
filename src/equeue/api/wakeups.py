"""Wake-ups of long-polling claims: ``POST /v1/queues/{name}/claim`` waits, while its
queue has nothing to claim, for a notification that jobs may be runnable there.

One LISTEN connection per API process, opened by the first claim that waits and closed
with the app. A notification is only a hint (see docs/architecture.md): a woken claim
claims, and the claim statement alone decides what it gets. Waits are also cut into
short slices, so a job that became due without a notification (a retry's delay ran
out), or one whose notification was lost while the connection was down, is claimed
within a slice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections.abc import Iterator
from typing import Protocol

from equeue.queue import Queue

log = logging.getLogger("equeue.api")

#: Longest a waiting claim sleeps between two attempts, notification or not.
SLICE_SECONDS = 5.0


class _Listening(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class ClaimWakeups:
    """Events that claims waiting on a queue wait for; set by the queue's notifications."""

    def __init__(self, queue: Queue) -> None:
        self._queue = queue
        self._waiting: dict[str, set[asyncio.Event]] = {}
        self._listener: _Listening | None = None
        self._starting = asyncio.Lock()

    async def start(self) -> None:
        """Listen, unless listening already. When the connection cannot be opened, waits
        go on in slices alone, and the next one tries again."""
        async with self._starting:
            if self._listener is None:
                listener = self._queue.admin.jobs_listener(self._heard, log=log)
                try:
                    await listener.start()
                except Exception as exc:  # the claims themselves report the database's state
                    log.warning("claims wait without wake-ups: cannot listen (%s)", exc)
                    return
                self._listener = listener

    async def stop(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            await listener.stop()

    @contextlib.contextmanager
    def watching(self, queue: str) -> Iterator[asyncio.Event]:
        """An event set whenever ``queue`` may have runnable jobs, while in the block."""
        event = asyncio.Event()
        self._waiting.setdefault(queue, set()).add(event)
        try:
            yield event
        finally:
            waiting = self._waiting.get(queue)
            if waiting is not None:
                waiting.discard(event)
                if not waiting:
                    del self._waiting[queue]

    def _heard(self, payload: str) -> None:
        kind, _, queue = payload.partition(":")
        if kind == "q":
            for event in self._waiting.get(queue, ()):
                event.set()


_wakeups: weakref.WeakKeyDictionary[Queue, ClaimWakeups] = weakref.WeakKeyDictionary()


def claim_wakeups(queue: Queue) -> ClaimWakeups:
    """The wake-ups of a queue's waiting claims in this process (one, whatever mounts it)."""
    wakeups = _wakeups.get(queue)
    if wakeups is None:
        wakeups = _wakeups[queue] = ClaimWakeups(queue)
    return wakeups


async def wait_briefly(event: asyncio.Event, seconds: float) -> None:
    """Wait for ``event`` at most ``seconds``, and at most one slice."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), min(seconds, SLICE_SECONDS))
