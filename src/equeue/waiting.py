"""Waiting for jobs to finish, woken by the database: ``await queue.wait(job_id)``.

Every waiter of a :class:`~equeue.Queue` shares one registry, and the registry one LISTEN
connection, however many wait: a thousand callers (or long-polling HTTP clients) cost
one connection and no polling. It listens on the job-change events channel (migration
0002), which the triggers feed only while some process holds an events lease (migration
0003): the registry holds one while anyone waits, renewed every third of its length.

What it hears is a hint. A waiter wakes only once the registry has read its job and found
it finished. No wake-up is lost:

- a waiter registers first, then makes sure the lease is held, then reads its job: a
  change after that read is notified;
- a change whose statement ran before the lease was taken, and committed after the
  waiter's read, was not notified: when the lease is taken afresh every waited job is
  read again once such transactions have had time to end (:data:`SETTLE_SECONDS`);
- notifications sent while the LISTEN connection was down are lost: when it is opened
  again, every waited job is read again.

Memory is bounded by the waiters: each leaves the registry when it returns, times out or
is cancelled. A waited job that is deleted wakes nobody: its waiters time out.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Coroutine, Iterable
from typing import Any, Protocol

from equeue.errors import JobNotFoundError, WaitTimeoutError
from equeue.job import Job
from equeue.listener import Listener
from equeue.storage import Storage
from equeue.storage.api import ApiStorage, check_listener_query
from equeue.storage.progress import events_channel

log = logging.getLogger("equeue.wait")

#: How long the triggers keep sending events after the registry last renewed its lease.
WATCH_SECONDS = 30.0
#: After the lease is taken afresh, waited jobs are read again this much later: long
#: enough for a transaction that changed a job just before the lease to have committed.
SETTLE_SECONDS = 1.0
_FINISHED_CODES = frozenset("dfc")  # succeeded, failed, cancelled (see event_entry)
_ENTRY = 23  # a status letter and 22 characters of unpadded base64


def finished_ids(payload: str) -> set[uuid.UUID]:
    """The ids of the jobs an events notification says have finished."""
    found = set()
    for start in range(0, len(payload) - _ENTRY + 1, _ENTRY):
        entry = payload[start : start + _ENTRY]
        if entry[0] in _FINISHED_CODES:
            with contextlib.suppress(ValueError):
                found.add(uuid.UUID(bytes=base64.b64decode(entry[1:] + "==")))
    return found


class _Engine(Protocol):
    schema: str

    @property
    def session_dsn(self) -> str: ...

    async def _storage(self) -> Storage: ...


class Waiters:
    """The waiters of one queue, woken through one LISTEN connection."""

    def __init__(self, queue: _Engine) -> None:
        self._queue = queue
        self._waiting: dict[uuid.UUID, set[asyncio.Future[Job]]] = {}
        self._listener = Listener(
            queue.session_dsn,
            events_channel(queue.schema),
            self._on_notification,
            name="job waiters",
            application_name=f"equeue:{queue.schema}:waits",
            check_query=check_listener_query(queue.schema),
            on_connect=self._on_connect,
            log=log,
        )
        self._watcher = f"{socket.gethostname()}:{os.getpid()}:wait:{uuid.uuid4().hex[:8]}"
        self._keeper: asyncio.Task[None] | None = None
        self._watching = False  # the events lease is held (renewed by the keeper)
        self._start_lock = asyncio.Lock()
        self._checks: set[asyncio.Task[None]] = set()  # held here so they are not collected

    @property
    def count(self) -> int:
        """How many callers wait now."""
        return sum(len(futures) for futures in self._waiting.values())

    @property
    def listener_pid(self) -> int | None:
        """The server pid of the LISTEN connection; None while it is down."""
        return self._listener.backend_pid

    async def wait(self, job_id: uuid.UUID, timeout: float | None) -> Job:
        """The job once it has finished; :class:`WaitTimeoutError` after ``timeout``
        seconds (None: no limit) with the job as it then was."""
        if timeout is not None and timeout < 0:
            raise ValueError(f"a wait's timeout cannot be negative ({timeout})")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Job] = loop.create_future()
        futures = self._waiting.setdefault(job_id, set())
        futures.add(future)
        deadline = asyncio.timeout(timeout)
        try:
            async with deadline:
                await self._start()
                job = await self._read(job_id)
                if job.is_finished:
                    return job
                return await future
        except TimeoutError:
            if not deadline.expired():
                raise  # not ours: the database's, say
            last = await self._read(job_id)
            if last.is_finished:  # finished as the time ran out
                return last
            raise WaitTimeoutError(
                f"job {job_id} did not finish within {timeout:g}s (it is {last.status})", last
            ) from None
        finally:
            futures.discard(future)
            if not futures and self._waiting.get(job_id) is futures:
                del self._waiting[job_id]

    async def close(self) -> None:
        """Stop listening and give up the events lease; waiters left time out."""
        keeper, self._keeper = self._keeper, None
        for task in [keeper, *self._checks]:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await self._listener.stop()
        if self._watching:
            self._watching = False
            with contextlib.suppress(Exception):  # else it simply lapses
                await ApiStorage(await self._queue._storage()).unwatch_events(self._watcher)

    # --- inside ------------------------------------------------------------------------------

    async def _read(self, job_id: uuid.UUID) -> Job:
        job = await (await self._queue._storage()).get_job(job_id)
        if job is None:
            raise JobNotFoundError(f"no job {job_id}")
        return job

    async def _start(self) -> None:
        """Listen, and hold the events lease while anyone waits (see the module)."""
        if self._watching and self._listener.running:
            return
        async with self._start_lock:
            await self._listener.start()
            if not self._watching:
                await self._watch()
                self._watching = True
                if self._keeper is None or self._keeper.done():
                    self._keeper = asyncio.create_task(self._keep_watching(), name="equeue-waits")
                self._check_later(SETTLE_SECONDS)

    async def _watch(self) -> None:
        await ApiStorage(await self._queue._storage()).watch_events(self._watcher, WATCH_SECONDS)

    async def _keep_watching(self) -> None:
        """Renew the lease while anyone waits; give it up when nobody does."""
        missed = False
        while True:
            await asyncio.sleep(WATCH_SECONDS / 3)
            async with self._start_lock:
                if not self._waiting:
                    self._watching = False
                    with contextlib.suppress(Exception):  # else it simply lapses
                        storage = ApiStorage(await self._queue._storage())
                        await storage.unwatch_events(self._watcher)
                    return
            try:
                await self._watch()
            except Exception as exc:  # the lease may lapse: events may be missed
                log.warning("job waiters: could not renew the events lease (%s)", exc)
                missed = True
                continue
            if missed:  # read again what may have finished while the lease had lapsed
                missed = False
                self._check_later(SETTLE_SECONDS)

    def _on_notification(self, payload: str) -> None:
        awaited = finished_ids(payload) & self._waiting.keys()
        if awaited:
            self._spawn(self._wake(awaited))

    def _on_connect(self) -> None:
        """The LISTEN connection was (re)opened: what was sent while it was down is lost."""
        if self._waiting:
            self._check_later(0)

    def _check_later(self, delay: float) -> None:
        async def check() -> None:
            await asyncio.sleep(delay)
            ids = list(self._waiting)
            if ids:
                finished = await (await self._queue._storage()).finished_jobs(ids)
                await self._wake(finished)

        self._spawn(check())

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._checks.add(task)
        task.add_done_callback(self._checked)

    def _checked(self, task: asyncio.Task[None]) -> None:
        self._checks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("job waiters: a check failed (%s)", task.exception())

    async def _wake(self, ids: Iterable[uuid.UUID]) -> None:
        """Read each job; wake its waiters if it has finished (a hint is only a hint)."""
        for job_id in ids:
            if not self._waiting.get(job_id):
                continue
            try:
                job = await self._read(job_id)
            except JobNotFoundError:
                continue
            if job.is_finished:
                for future in self._waiting.get(job_id, ()):
                    if not future.done():
                        future.set_result(job)
