"""The :class:`Queue`: where tasks are registered, jobs enqueued and managed."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

from equeue import building, chains, periodic
from equeue.admin import Admin
from equeue.errors import InvalidJobError
from equeue.job import DEFAULT_LIMITS, Job, Limits
from equeue.job.chords import Chord
from equeue.managing import ManagingJobs
from equeue.retry import DEFAULT_BACKOFF, Backoff
from equeue.storage import COPY_FROM, Connection, Storage, idempotency
from equeue.storage import pool as storage_pool
from equeue.storage.sql import validate_schema_name
from equeue.task import Task, TaskRegistry

if TYPE_CHECKING:
    from equeue.settings import ConnectionSettings

F = TypeVar("F", bound=Callable[..., Any])
_UNSET: Any = object()


class Queue(ManagingJobs):
    """A job queue stored in one PostgreSQL schema.

    ``dsn`` falls back to ``EQUEUE_DATABASE_URL`` (``direct_dsn`` and ``transaction_pooler``
    then go with it: ``EQUEUE_DIRECT_DATABASE_URL``, ``EQUEUE_TRANSACTION_POOLER``), and
    ``allow_unknown_tasks`` to ``EQUEUE_ALLOW_UNKNOWN_TASKS`` (the only settings a Queue
    reads on its own; :meth:`from_settings` takes them all from a
    :class:`~equeue.settings.ConnectionSettings`). The pool opens on first use (or with
    ``await queue.open()`` / ``async with queue``); close it with ``await queue.close()``.

    ``allow_unknown_tasks`` lets jobs be enqueued for task names no worker has registered
    yet (enqueue ahead of a deploy); by default such jobs are refused.

    A call waits at most ``pool_wait_seconds`` for a pooled connection (None: for ever);
    beyond, it raises :class:`~equeue.errors.DatabaseBusyError` having sent nothing.

    Behind a pooler in transaction mode (PgBouncer) pass ``transaction_pooler=True`` and a
    ``direct_dsn`` to PostgreSQL itself, for LISTEN and migrations (see docs/deploy.md).

    Jobs are enqueued, read and managed with the methods below; everything else above
    the engine reads or manages (queues, workers, tasks, readiness, API keys, metrics,
    events) goes through :attr:`admin`. The storage layer behind both stays private.
    """

    def __init__(
        self,
        dsn: str | None = None,
        *,
        schema: str = "equeue",
        allow_unknown_tasks: bool | None = None,
        limits: Limits = DEFAULT_LIMITS,
        pool_min_size: int = 1,
        pool_max_size: int = 10,
        pool_wait_seconds: float | None = 5.0,
        direct_dsn: str | None = None,
        transaction_pooler: bool = False,
    ) -> None:
        if dsn is None or allow_unknown_tasks is None:
            # Imported here: importing equeue does not load the settings machinery.
            from equeue.settings import queue_defaults

            from_env = queue_defaults()
            if dsn is None:
                dsn, direct_dsn = from_env.database_url, from_env.direct_database_url
                transaction_pooler = from_env.transaction_pooler
            if allow_unknown_tasks is None:
                allow_unknown_tasks = from_env.allow_unknown_tasks
        self.dsn = dsn
        self.direct_dsn = direct_dsn
        self.transaction_pooler = transaction_pooler
        self.schema = validate_schema_name(schema)
        self.allow_unknown_tasks = allow_unknown_tasks
        self.limits = limits
        self.tasks = TaskRegistry()
        #: The schedules of ``@queue.periodic``, written to the database as a worker starts.
        self.schedules = periodic.ScheduleRegistry()
        self._pool_sizes = (pool_min_size, pool_max_size)
        self._pool_wait = pool_wait_seconds
        self._store: Storage | None = None
        self._open_lock = asyncio.Lock()
        self._defaults = building.TaskDefaults(self._read_task_defaults)

    @classmethod
    def from_settings(cls, settings: ConnectionSettings, **options: Any) -> Queue:
        """A queue on the database, schema and pool sizes of ``settings``; ``options``
        (``limits``, ``pool_max_size``...) override them."""
        chosen = settings.queue_options() | options
        return cls(settings.database_url, **chosen)

    # --- lifecycle ------------------------------------------------------------------------

    async def open(self) -> None:
        """Open the connection pool (once); raises
        :class:`~equeue.errors.DatabaseUnavailableError` when the database is out of reach."""
        await self._storage()

    async def _storage(self) -> Storage:
        """The storage layer, its pool opened on first use. Private to the engine: the
        worker runs its statements through it; nothing above the engine does."""
        if self._store is not None:
            return self._store
        async with self._open_lock:
            if self._store is None:
                self._store = await storage_pool.open_queue_storage(
                    self.dsn,
                    self.direct_dsn,
                    self.schema,
                    self._pool_sizes,
                    self._pool_wait,
                    pooled=self.transaction_pooler,
                )
        return self._store

    async def close(self) -> None:
        """Close the connection pool (and the LISTEN connection of :meth:`wait`)."""
        if "waiters" in self.__dict__:
            await self.waiters.close()
        if self._store is not None:
            storage, self._store = self._store, None
            await storage_pool.close_storage(storage)

    async def __aenter__(self) -> Queue:
        await self.open()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def migrate(self) -> list[int]:
        """Apply pending schema migrations; safe when several processes call it at once."""
        await self.open()  # checks that there is a database to talk to
        return await storage_pool.migrate(self.session_dsn, self.schema)

    @property
    def session_dsn(self) -> str:
        """The URL of the connections that need a session of their own (LISTEN, the
        migration lock): ``direct_dsn`` when set, else ``dsn``."""
        return self.direct_dsn or self.dsn or ""

    @cached_property
    def admin(self) -> Admin:
        """Reads and administration calls besides jobs: queue flags and statistics,
        workers, registered tasks, readiness, API keys, metrics and events."""
        return Admin(self)

    # --- tasks ------------------------------------------------------------------------------

    def task(
        self,
        *,
        name: str | None = None,
        queue: str = "default",
        priority: int = 0,
        max_attempts: int = 5,
        timeout: float | None = None,
        retry: Backoff = DEFAULT_BACKOFF,
        group: str | None = None,
    ) -> Callable[[F], Task[Any, Any]]:
        """Register a function as a task: ``@queue.task(name="email.send", ...)``.

        The job's payload is passed as keyword arguments. Async functions run on the
        worker's event loop; plain functions run in a thread pool.
        """

        def register(fn: F) -> Task[Any, Any]:
            task = building.define_task(
                fn,
                name,
                queue=queue,
                priority=priority,
                max_attempts=max_attempts,
                timeout=timeout,
                retry=retry,
                limits=self.limits,
                group=group,
            )
            self.tasks.add(task)
            return task

        return register

    def periodic(
        self,
        cron: str,
        *,
        timezone: str = "UTC",
        payload: Mapping[str, Any] | None = None,
        on_missed: periodic.OnMissed = "skip",
        catch_up_limit: int = periodic.DEFAULT_CATCH_UP_LIMIT,
        name: str | None = None,
        queue: str | None = None,
        priority: int | None = None,
    ) -> Callable[[Any], Task[Any, Any]]:
        """Run a task on a cron schedule: ``@queue.periodic(cron="*/5 * * * *",
        timezone="Europe/Paris")`` over a function (registered as a task with the default
        options) or over ``@queue.task(...)``. Each tick enqueues one job whose payload is
        ``payload`` plus ``tick`` (the tick's ISO 8601 time, UTC). ``on_missed`` says what
        runs for ticks nobody enqueued in time: ``skip`` (the latest only) or ``catch_up``
        (each, up to ``catch_up_limit``). ``name`` defaults to the task's. See
        docs/periodic.md.
        """
        return periodic.decorator(
            self.task(),
            self.schedules,
            name,
            cron=cron,
            timezone=timezone,
            payload=dict(payload or {}),
            on_missed=on_missed,
            catch_up_limit=catch_up_limit,
            queue=queue,
            priority=priority,
        )

    # --- enqueue ----------------------------------------------------------------------------

    async def enqueue(
        self,
        task: str | Task[Any, Any],
        payload: Mapping[str, Any] | None = None,
        *,
        queue: str | None = None,
        priority: int | None = None,
        delay: float | None = None,
        run_at: datetime | None = None,
        max_attempts: int | None = None,
        timeout: float | None = _UNSET,
        dedupe_key: str | None = None,
        tags: list[str] | None = None,
        connection: Connection | None = None,
        idempotency_key: str | None = None,
        group: str | None = None,
        on_success: Mapping[str, Any] | None = None,
        on_failure: Mapping[str, Any] | None = None,
    ) -> Job:
        """Enqueue one job and return it.

        Options left out take the task's defaults when this queue knows the task. With
        ``connection`` (an asyncpg connection in an open transaction) the job exists if
        and only if that transaction commits. With a ``dedupe_key`` an unfinished job
        already holds, the holder is returned with ``deduplicated=True``. With an
        ``idempotency_key`` a request made before, finished job or not, returns its job
        (``deduplicated=True``); see :mod:`equeue.storage.idempotency`.

        A job that may run at once, enqueued outside a caller's transaction and without a
        dedupe key, goes straight to an idle worker when one waits for its queue: it is
        returned already ``running``.

        ``on_success`` and ``on_failure`` are follow-ups, job specs like a batch item of
        :meth:`enqueue_many`: enqueued when this job succeeds, or fails for good, in the
        transaction that records it (docs/chains.md).
        """
        name = task.name if isinstance(task, Task) else task
        options = {
            "queue": queue,
            "priority": priority,
            "delay": delay,
            "run_at": run_at,
            "max_attempts": max_attempts,
            "dedupe_key": dedupe_key,
            "tags": tags,
            "group": group,
        }
        if timeout is not _UNSET:
            options["timeout"] = timeout
        if not isinstance(name, str):
            raise InvalidJobError("the task name must be a string")
        if on_success is not None or on_failure is not None:
            item = {
                "type": name,
                "payload": payload,
                "on_success": on_success,
                "on_failure": on_failure,
                **options,
            }
            [job] = await self._links.enqueue_many([item], connection)
            return job
        defaults = await self._task_defaults({name})
        storage = await self._storage()
        new = building.build(name, payload, options, defaults, self.limits)
        if idempotency_key is not None:
            asked = idempotency.fingerprint(name, payload, options)
            return await storage.insert_job_once(new, idempotency_key, asked, connection)
        if connection is None and new.dedupe_key is None and new.run_at is None and not new.delay:
            # Runnable now, committed on its own: an idle worker may take it directly.
            return await storage.insert_job_now(new)
        [job] = await storage.insert_jobs([new], connection)
        return job

    async def enqueue_many(
        self,
        jobs: Iterable[Mapping[str, Any]],
        *,
        connection: Connection | None = None,
    ) -> list[Job]:
        """Enqueue many jobs in one round trip, all or nothing; one job back per item.

        Each item is a dict with the keys of the REST API's job body: ``type`` (required),
        ``payload``, ``queue``, ``priority``, ``delay``, ``run_at``, ``max_attempts``,
        ``timeout``, ``dedupe_key``, ``tags``, ``on_success``, ``on_failure``. An item
        whose dedupe key an unfinished job holds, or an earlier item of the batch, comes
        back as that job
        (``deduplicated=True``). :class:`~equeue.errors.EnqueueConflictError` refuses the
        items whose key's holders kept finishing as the enqueue read them (rare; its
        message says what became of the others).
        """
        items = list(jobs)
        building.check_items(items)
        if not items:
            return []
        if any(map(chains.has_links, items)):
            return await self._links.enqueue_many(items, connection)
        defaults = await self._task_defaults({item["type"] for item in items})
        built = building.build_each(items, defaults, self.limits)
        storage = await self._storage()
        if len(items) >= COPY_FROM and all(map(building.is_plain, items)):
            # Built while being written: the server inserts one slice while Python
            # builds the next. A bad job midway aborts the COPY and its transaction.
            return await storage.copy_jobs(built, connection)
        return await storage.insert_jobs(list(built), connection)

    async def chord(
        self,
        jobs: Iterable[Mapping[str, Any]],
        callback: Mapping[str, Any],
        *,
        connection: Connection | None = None,
    ) -> Chord:
        """Enqueue a group of jobs (batch items, as :meth:`enqueue_many` takes) with a
        ``callback`` job spec, enqueued exactly once when every job has finished,
        whatever its outcome (docs/chains.md)."""
        return await self._links.chord(list(jobs), callback, connection)

    async def get_chord(self, chord_id: uuid.UUID) -> Chord:
        """A chord, its members' statuses and its callback job's id once enqueued."""
        return await self._links.get_chord(chord_id)

    @cached_property
    def _links(self) -> chains.Links:  # jobs with follow-ups, chords
        return chains.Links(self._storage, self._task_defaults, self.limits)

    async def _task_defaults(self, names: set[str]) -> building.Defaults:
        """Default job options per task name; raises :class:`UnknownTaskError` for a name
        nobody registered, unless unknown tasks are allowed."""
        return await self._defaults.of(names, self.tasks, self.allow_unknown_tasks)

    async def _read_task_defaults(self, names: list[str]) -> building.Defaults:
        return await (await self._storage()).task_defaults(names)
