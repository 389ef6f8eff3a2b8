"""LISTEN/NOTIFY: one connection per worker process wakes it for new jobs and cancels.

Notifications are hints, never the source of truth: the worker also polls, so a lost
notification (or a lost connection) costs latency, not jobs. The connection is
re-opened when it drops.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

import asyncpg

log = logging.getLogger("equeue.worker")


class Notifier:
    """Holds the LISTEN connection and calls back on each notification payload."""

    def __init__(
        self,
        dsn: str,
        channel: str,
        on_message: Callable[[str], None],
        on_connect: Callable[[], None],
    ) -> None:
        self._dsn = dsn
        self._channel = channel
        self._on_message = on_message
        #: Called each time the connection is (re)established: the caller should poll,
        #: since anything sent while it was down was missed.
        self._on_connect = on_connect
        self._connection: asyncpg.Connection | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def backend_pid(self) -> int | None:
        """The pid of the LISTEN connection's server process, None while it is down."""
        if self._connection is None or self._connection.is_closed():
            return None
        return self._connection.get_server_pid()

    async def start(self) -> None:
        await self._connect()
        self._task = asyncio.create_task(self._watch(), name="equeue-notifier")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._connection is not None and not self._connection.is_closed():
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._connection.close(), timeout=2)

    async def _connect(self) -> None:
        connection = await asyncpg.connect(
            self._dsn, server_settings={"application_name": "equeue:listen"}
        )
        await connection.add_listener(self._channel, self._deliver)
        self._connection = connection
        self._on_connect()

    def _deliver(self, _conn: object, _pid: int, _channel: str, payload: object) -> None:
        try:
            self._on_message(str(payload))
        except Exception:  # a bad callback must never kill the listener
            log.exception("notification handler failed")

    async def _watch(self) -> None:
        delay = 0.5
        while True:
            await asyncio.sleep(1.0)
            if self._connection is not None and not self._connection.is_closed():
                delay = 0.5
                continue
            try:
                await self._connect()
                log.info("LISTEN connection re-established")
            except (OSError, asyncpg.PostgresError) as exc:
                log.warning("LISTEN connection down (%s); polling meanwhile", exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)
