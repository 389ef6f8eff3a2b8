"""Throttled, fenced progress writes of one running job (see :func:`equeue.progress`).

A task may report progress as often as it likes, from the event loop or from the thread a
plain task runs in; the reporter keeps only the latest value and writes at most one every
``interval`` seconds, so a loop that reports each of a million items costs a few writes.
Each write is fenced by the job's lease token: once the lease is lost nothing more is
written. Before the job's outcome is written the worker flushes the reporter, so the last
value reported is the last value stored.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable

from equeue.job import check_progress
from equeue.listener import describe

log = logging.getLogger("equeue.worker")

#: At most one progress write per job in this many seconds.
PROGRESS_INTERVAL = 0.5

#: Writes one value, fenced: (fraction, message) -> whether it landed.
ProgressWrite = Callable[[float, str | None], Awaitable[bool]]


class ProgressReporter:
    """The progress of one held job: the latest value reported, and its throttled writes."""

    def __init__(
        self,
        job_id: uuid.UUID,
        write: ProgressWrite,
        loop: asyncio.AbstractEventLoop,
        interval: float = PROGRESS_INTERVAL,
    ) -> None:
        self._job_id = job_id
        self._write = write
        self._loop = loop
        self._interval = interval
        self._pending: tuple[float, str | None] | None = None  # reported, not yet written
        self._last_write = float("-inf")
        self._writing: asyncio.Task[None] | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._stopped = False  # the lease is lost, or the outcome is on its way
        self.writes = 0  #: writes sent, for the worker's own accounting

    def report(self, fraction: float, message: str | None = None) -> None:
        """Record a progress value (see :func:`equeue.progress`); safe from any thread."""
        value = check_progress(fraction, message)
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self._loop:
            self._keep(value)
            return
        with contextlib.suppress(RuntimeError):  # the worker's loop is closed: let go
            self._loop.call_soon_threadsafe(self._keep, value)

    async def flush(self) -> None:
        """Write the latest value now if it is not written yet, then write no more: the
        job's outcome comes next."""
        self._stopped = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._writing is not None:
            with contextlib.suppress(Exception):
                await asyncio.shield(self._writing)
        value, self._pending = self._pending, None
        if value is not None:
            await self._send(value)

    def _keep(self, value: tuple[float, str | None]) -> None:
        if self._stopped:
            return
        self._pending = value
        self._schedule()

    def _schedule(self) -> None:
        """Write the pending value once the interval since the last write is over; a
        write in flight or a timer already set will see to it."""
        busy = self._writing is not None or self._timer is not None
        if busy or self._pending is None or self._stopped:
            return
        delay = self._last_write + self._interval - self._loop.time()
        if delay <= 0:
            self._start_write()
        else:
            self._timer = self._loop.call_later(delay, self._start_write)

    def _start_write(self) -> None:
        self._timer = None
        value, self._pending = self._pending, None
        if value is None or self._stopped:
            return
        self._writing = self._loop.create_task(self._write_then_next(value))

    async def _write_then_next(self, value: tuple[float, str | None]) -> None:
        try:
            await self._send(value)
        finally:
            self._writing = None
        self._schedule()

    async def _send(self, value: tuple[float, str | None]) -> None:
        self._last_write = self._loop.time()
        self.writes += 1
        try:
            landed = await self._write(*value)
        except Exception as exc:  # progress is advisory: a failed write fails no job
            log.warning("job %s: progress not written (%s)", self._job_id, describe(exc))
            return
        if not landed:
            self._stopped = True
            log.info("job %s: progress not written: the lease is lost", self._job_id)
