"""What a worker process makes sure of before it claims anything: a database it can
reach, and a schema it can run on.

A database out of reach at start is waited for, not given up on: the worker logs why and
when it tries again, with a growing pause (up to :data:`START_BACKOFF`'s 10 s), until
the database answers or the worker is told to stop. Everything else about the schema is
decided at once:

- migrations this code ships that are not applied: applied (by default), or, when the
  worker is not to migrate, a refusal naming them;
- migrations applied by a newer release: the worker goes on with a warning, as every
  migration works with the code of the release before it, unless one of them says it
  breaks older code: then a refusal naming it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from equeue.errors import DatabaseUnavailableError, SchemaVersionError
from equeue.listener import describe
from equeue.migrations import SchemaState
from equeue.queue import Queue
from equeue.retry import Backoff
from equeue.storage.pool import schema_state

log = logging.getLogger("equeue.worker")

#: The pauses between tries to reach the database at start.
START_BACKOFF = Backoff(base=0.5, factor=2.0, max=10.0, jitter=0.2)
_UNREACHABLE = (DatabaseUnavailableError, OSError, TimeoutError)


async def prepare_schema(queue: Queue, *, migrate: bool, stopping: Callable[[], bool]) -> bool:
    """Wait for the database, migrate the schema (``migrate``), and check that this code
    can run on it; False when told to stop meanwhile.

    Raises :class:`SchemaVersionError` when it cannot.
    """
    tries = 0
    while not stopping():
        try:
            if migrate:
                await queue.migrate()
            judge(await schema_state(queue.session_dsn, queue.schema), queue.schema)
            if tries:
                log.warning("the database answered after %d failed tries: starting", tries)
            return True
        except _UNREACHABLE as exc:
            tries += 1
            pause = START_BACKOFF.delay(tries)
            log.warning(
                "cannot reach the database at start (%s); trying again in %.1fs (try %d)",
                describe(exc),
                pause,
                tries,
            )
            await _pause(pause, stopping)
    return False


def judge(state: SchemaState, schema: str) -> None:
    """Refuse a schema this code cannot run on; warn about one a newer release migrated."""
    if state.missing:
        raise SchemaVersionError(
            f"the database schema {schema!r} lacks migrations this worker needs: "
            f"{', '.join(state.missing)}; apply them first (`equeue migrate`), or start "
            "the worker with --migrate"
        )
    if state.breaking:
        raise SchemaVersionError(
            f"the database schema {schema!r} is at migration {state.schema_version}; this "
            f"worker knows up to {state.known}, and {', '.join(state.breaking)} breaks the "
            "code of earlier releases: upgrade the worker"
        )
    if state.newer:
        log.warning(
            "the database schema %r is at migration %d; this worker knows up to %d (%s "
            "applied by a newer release): going on, as each migration works with the code "
            "of the release before it; upgrade the worker",
            schema,
            state.schema_version,
            state.known,
            ", ".join(state.newer),
        )


async def _pause(seconds: float, stopping: Callable[[], bool]) -> None:
    """Sleep ``seconds``, or less when told to stop."""
    until = time.monotonic() + seconds
    while not stopping() and time.monotonic() < until:
        await asyncio.sleep(min(0.1, until - time.monotonic()))
