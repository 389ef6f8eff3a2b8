"""Single enqueues that arrive together are written together.

An API process, or an application enqueueing from many tasks at once, sends one job per
call. Each call alone costs a statement, a round trip and a commit, and on a busy
process that costs more CPU, in the process and in PostgreSQL, than everything else the
enqueue does. So while :data:`IN_FLIGHT` single enqueues are already being written, the
next ones wait for the first of those to finish and then go in one statement together.

Nothing waits while fewer are in flight: an enqueue alone is written at once, with its
chance of a direct hand-off to an idle worker. Jobs written together take the usual
path (queued, and the workers woken), as a batch always does.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence

import asyncpg

from equeue.job import Job, NewJob
from equeue.storage.errors import translate

#: Single enqueues written at once, each alone, before the next ones are combined.
IN_FLIGHT = 2

_Waiting = tuple[NewJob, asyncio.Future[Job]]


class SingleEnqueues:
    """Writes single jobs: alone while few are in flight, else together."""

    def __init__(
        self,
        alone: Callable[[NewJob], Awaitable[Job]],
        together: Callable[[Sequence[NewJob]], Awaitable[list[Job]]],
        in_flight: int = IN_FLIGHT,
    ) -> None:
        """``alone`` writes one job (with its hand-off), ``together`` many in one
        statement; both raise the driver's exceptions."""
        self._alone = alone
        self._together = together
        self._limit = in_flight
        self._in_flight = 0
        self._waiting: list[_Waiting] = []
        self._sending: set[asyncio.Task[None]] = set()

    async def insert(self, new: NewJob) -> Job:
        """Write ``new``; returns it as written."""
        if self._in_flight < self._limit:
            self._in_flight += 1
            try:
                return await self._alone(new)
            finally:
                self._finished()
        entry: _Waiting = (new, asyncio.get_running_loop().create_future())
        self._waiting.append(entry)
        try:
            return await entry[1]
        except asyncio.CancelledError:
            # Not sent yet, it never will be: the caller gave up on it.
            with contextlib.suppress(ValueError):
                self._waiting.remove(entry)
            raise

    def _finished(self) -> None:
        """One statement fewer in flight: send what waits, if anything does."""
        self._in_flight -= 1
        if self._waiting and self._in_flight < self._limit:
            batch, self._waiting = self._waiting, []
            self._in_flight += 1
            task = asyncio.create_task(self._send(batch), name="equeue-enqueue-together")
            self._sending.add(task)
            task.add_done_callback(self._sending.discard)

    async def _send(self, batch: list[_Waiting]) -> None:
        try:
            written = await self._together([new for new, _ in batch])
        except asyncpg.DataError:
            # One job's value spoiled the statement for all (PostgreSQL refused it):
            # each goes alone, so only that one fails.
            await self._one_by_one(batch)
        except asyncio.CancelledError:
            for _, future in batch:
                future.cancel()
            raise
        except Exception as exc:
            for _, future in batch:
                _settle(future, exc=_failure(exc))
        else:
            for (_, future), job in zip(batch, written, strict=True):
                _settle(future, job)
        finally:
            self._finished()

    async def _one_by_one(self, batch: list[_Waiting]) -> None:
        for new, future in batch:
            if future.done():
                continue
            try:
                job = await self._alone(new)
            except Exception as exc:
                _settle(future, exc=_failure(exc))
            else:
                _settle(future, job)


def _settle(
    future: asyncio.Future[Job], job: Job | None = None, exc: BaseException | None = None
) -> None:
    if future.done():  # its caller was cancelled meanwhile
        return
    if exc is not None:
        future.set_exception(exc)
    elif job is not None:
        future.set_result(job)


def _failure(exc: Exception) -> BaseException:
    """equeue's error for a driver's failure, made anew for each caller that shares it."""
    failure = translate(exc)
    if failure is not exc:
        failure.__cause__ = exc
    return failure
