"""Readiness: whether this API process can serve, asked of the database sparingly.

``/readyz`` needs no key, so anyone may call it as often as they like: the answer is
shared by every caller for ``cache_seconds``, one probe runs at a time, and a probe
that hangs ends after ``timeout`` seconds. The reason for a failure goes to the log,
not to the caller.
"""

from __future__ import annotations

import asyncio
import logging
import time

from equeue.queue import Queue

log = logging.getLogger("equeue.api")

#: How long one probe may take before the answer is "not ready".
PROBE_TIMEOUT_SECONDS = 5.0


class Readiness:
    """The last readiness answer of one queue, renewed at most once per ``cache_seconds``."""

    def __init__(
        self, queue: Queue, cache_seconds: float, timeout: float = PROBE_TIMEOUT_SECONDS
    ) -> None:
        self.queue = queue
        self.cache_seconds = cache_seconds
        self.timeout = timeout
        self._lock = asyncio.Lock()
        self._answer: tuple[float, str | None] | None = None  # (valid until, problem)

    async def problem(self) -> str | None:
        """None when ready, else what a caller may be told (no internals)."""
        cached = self._fresh()
        if cached is not None:
            return cached[1]
        async with self._lock:  # callers that arrive during a probe share its answer
            cached = self._fresh()
            if cached is None:
                problem = await self._probe()
                cached = (time.monotonic() + self.cache_seconds, problem)
                self._answer = cached
        return cached[1]

    def _fresh(self) -> tuple[float, str | None] | None:
        if self._answer is not None and self._answer[0] > time.monotonic():
            return self._answer
        return None

    async def _probe(self) -> str | None:
        try:
            async with asyncio.timeout(self.timeout):
                missing = await self.queue.admin.pending_migrations()
        except TimeoutError:
            log.warning("not ready: the database did not answer within %gs", self.timeout)
            return "the database did not answer in time"
        except Exception as exc:  # any failure at all means not ready
            log.warning("not ready: the database is unreachable: %s", exc)
            return "the database is unreachable"
        if missing:
            log.warning("not ready: migrations not applied: %s", ", ".join(missing))
            return "database migrations are pending"
        return None
