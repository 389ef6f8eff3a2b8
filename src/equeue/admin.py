"""The administration façade: everything besides jobs that is read or managed from above
the engine — queue flags and statistics, workers, registered tasks, readiness, API keys,
the fleet-wide metrics and the job-change events.

It is reached as ``queue.admin`` (see :class:`~equeue.queue.Queue`), and with
:class:`~equeue.queue.Queue` it is the only way the API, the dashboard and the command
line reach the database: they never import storage or the driver. Every method opens the
queue's pool when needed, and raises :class:`~equeue.errors.DatabaseError` (or a
subclass) when the database fails.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any, Protocol

from equeue.listener import Listener
from equeue.records import KeyInfo, QueueStats, StatCell, StoredKey
from equeue.storage import Storage
from equeue.storage.api import ApiStorage, check_listener_query, events_channel
from equeue.storage.pool import pending_migrations


class _Engine(Protocol):
    """What the façade needs of its queue (a :class:`~equeue.queue.Queue`)."""

    dsn: str | None
    schema: str

    async def _storage(self) -> Storage: ...


class Admin:
    """Reads and administration calls of one queue's schema, besides jobs."""

    def __init__(self, queue: _Engine) -> None:
        self._queue = queue

    async def _api(self) -> ApiStorage:
        return ApiStorage(await self._queue._storage())

    # --- queues ---------------------------------------------------------------------------

    async def queue_flags(self) -> dict[str, bool]:
        """Each queue that was ever paused or resumed, and whether it is paused now."""
        return await (await self._queue._storage()).queue_flags()

    async def queue_stats(self, window_seconds: float) -> list[QueueStats]:
        """Every queue: counts by status, paused flag, oldest waiting job, and how many
        jobs succeeded and failed in the last ``window_seconds``."""
        return await (await self._api()).queue_stats(window_seconds)

    # --- workers and tasks ----------------------------------------------------------------

    async def workers(self) -> list[dict[str, Any]]:
        """Every registered worker, as its row (id, host, pid, queues, concurrency,
        running, last_seen, ...)."""
        return await (await self._queue._storage()).list_workers()

    async def live_workers(self, alive_seconds: float) -> list[dict[str, Any]]:
        """The workers seen within the last ``alive_seconds``, as their rows."""
        return await (await self._api()).live_workers(alive_seconds)

    async def count_live_workers(self, alive_seconds: float) -> int:
        """How many workers were seen within the last ``alive_seconds``."""
        return await (await self._api()).count_live_workers(alive_seconds)

    async def tasks(self) -> list[dict[str, Any]]:
        """The task names workers registered, with their default job options."""
        return await (await self._queue._storage()).list_tasks()

    # --- health and metrics ---------------------------------------------------------------

    async def pending_migrations(self) -> list[str]:
        """The migrations (``NNNN_name``) not yet applied: empty when the schema is ready."""
        return await pending_migrations(await self._queue._storage())

    async def stats_totals(self) -> list[StatCell]:
        """The fleet-wide counters and histogram buckets the job triggers keep."""
        return await (await self._api()).stats_totals()

    # --- API keys -------------------------------------------------------------------------

    async def insert_key(
        self, key_id: str, name: str | None, scopes: list[str], secret_hash: bytes
    ) -> KeyInfo:
        """Store a new key by the hash of its secret (see :mod:`equeue.api.keys`)."""
        return await (await self._api()).insert_key(key_id, name, scopes, secret_hash)

    async def get_key(self, key_id: str) -> StoredKey | None:
        """The active key with this id; None when there is none or it was revoked."""
        return await (await self._api()).get_key(key_id)

    async def list_keys(self) -> list[KeyInfo]:
        """Every key, revoked ones included, oldest first."""
        return await (await self._api()).list_keys()

    async def revoke_key(self, key_id: str) -> bool:
        """Revoke a key; False when no active key has this id."""
        return await (await self._api()).revoke_key(key_id)

    # --- job-change events ----------------------------------------------------------------

    def event_listener(self, on_message: Callable[[str], None], *, log: logging.Logger) -> Listener:
        """A listener (not started) of the job-change events channel of this schema."""
        schema = self._queue.schema
        return Listener(
            self._queue.dsn or "",
            events_channel(schema),
            on_message,
            name="event hub",
            application_name=f"equeue:{schema}:events",
            check_query=check_listener_query(schema),
            log=log,
        )

    async def watch_events(self, watcher: str, seconds: float) -> None:
        """Have the triggers send job-change events for ``seconds`` more."""
        await (await self._api()).watch_events(watcher, seconds)

    async def unwatch_events(self, watcher: str) -> None:
        """This watcher has no events clients left."""
        await (await self._api()).unwatch_events(watcher)

    async def event_jobs(self, ids: list[uuid.UUID]) -> dict[uuid.UUID, tuple[str, str]]:
        """Task and queue of each job still present, by id."""
        return await (await self._api()).event_jobs(ids)
