"""One LISTEN connection that outlives every failure of its own.

A worker (wake-ups, hand-offs, cancels) and the API's event hub each hold one. When the
connection is lost — the server restarted, its backend was terminated, the network broke,
or a liveness check went unanswered — it is opened again, waiting longer after each
attempt that fails, and every loss and every recovery is logged: a listener never dies
silently. What it hears is only ever a hint. Anyone may send a notification on any
channel (PostgreSQL has no privileges on LISTEN and NOTIFY), so callers check against the
tables whatever they act on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable

import asyncpg

from equeue.retry import Backoff

#: Waits between attempts: 0.1 s after the first failure, doubling up to 30 s, ±50 %.
RECONNECT_BACKOFF = Backoff(base=0.1, factor=2.0, max=30.0, jitter=0.5)
#: A connection that lived this long was sound: the next loss starts the backoff anew.
STABLE_SECONDS = 30.0


def describe(exc: BaseException) -> str:
    """An exception as one line for the log: its type, and its message when it has one."""
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


class Listener:
    """Holds a LISTEN connection on ``channel`` and hands each payload to ``on_message``.

    ``on_connect`` is called each time the connection is (re)opened: what was sent while
    it was down was missed. ``check_query`` is run every ``check_interval`` seconds to
    find a connection that died without the socket saying so (a broken network).
    """

    def __init__(
        self,
        dsn: str,
        channel: str,
        on_message: Callable[[str], None],
        *,
        name: str,
        application_name: str,
        check_query: str,
        on_connect: Callable[[], None] | None = None,
        log: logging.Logger,
        check_interval: float = 30.0,
        check_timeout: float = 10.0,
    ) -> None:
        self._dsn = dsn
        self._channel = channel
        self._on_message = on_message
        self._on_connect = on_connect
        self._name = name
        self._application_name = application_name
        self._check_query = check_query
        self._check_interval = check_interval
        self._check_timeout = check_timeout
        self._log = log
        self._connection: asyncpg.Connection | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def backend_pid(self) -> int | None:
        """The pid of the connection's server process; None while it is down."""
        if self._connection is None or self._connection.is_closed():
            return None
        return self._connection.get_server_pid()

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        """Open the connection (raising if the database cannot be reached), then keep it."""
        if self.running:
            return
        self._connection = await self._open()
        self._task = asyncio.create_task(self._run(), name=f"equeue-listener:{self._name}")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        connection, self._connection = self._connection, None
        if connection is not None:
            await _close(connection)

    async def _open(self) -> asyncpg.Connection:
        connection = await asyncpg.connect(
            self._dsn, server_settings={"application_name": self._application_name}
        )
        try:
            await connection.add_listener(self._channel, self._deliver)
        except BaseException:
            await _close(connection)
            raise
        if self._on_connect is not None:
            self._on_connect()
        return connection

    def _deliver(self, _conn: object, _pid: int, _channel: str, payload: object) -> None:
        try:
            self._on_message(str(payload))
        except Exception:  # a bad handler must never kill the listener
            self._log.exception("%s: a notification's handler failed", self._name)

    async def _run(self) -> None:
        while True:
            try:
                await self._keep()
            except Exception:  # a fault of our own: log it, and listen again all the same
                self._log.exception("%s: the listener failed; restarting it", self._name)
                connection, self._connection = self._connection, None
                if connection is not None:
                    await _close(connection)
                await asyncio.sleep(RECONNECT_BACKOFF.delay(4))

    async def _keep(self) -> None:
        """Watch the connection; whenever it is lost, open another, with a backoff."""
        failures = 0
        while True:
            if self._connection is None:
                try:
                    self._connection = await self._open()
                except Exception as exc:  # whatever it is, try again later
                    failures += 1
                    delay = RECONNECT_BACKOFF.delay(failures)
                    self._log.warning(
                        "%s: could not open the LISTEN connection (%s); retrying in %.1fs",
                        self._name,
                        describe(exc),
                        delay,
                    )
                    await asyncio.sleep(delay)
                    continue
                self._log.info("%s: LISTEN connection re-established", self._name)
            opened = time.monotonic()
            reason = await self._until_lost(self._connection)
            connection, self._connection = self._connection, None
            await _close(connection)
            # A connection that keeps dying at once must not be reopened in a tight loop.
            failures = 0 if time.monotonic() - opened >= STABLE_SECONDS else failures + 1
            delay = RECONNECT_BACKOFF.delay(failures)
            self._log.warning(
                "%s: LISTEN connection lost (%s); reconnecting in %.1fs",
                self._name,
                reason,
                delay,
            )
            await asyncio.sleep(delay)

    async def _until_lost(self, connection: asyncpg.Connection) -> str:
        """Return, with the reason, once ``connection`` is of no more use."""
        closed = asyncio.Event()
        connection.add_termination_listener(lambda _connection: closed.set())
        while not connection.is_closed():
            try:
                await asyncio.wait_for(closed.wait(), self._check_interval)
            except TimeoutError:
                pass
            else:
                break
            try:
                await asyncio.wait_for(connection.fetchval(self._check_query), self._check_timeout)
            except Exception as exc:
                return f"liveness check failed: {describe(exc)}"
        return "closed by the server or the network"


async def _close(connection: asyncpg.Connection) -> None:
    """Close quietly: a connection being given up on may already be broken."""
    if connection.is_closed():
        return
    try:
        await asyncio.wait_for(connection.close(), timeout=2)
    except Exception:
        connection.terminate()
