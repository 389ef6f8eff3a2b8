"""The threads plain (non-async) task functions run in, and the ones they leave behind.

Python cannot stop a thread. When a plain function's job times out or is cancelled, the
worker stops waiting for it and frees the job's slot, but the thread runs on until the
function returns: it is *abandoned*. Were those threads taken from the slots' own, a
worker could claim a job and find no thread to start it in.

So there are two threads per slot: one for the job in the slot, one for an abandoned
thread. While at most ``concurrency`` threads are abandoned, every claimed job has a
thread. Beyond that the worker claims only jobs of its async tasks until enough of the
abandoned threads end (see :attr:`TaskThreads.short`).

The threads are daemon threads: a stopping worker has written or released every job it
held, and does not wait for functions it has let go of.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from functools import partial
from typing import Any

_Work = tuple["Future[Any]", Callable[[], Any]]


class TaskThreads:
    """Runs plain task functions in threads, and counts the threads abandoned."""

    def __init__(self, concurrency: int) -> None:
        self.concurrency = concurrency
        self.size = 2 * concurrency
        self.abandoned = 0  #: threads still running a function whose job was let go
        self._started = 0
        self._work: queue.SimpleQueue[_Work | None] = queue.SimpleQueue()
        self._idle = threading.Semaphore(0)

    @property
    def short(self) -> bool:
        """Whether a claimed plain task might find no thread: claim async tasks only.

        A running job holds at most one thread and a slot at most one running job, so
        with no more than ``concurrency`` threads abandoned a thread is always free.
        """
        return self.abandoned > self.concurrency

    async def run(self, func: Callable[[], Any]) -> Any:
        """Run ``func`` in a thread, in a copy of the caller's context; await its result.

        Should the wait end early (timeout, cancellation), the thread is counted as
        abandoned until the function returns.
        """
        loop = asyncio.get_running_loop()
        # Threads do not inherit context variables: run in a copy of ours.
        future = self._submit(partial(contextvars.copy_context().run, func))
        try:
            return await asyncio.wrap_future(future)
        except BaseException:
            # A function that has not started never will; one that has runs on.
            if not future.cancel() and not future.done():
                self.abandoned += 1
                future.add_done_callback(lambda _: self._tell_ended(loop))
            raise

    def shutdown(self) -> None:
        """Let idle threads end; abandoned ones end with their function or the process."""
        for _ in range(self._started):
            self._work.put(None)

    def _submit(self, func: Callable[[], Any]) -> Future[Any]:
        # Called on the worker's event loop only: no lock needed around _started.
        future: Future[Any] = Future()
        self._work.put((future, func))
        if not self._idle.acquire(blocking=False) and self._started < self.size:
            self._started += 1
            name = f"equeue-task-{self._started}"
            threading.Thread(target=self._serve, name=name, daemon=True).start()
        return future

    def _serve(self) -> None:
        while (work := self._work.get()) is not None:
            future, func = work
            if future.set_running_or_notify_cancel():
                try:
                    result = func()
                except BaseException as exc:  # the caller decides what it means
                    future.set_exception(exc)
                else:
                    future.set_result(result)
            del work, future, func  # drop the result before waiting for more work
            self._idle.release()

    def _tell_ended(self, loop: asyncio.AbstractEventLoop) -> None:
        # From the abandoned thread itself, once its function has returned.
        with contextlib.suppress(RuntimeError):  # the worker's loop is gone: nobody counts
            loop.call_soon_threadsafe(self._ended)

    def _ended(self) -> None:
        self.abandoned -= 1
