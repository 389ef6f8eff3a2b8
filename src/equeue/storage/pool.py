"""Opening and closing a schema's connection pool, and the schema's migrations.

:class:`~equeue.queue.Queue` calls these; the pool itself never leaves the engine.
"""

from __future__ import annotations

from typing import Any

import asyncpg
from asyncpg.pool import PoolAcquireContext

from equeue import migrations
from equeue.storage import Storage
from equeue.storage.errors import translating

#: Session settings of equeue's own connections. A queue's statistics are stale by nature
#: (the waiting set empties and refills all day), and on a few estimated rows the planner
#: picks a bitmap scan: then every claim reads and sorts the whole backlog instead of
#: walking the claim index in order and stopping after one batch.
SERVER_SETTINGS = {"enable_bitmapscan": "off"}
#: Why a queue behind a transaction pooler needs a direct URL too.
NO_DIRECT_DSN = (
    "behind a transaction pooler, give direct_dsn (EQUEUE_DIRECT_DATABASE_URL): LISTEN "
    "and migrations need a session of their own"
)


async def _keep_session(connection: asyncpg.Connection) -> None:
    """How a pooled connection is reset on release: not at all, beyond what asyncpg always
    does (roll back an open transaction, drop local listeners).

    asyncpg's default also sends a query that undoes LISTEN, SET, cursors and advisory
    locks: a second round trip on every use, about a fifth of a one-job enqueue. equeue's
    pooled connections keep none of those between uses: LISTEN has connections of its
    own, advisory locks are per transaction (the migration lock has its own connection).
    """


class WaitBoundedPool(asyncpg.Pool):
    """A pool whose callers wait at most ``wait_seconds`` for a connection (None: for
    ever), unless they name a timeout of their own.

    An exhausted pool then fails fast, with :class:`~equeue.errors.DatabaseBusyError`
    (see storage/errors.py), instead of queueing every caller behind it without end: an
    API request is answered 503, a worker's claim or write is tried again.
    """

    def __init__(self, *args: Any, wait_seconds: float | None, **options: Any) -> None:
        super().__init__(*args, **options)
        self.wait_seconds = wait_seconds

    def acquire(self, *, timeout: float | None = None) -> PoolAcquireContext:
        return super().acquire(timeout=self.wait_seconds if timeout is None else timeout)


def connection_options(application_name: str, *, pooled: bool) -> dict[str, Any]:
    """asyncpg's options for a connection of equeue's to ``database_url``.

    Through a pooler in transaction mode (``pooled``) no session state outlives a
    transaction, so none is kept: no prepared statement between statements (asyncpg then
    prepares each unnamed, on the same server connection as it runs), and no planner
    setting given at connection time (PgBouncer refuses startup parameters it does not
    know); the claim sets its own in its transaction instead.
    """
    if pooled:
        return {
            "statement_cache_size": 0,
            "server_settings": {"application_name": application_name},
        }
    return {"server_settings": SERVER_SETTINGS | {"application_name": application_name}}


@translating
async def open_storage(
    dsn: str,
    schema: str,
    min_size: int,
    max_size: int,
    wait_seconds: float | None = None,
    *,
    pooled: bool = False,
) -> Storage:
    """A pool of connections to ``dsn``, named after ``schema``, and its storage; a
    caller waits at most ``wait_seconds`` for a connection (None: for ever); ``pooled``
    when ``dsn`` goes through a pooler in transaction mode."""
    pool = WaitBoundedPool(
        dsn,
        wait_seconds=wait_seconds,
        min_size=min_size,
        max_size=max_size,
        # asyncpg.create_pool's defaults, which it would pass to the pool it makes.
        max_queries=50000,
        max_inactive_connection_lifetime=300.0,
        loop=None,
        connection_class=asyncpg.Connection,
        record_class=asyncpg.Record,
        reset=_keep_session,
        **connection_options(f"equeue:{schema}", pooled=pooled),
    )
    await pool
    return Storage(pool, schema, pooled=pooled)


async def open_queue_storage(
    dsn: str | None,
    direct_dsn: str | None,
    schema: str,
    sizes: tuple[int, int],
    wait_seconds: float | None,
    *,
    pooled: bool,
) -> Storage:
    """A queue's storage: :func:`open_storage` once its settings are known to be whole
    (a database named; behind a transaction pooler, a direct URL beside it)."""
    if not dsn:
        raise RuntimeError("no database: pass Queue(dsn=...) or set EQUEUE_DATABASE_URL")
    if pooled and not direct_dsn:
        raise RuntimeError(NO_DIRECT_DSN)
    return await open_storage(dsn, schema, *sizes, wait_seconds, pooled=pooled)


async def close_storage(storage: Storage) -> None:
    """Close the pool: wait for the connections in use to come back, then close all."""
    await storage.pool.close()


@translating
async def migrate(dsn: str, schema: str) -> list[int]:
    """Apply the pending migrations of ``schema``; returns the versions applied now."""
    # A connection of its own: the migration lock is a session lock, and pooled
    # connections are handed back without a session reset (see _keep_session).
    conn = await asyncpg.connect(
        dsn, server_settings={"application_name": f"equeue:{schema}:migrate"}
    )
    try:
        return await migrations.migrate(conn, schema)
    finally:
        await conn.close()


@translating
async def schema_state(dsn: str, schema: str) -> migrations.SchemaState:
    """How ``schema``'s applied migrations compare with the ones this code ships."""
    conn = await asyncpg.connect(
        dsn, server_settings={"application_name": f"equeue:{schema}:migrate"}
    )
    try:
        return await migrations.state(conn, schema)
    finally:
        await conn.close()


@translating
async def pending_migrations(storage: Storage) -> list[str]:
    """The names (``NNNN_name``) of the migrations not yet applied to the schema."""
    async with storage.pool.acquire() as conn:
        missing = await migrations.pending(conn, storage.schema)
    return [f"{m.version:04d}_{m.name}" for m in missing]
