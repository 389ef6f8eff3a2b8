"""The ``equeue`` command line.

Human-readable tables by default, ``--json`` for scripts. Exit codes: 0 ok, 1 failure
(e.g. no such job, database unreachable), 2 usage error (bad flags or input). Settings
come from flags, ``EQUEUE_*`` environment variables or a TOML file (``--config``); see
``docs/configuration.md``.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import importlib
import json
import os
import signal
import sys
import uuid
from collections.abc import Awaitable, Callable, Iterator
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from equeue.errors import (
    DatabaseError,
    DatabaseUnavailableError,
    EqueueError,
    InvalidJobError,
    JobNotFoundError,
    JobStateError,
)
from equeue.job import FINISHED, Job, JobStatus
from equeue.logs import setup_logging
from equeue.queue import Queue
from equeue.settings import Settings, SettingsError

T = TypeVar("T")

app = typer.Typer(
    help="equeue: a PostgreSQL-backed job queue.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
jobs_app = typer.Typer(help="List, inspect and manage jobs.", no_args_is_help=True)
keys_app = typer.Typer(help="Create, list and revoke API keys.", no_args_is_help=True)
queues_app = typer.Typer(help="Queues: counts by status; pause and resume.")
app.add_typer(jobs_app, name="jobs")
app.add_typer(keys_app, name="keys")
app.add_typer(queues_app, name="queues")


class _Out:
    """stdout for people: a terminal's width, or wide enough that tables never fold when
    piped (decided at each print, so redirections made later are seen)."""

    def print(self, *objects: Any) -> None:
        width = None if sys.stdout.isatty() else 200
        # No markup: what is printed (errors, payloads, task names) may hold brackets.
        Console(highlight=False, markup=False, soft_wrap=True, width=width).print(*objects)


out = _Out()
err = Console(stderr=True, highlight=False, markup=False, soft_wrap=True)  # one line each

# --- shared options ------------------------------------------------------------------------

DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url", help="PostgreSQL URL [env: EQUEUE_DATABASE_URL]", show_default=False
    ),
]
Schema = Annotated[
    str | None,
    typer.Option("--schema", help="PostgreSQL schema [env: EQUEUE_SCHEMA; default: equeue]"),
]
ConfigFile = Annotated[
    Path | None,
    typer.Option("--config", help="TOML settings file [env: EQUEUE_CONFIG]", show_default=False),
]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
JobId = Annotated[str, typer.Argument(help="The job's id.")]

EXIT_FAILURE, EXIT_USAGE = 1, 2


def fail(message: str, code: int = EXIT_FAILURE) -> NoReturn:
    """Print ``message`` on stderr and exit with ``code``."""
    err.print(Text.assemble(("error:", "bold red"), " ", message))
    raise typer.Exit(code)


def load_settings(config: Path | None = None, **flags: Any) -> Settings:
    """Settings from flags, environment and file; a bad one is a usage error."""
    try:
        return Settings.load(config, **flags)
    except SettingsError as exc:
        fail(str(exc), EXIT_USAGE)


def make_queue(settings: Settings) -> Queue:
    """A small-pooled Queue for one command."""
    if not settings.database_url:
        fail(
            "no database: pass --database-url or set EQUEUE_DATABASE_URL "
            "(or run `equeue dev` for a local stack)",
            EXIT_USAGE,
        )
    return Queue(
        settings.database_url,
        schema=settings.schema,
        allow_unknown_tasks=settings.allow_unknown_tasks,
        pool_min_size=1,
        pool_max_size=2,
    )


def run_async(work: Awaitable[T]) -> T:
    """Run ``work``, turning every expected error into a message and an exit code."""
    try:
        return asyncio.run(_as_coroutine(work))
    except typer.Exit:
        raise
    except InvalidJobError as exc:
        fail(str(exc), EXIT_USAGE)
    except (JobNotFoundError, JobStateError) as exc:
        fail(str(exc))
    except (DatabaseUnavailableError, OSError, TimeoutError) as exc:
        fail(f"cannot reach the database: {exc}")
    except DatabaseError as exc:
        fail(f"database error: {exc}")
    except EqueueError as exc:
        fail(str(exc))
    except Exception as exc:
        fail(f"{type(exc).__name__}: {exc}")


async def _as_coroutine(work: Awaitable[T]) -> T:
    return await work


async def with_queue(settings: Settings, action: Callable[[Queue], Awaitable[T]]) -> T:
    """Open a queue, run ``action`` on it, close it."""
    async with make_queue(settings) as queue:
        return await action(queue)


def print_json(data: Any) -> None:
    """Print ``data`` as JSON on stdout (UUIDs and datetimes as strings)."""
    sys.stdout.write(json.dumps(data, default=_json_default, indent=2) + "\n")


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID | Path | Enum):
        return str(value.value if isinstance(value, Enum) else value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return str(value)


def job_to_dict(job: Job, *, history: bool = True) -> dict[str, Any]:
    """A job with the REST API's field names (the same view as the API answers)."""
    from equeue.api.models import JobOut

    data = JobOut.fields_of(job)
    data.update(
        id=str(job.id),
        status=job.status.value,
        timeout=job.timeout,
        deduplicated=job.deduplicated,
    )
    if history:
        data["attempt_history"] = [dataclasses.asdict(a) for a in job.history]
    return data


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else "-"


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )


def load_queue(target: str) -> Queue:
    """Import ``module:attribute`` and return the :class:`Queue` it names."""
    module_name, _, attribute = target.partition(":")
    if not module_name or not attribute:
        raise typer.BadParameter(f"expected module:queue, got {target!r}")
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise typer.BadParameter(f"cannot import {module_name!r}: {exc}") from None
    queue = getattr(module, attribute, None)
    if not isinstance(queue, Queue):
        raise typer.BadParameter(f"{target} is not an equeue.Queue")
    return queue


def apply_settings(queue: Queue, settings: Settings) -> Queue:
    """Point a user's queue at the configured database and schema when they were given."""
    if settings.database_url:
        queue.dsn = settings.database_url
    if "schema_name" in settings.model_fields_set:
        queue.schema = settings.schema
    if not queue.dsn:
        fail("no database: pass --database-url or set EQUEUE_DATABASE_URL", EXIT_USAGE)
    return queue


def run_loop(coro: Awaitable[Any]) -> None:
    """Run a coroutine on uvloop when it is installed."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(_as_coroutine(coro))
    else:
        uvloop.run(_as_coroutine(coro))


def _setup_logging(settings: Settings) -> None:
    setup_logging(settings.log_level, settings.log_format)


# --- the stack -----------------------------------------------------------------------------


@app.command()
def dev(
    host: Annotated[str | None, typer.Option(help="API address [default: 127.0.0.1]")] = None,
    port: Annotated[int | None, typer.Option(help="API port [default: 8000]")] = None,
    data_dir: Annotated[
        Path | None, typer.Option(help="Where the embedded database lives [default: .equeue]")
    ] = None,
    database_url: DatabaseUrl = None,
    app_target: Annotated[
        str | None, typer.Option("--app", help="module:queue with your tasks [env: EQUEUE_APP]")
    ] = None,
    concurrency: Annotated[int | None, typer.Option(help="Jobs run at once")] = None,
    schema: Schema = None,
    config: ConfigFile = None,
) -> None:
    """Run the whole stack: PostgreSQL, migrations, API, dashboard and a worker."""
    from equeue.dev import check_bind, run_dev
    from equeue.embedded import EmbeddedPostgresError

    settings = load_settings(
        config,
        host=host,
        port=port,
        data_dir=data_dir,
        database_url=database_url,
        app=app_target,
        concurrency=concurrency,
        schema=schema,
    )
    try:
        check_bind(settings)
    except ValueError as exc:
        fail(str(exc), EXIT_USAGE)
    _setup_logging(settings)
    try:
        run_dev(settings, settings.app)
    except EmbeddedPostgresError as exc:
        fail(str(exc))
    except typer.BadParameter as exc:
        fail(str(exc), EXIT_USAGE)
    except (OSError, TimeoutError) as exc:
        fail(f"cannot start: {exc}")


@app.command()
def api(
    host: Annotated[str | None, typer.Option(help="Address [default: 127.0.0.1]")] = None,
    port: Annotated[int | None, typer.Option(help="Port [default: 8000]")] = None,
    app_target: Annotated[
        str | None, typer.Option("--app", help="module:queue with your tasks (optional)")
    ] = None,
    migrate_first: Annotated[
        bool, typer.Option("--migrate/--no-migrate", help="Apply migrations at start")
    ] = False,
    database_url: DatabaseUrl = None,
    schema: Schema = None,
    config: ConfigFile = None,
) -> None:
    """Serve the REST API (Swagger UI at /docs)."""
    settings = load_settings(
        config, host=host, port=port, app=app_target, database_url=database_url, schema=schema
    )
    from equeue.api import ApiSettings, create_app
    from equeue.api.settings import check_bind_host

    queue = apply_settings(load_queue(settings.app), settings) if settings.app else None
    queue = queue or make_queue(settings)
    queue.dsn = queue.dsn or settings.database_url
    overrides: dict[str, Any] = {"migrate_on_start": migrate_first}
    if settings.cors_origins:
        overrides["cors_origins"] = ",".join(settings.cors_origins)
    api_settings = ApiSettings(**overrides)
    try:
        check_bind_host(api_settings, settings.host)
    except ValueError as exc:
        fail(str(exc), EXIT_USAGE)
    _setup_logging(settings)
    _serve(create_app(queue, api_settings), settings)


def _serve(asgi_app: Any, settings: Settings) -> None:
    """Serve with uvicorn, but exit 0 after a clean shutdown on SIGTERM/SIGINT (uvicorn
    re-raises the signal, which supervisors and scripts read as a crash)."""
    import uvicorn

    from equeue.redact import redact_server_logs

    class GracefulServer(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            wanted = (signal.SIGINT, signal.SIGTERM)
            previous = {sig: signal.signal(sig, self.handle_exit) for sig in wanted}
            try:
                yield
            finally:
                for sig, handler in previous.items():
                    signal.signal(sig, handler)

    server_config = uvicorn.Config(
        asgi_app,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level.lower(),
        proxy_headers=True,
    )
    # After the Config, which sets uvicorn's logging up: no key or token in the logs.
    redact_server_logs()
    GracefulServer(server_config).run()


@app.command()
def worker(
    target: Annotated[
        str | None, typer.Argument(help="module:queue holding your tasks [env: EQUEUE_APP]")
    ] = None,
    concurrency: Annotated[int | None, typer.Option(help="Jobs run at once per process")] = None,
    processes: Annotated[
        int | None, typer.Option(help="Worker processes, supervised and restarted")
    ] = None,
    queues: Annotated[str | None, typer.Option(help="Comma-separated queues [all]")] = None,
    lease: Annotated[float | None, typer.Option(help="Lease seconds [30]")] = None,
    poll_interval: Annotated[float | None, typer.Option(help="Fallback poll seconds [2]")] = None,
    shutdown_grace: Annotated[
        float | None, typer.Option(help="Seconds to finish on SIGTERM [30]")
    ] = None,
    listen: Annotated[
        bool | None, typer.Option("--listen/--no-listen", help="Use LISTEN/NOTIFY [on]")
    ] = None,
    handoff: Annotated[
        bool | None,
        typer.Option("--handoff/--no-handoff", help="Take single enqueues directly when idle [on]"),
    ] = None,
    retention: Annotated[
        float | None,
        typer.Option("--retention-seconds", help="Delete finished jobs this old [604800]"),
    ] = None,
    prune_interval: Annotated[
        float | None, typer.Option(help="Seconds between pruning rounds [60]")
    ] = None,
    prune_batch_size: Annotated[
        int | None, typer.Option(help="Finished jobs deleted per statement [5000]")
    ] = None,
    prune_round_seconds: Annotated[
        float | None, typer.Option(help="Longest pruning round, seconds [2]")
    ] = None,
    log_level: Annotated[str | None, typer.Option(help="DEBUG, INFO, WARNING")] = None,
    database_url: DatabaseUrl = None,
    schema: Schema = None,
    config: ConfigFile = None,
) -> None:
    """Run worker processes for the tasks registered on a Queue."""
    from equeue.worker import run_worker

    settings = load_settings(
        config,
        app=target,
        concurrency=concurrency,
        processes=processes,
        queues=queues,
        lease_seconds=lease,
        poll_interval=poll_interval,
        shutdown_grace=shutdown_grace,
        listen=listen,
        handoff=handoff,
        retention_seconds=retention,
        prune_interval=prune_interval,
        prune_batch_size=prune_batch_size,
        prune_round_seconds=prune_round_seconds,
        log_level=log_level,
        database_url=database_url,
        schema=schema,
    )
    if not settings.app:
        fail("name your tasks' queue: equeue worker module:queue (or EQUEUE_APP)", EXIT_USAGE)
    _setup_logging(settings)
    if settings.processes > 1:
        load_queue(settings.app)  # fail here, once, rather than in every child
        raise typer.Exit(supervise(settings))
    queue = apply_settings(load_queue(settings.app), settings)
    try:
        run_loop(run_worker(queue, settings.worker_settings()))
    except (OSError, TimeoutError) as exc:
        fail(f"cannot reach the database: {exc}")


def supervise(settings: Settings) -> int:
    """Run ``settings.processes`` worker processes; restart any that dies until stopped."""
    from equeue.supervisor import Supervisor

    env = dict(os.environ)
    env.update(_settings_env(settings))
    env["EQUEUE_PROCESSES"] = "1"
    command = [sys.executable, "-m", "equeue.cli", "worker"]
    return Supervisor(command, settings.processes, env=env).run()


def _settings_env(settings: Settings) -> dict[str, str]:
    """The settings as EQUEUE_* variables, to hand them to child processes (a URL with a
    password stays out of the process list this way)."""
    env: dict[str, str] = {}
    for name, value in settings.model_dump().items():
        if value is None:
            continue
        key = "EQUEUE_SCHEMA" if name == "schema_name" else f"EQUEUE_{name.upper()}"
        if isinstance(value, list):
            env[key] = ",".join(value)
        elif isinstance(value, bool):
            env[key] = "true" if value else "false"
        else:
            env[key] = str(value)
    return env


@app.command()
def migrate(
    database_url: DatabaseUrl = None,
    schema: Schema = None,
    config: ConfigFile = None,
    as_json: AsJson = False,
) -> None:
    """Apply pending schema migrations."""
    settings = load_settings(config, database_url=database_url, schema=schema)
    applied = run_async(with_queue(settings, lambda q: q.migrate()))
    if as_json:
        print_json({"applied": applied, "schema": settings.schema})
    elif applied:
        out.print(f"applied {len(applied)} migration(s) to schema {settings.schema}")
    else:
        out.print(f"schema {settings.schema} is up to date")


# --- jobs ----------------------------------------------------------------------------------


def _parse_payload(payload: str | None) -> dict[str, Any]:
    if payload is None:
        return {}
    try:
        value = json.loads(payload)
    except json.JSONDecodeError as exc:
        fail(f"--payload is not valid JSON: {exc}", EXIT_USAGE)
    if not isinstance(value, dict):
        fail('--payload must be a JSON object, e.g. \'{"text": "hello"}\'', EXIT_USAGE)
    return value


@app.command()
def enqueue(
    task_type: Annotated[str, typer.Argument(metavar="TYPE", help="The task name.")],
    payload: Annotated[str | None, typer.Option(help="JSON object of arguments")] = None,
    queue_name: Annotated[str | None, typer.Option("--queue", help="Queue [task's]")] = None,
    priority: Annotated[int | None, typer.Option(help="-100..100, higher first")] = None,
    delay: Annotated[float | None, typer.Option(help="Seconds to wait before running")] = None,
    max_attempts: Annotated[int | None, typer.Option(help="Attempts before the DLQ")] = None,
    timeout: Annotated[float | None, typer.Option(help="Seconds per attempt")] = None,
    dedupe_key: Annotated[str | None, typer.Option(help="At most one unfinished job")] = None,
    tag: Annotated[list[str] | None, typer.Option(help="Tag (repeatable)")] = None,
    count: Annotated[int, typer.Option(min=1, max=10_000_000, help="Enqueue N copies")] = 1,
    allow_unknown: Annotated[
        bool, typer.Option(help="Accept a task no worker has registered yet")
    ] = False,
    database_url: DatabaseUrl = None,
    schema: Schema = None,
    config: ConfigFile = None,
    as_json: AsJson = False,
) -> None:
    """Enqueue a job (or --count copies of it, in batches)."""
    settings = load_settings(
        config,
        database_url=database_url,
        schema=schema,
        allow_unknown_tasks=True if allow_unknown else None,
    )
    body: dict[str, Any] = {"type": task_type, "payload": _parse_payload(payload)}
    options = {
        "queue": queue_name,
        "priority": priority,
        "delay": delay,
        "max_attempts": max_attempts,
        "timeout": timeout,
        "dedupe_key": dedupe_key,
        "tags": tag,
    }
    body.update({k: v for k, v in options.items() if v is not None})
    if count > 1 and dedupe_key:
        fail("--dedupe-key allows one job: it cannot be combined with --count", EXIT_USAGE)

    if count == 1:
        job = run_async(with_queue(settings, lambda q: q.enqueue_many([body])))[0]
        if as_json:
            print_json(job_to_dict(job))
        else:
            verb = "already enqueued (deduplicated)" if job.deduplicated else "enqueued"
            out.print(f"{verb} {job.id} ({job.task} on {job.queue}, {job.status.value})")
        return

    async def bulk(queue: Queue) -> list[str]:
        ids: list[str] = []
        with _progress() as progress:
            bar = progress.add_task(f"enqueue {task_type}", total=count)
            while len(ids) < count:
                size = min(1000, count - len(ids))
                jobs = await queue.enqueue_many([body] * size)
                ids.extend(str(j.id) for j in jobs)
                progress.update(bar, advance=size)
        return ids

    ids = run_async(with_queue(settings, bulk))
    if as_json:
        print_json({"enqueued": len(ids), "ids": ids})
    else:
        out.print(f"enqueued {len(ids)} {task_type} jobs")


@jobs_app.command("list")
def jobs_list(
    status: Annotated[JobStatus | None, typer.Option(help="Only this status")] = None,
    queue_name: Annotated[str | None, typer.Option("--queue", help="Only this queue")] = None,
    task_type: Annotated[str | None, typer.Option("--type", help="Only this task")] = None,
    tag: Annotated[str | None, typer.Option(help="Only jobs with this tag")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="Page size")] = 20,
    cursor: Annotated[str | None, typer.Option(help="next_cursor of the previous page")] = None,
    database_url: DatabaseUrl = None,
    schema: Schema = None,
    config: ConfigFile = None,
    as_json: AsJson = False,
) -> None:
    """List jobs, newest first."""
    settings = load_settings(config, database_url=database_url, schema=schema)
    if cursor is not None:
        _check_id(cursor, "--cursor")
    jobs, next_cursor = run_async(
        with_queue(
            settings,
            lambda q: q.list_jobs(
                status=status, queue=queue_name, task=task_type, tag=tag, limit=limit, cursor=cursor
            ),
        )
    )
    if as_json:
        print_json(
            {"items": [job_to_dict(j, history=False) for j in jobs], "next_cursor": next_cursor}
        )
        return
    table = Table("id", "type", "queue", "status", "attempts", "created", "last error")
    for job in jobs:
        table.add_row(
            str(job.id),
            job.task,
            job.queue,
            job.status.value,
            f"{job.attempts}/{job.max_attempts}",
            _when(job.created_at),
            (job.last_error or "")[:60],
        )
    out.print(table)
    if next_cursor:
        out.print(f"more: --cursor {next_cursor}")


def _check_id(value: str, what: str = "job id") -> None:
    try:
        uuid.UUID(value)
    except ValueError:
        fail(f"{what} {value!r} is not a UUID", EXIT_USAGE)


@jobs_app.command("show")
def jobs_show(
    job_id: JobId,
    database_url: DatabaseUrl = None,
    schema: Schema = None,
    config: ConfigFile = None,
    as_json: AsJson = False,
) -> None:
    """Show one job with its attempt history."""
    settings = load_settings(config, database_url=database_url, schema=schema)
    _check_id(job_id)
    job = run_async(with_queue(settings, lambda q: q.get_job(job_id)))
    if as_json:
        print_json(job_to_dict(job))
        return
    details = Table.grid(padding=(0, 2))
    for key, value in job_to_dict(job, history=False).items():
        if key == "deduplicated":
            continue
        shown = (
            json.dumps(value, default=_json_default) if isinstance(value, dict | list) else value
        )
        details.add_row(key, "-" if shown is None else str(shown))
    out.print(details)
    if job.history:
        history = Table("#", "worker", "started", "finished", "outcome", "error", title="attempts")
        for attempt in job.history:
            history.add_row(
                str(attempt.number),
                attempt.worker or "-",
                _when(attempt.started_at),
                _when(attempt.finished_at),
                attempt.outcome,
                (attempt.error or "")[:80],
            )
        out.print(history)


def _job_action(
    job_id: str,
    settings: Settings,
    action: Callable[[Queue, str], Awaitable[Job]],
    verb: str,
    as_json: bool,
) -> None:
    _check_id(job_id)
    job = run_async(with_queue(settings, lambda q: action(q, job_id)))
    if as_json:
        print_json(job_to_dict(job))
    elif job.cancel_requested and job.status is JobStatus.RUNNING:
        out.print(f"cancel requested for {job.id}: its worker is stopping it")
    else:
        out.print(f"{verb} {job.id} (now {job.status.value})")


@jobs_app.command("cancel")
def jobs_cancel(
    job_id: JobId,
    database_url: DatabaseUrl = None,
    schema: Schema = None,
    config: ConfigFile = None,
    as_json: AsJson = False,
) -> None:
    """Cancel a job (a running one is stopped by its worker)."""
    settings = load_settings(config, database_url=database_url, schema=schema)
    _job_action(job_id, settings, lambda q, i: q.cancel(i), "cancelled", as_json)


@jobs_app.command("retry")
def jobs_retry(
    job_id: JobId,
    database_url: DatabaseUrl = None,
    schema: Schema = None,
    config: ConfigFile = None,
    as_json: AsJson = False,
) -> None:
    """Send a failed or cancelled job back to the queue."""
    settings = load_settings(config, database_url=database_url, schema=schema)
    _job_action(job_id, settings, lambda q, i: q.retry(i), "retried", as_json)


@jobs_app.command("delete")
def jobs_delete(
    job_id: JobId,
    database_url: DatabaseUrl = None,
    schema: Schema = None,
    config: ConfigFile = None,
    as_json: AsJson = False,
) -> None:
    """Delete a job that is not running."""
    settings = load_settings(config, database_url=database_url, schema=schema)
    _check_id(job_id)
    run_async(with_queue(settings, lambda q: q.delete(job_id)))
    if as_json:
        print_json({"deleted": job_id})
    else:
        out.print(f"deleted {job_id}")


@jobs_app.command("purge")
def jobs_purge(
    status: Annotated[
        list[JobStatus] | None, typer.Option(help="Finished status to purge [succeeded]")
    ] = None,
    queue_name: Annotated[str | None, typer.Option("--queue", help="Only this queue")] = None,
    task_type: Annotated[str | None, typer.Option("--type", help="Only this task")] = None,
    database_url: DatabaseUrl = None,
    schema: Schema = None,
    config: ConfigFile = None,
    as_json: AsJson = False,
) -> None:
    """Delete finished jobs by filter (unfinished ones are never touched)."""
    settings = load_settings(config, database_url=database_url, schema=schema)
    statuses = status or [JobStatus.SUCCEEDED]
    unfinished = [s.value for s in statuses if s not in FINISHED]
    if unfinished:
        fail(f"only finished jobs can be purged, not {', '.join(unfinished)}", EXIT_USAGE)
    deleted = run_async(
        with_queue(settings, lambda q: q.purge(statuses=statuses, queue=queue_name, task=task_type))
    )
    if as_json:
        print_json({"deleted": deleted})
    else:
        out.print(f"deleted {deleted} job(s)")


# --- queues, dead letters ------------------------------------------------------------------


@queues_app.callback(invoke_without_command=True)
def queues(
    ctx: typer.Context,
    database_url: DatabaseUrl = None,
    schema: Schema = None,
    config: ConfigFile = None,
    as_json: AsJson = False,
) -> None:
    """A table of jobs per queue and status (subcommands: pause, resume)."""
    if ctx.invoked_subcommand is not None:
        ctx.obj = (database_url, schema, config, as_json)
        return
    settings = load_settings(config, database_url=database_url, schema=schema)

    async def read(queue: Queue) -> tuple[dict[str, dict[str, int]], dict[str, bool]]:
        return await queue.counts(), await queue.admin.queue_flags()

    counts, paused = run_async(with_queue(settings, read))
    names = sorted(set(counts) | set(paused))
    if as_json:
        print_json(
            {
                "queues": [
                    {
                        "name": name,
                        "paused": paused.get(name, False),
                        "counts": counts.get(name, {s.value: 0 for s in JobStatus}),
                    }
                    for name in names
                ]
            }
        )
        return
    table = Table("queue", *(s.value for s in JobStatus), "paused")
    for name in names:
        by = counts.get(name, {})
        table.add_row(
            name,
            *(str(by.get(s.value, 0)) for s in JobStatus),
            "yes" if paused.get(name) else "",
        )
    out.print(table)


def _queue_flag(ctx: typer.Context, name: str, pause: bool) -> None:
    database_url, schema, config, as_json = ctx.obj or (None, None, None, False)
    settings = load_settings(config, database_url=database_url, schema=schema)

    async def act(queue: Queue) -> None:
        await (queue.pause_queue(name) if pause else queue.resume_queue(name))

    run_async(with_queue(settings, act))
    if as_json:
        print_json({"name": name, "paused": pause})
    else:
        out.print(f"queue {name} {'paused' if pause else 'resumed'}")


@queues_app.command("pause")
def queues_pause(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="Queue name")]
) -> None:
    """Stop workers claiming from a queue (running jobs go on)."""
    _queue_flag(ctx, name, True)


@queues_app.command("resume")
def queues_resume(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="Queue name")]
) -> None:
    """Let workers claim from a queue again."""
    _queue_flag(ctx, name, False)


@app.command("replay-dlq")
def replay_dlq(
    queue_name: Annotated[str | None, typer.Option("--queue", help="Only this queue")] = None,
    task_type: Annotated[str | None, typer.Option("--type", help="Only this task")] = None,
    limit: Annotated[int, typer.Option(min=1, help="Most jobs to replay")] = 1000,
    database_url: DatabaseUrl = None,
    schema: Schema = None,
    config: ConfigFile = None,
    as_json: AsJson = False,
) -> None:
    """Send failed (dead-lettered) jobs back to the queue, history kept."""
    settings = load_settings(config, database_url=database_url, schema=schema)

    async def replay(queue: Queue) -> int:
        counts = await queue.counts()
        failed = sum(
            by.get("failed", 0) for name, by in counts.items() if queue_name in (None, name)
        )
        total = min(limit, failed)
        done = 0
        with _progress() as progress:
            bar = progress.add_task("replay failed jobs", total=total)
            while done < limit:
                batch = min(500, limit - done)
                replayed = await queue.replay_failed(queue=queue_name, task=task_type, limit=batch)
                done += replayed
                progress.update(bar, advance=replayed)
                if replayed < batch:
                    break
        return done

    replayed = run_async(with_queue(settings, replay))
    if as_json:
        print_json({"replayed": replayed})
    else:
        out.print(f"replayed {replayed} job(s)")


# --- API keys ------------------------------------------------------------------------------


def _keys_module() -> Any:
    # Imported when used: the API's modules are not needed by the other commands.
    return importlib.import_module("equeue.api.keys")


@keys_app.command("create")
def keys_create(
    scope: Annotated[
        list[str] | None, typer.Option(help="read, write or admin (repeatable) [read]")
    ] = None,
    name: Annotated[str | None, typer.Option(help="A label, e.g. the client's name")] = None,
    database_url: DatabaseUrl = None,
    schema: Schema = None,
    config: ConfigFile = None,
    as_json: AsJson = False,
) -> None:
    """Create an API key; the key is printed once and stored only as a hash."""
    keys = _keys_module()
    settings = load_settings(config, database_url=database_url, schema=schema)
    scopes = scope or ["read"]
    try:
        keys.normalise_scopes(scopes)
    except ValueError as exc:
        fail(str(exc), EXIT_USAGE)

    async def create(queue: Queue) -> tuple[str, str]:
        await queue.migrate()
        result: tuple[str, str] = await keys.create_key(queue, scopes, name)
        return result

    key_id, raw = run_async(with_queue(settings, create))
    if as_json:
        print_json({"id": key_id, "key": raw, "scopes": scopes, "name": name})
    else:
        out.print(f"created key {key_id} ({', '.join(scopes)})")
        out.print(f"  {raw}")
        out.print("keep it now: it cannot be shown again")


@keys_app.command("list")
def keys_list(
    database_url: DatabaseUrl = None,
    schema: Schema = None,
    config: ConfigFile = None,
    as_json: AsJson = False,
) -> None:
    """List API keys (never their secrets)."""
    keys = _keys_module()
    settings = load_settings(config, database_url=database_url, schema=schema)
    listed = run_async(with_queue(settings, keys.list_keys))
    if as_json:
        print_json({"items": [dataclasses.asdict(k) for k in listed]})
        return
    table = Table("id", "name", "scopes", "created", "revoked")
    for key in listed:
        table.add_row(
            key.id,
            key.name or "",
            ", ".join(key.scopes),
            _when(key.created_at),
            _when(key.revoked_at) if key.revoked_at else "",
        )
    out.print(table)


@keys_app.command("revoke")
def keys_revoke(
    key_id: Annotated[str, typer.Argument(help="The key's id (from keys list)")],
    database_url: DatabaseUrl = None,
    schema: Schema = None,
    config: ConfigFile = None,
    as_json: AsJson = False,
) -> None:
    """Revoke an API key."""
    keys = _keys_module()
    settings = load_settings(config, database_url=database_url, schema=schema)
    revoked = run_async(with_queue(settings, lambda q: keys.revoke_key(q, key_id)))
    if not revoked:
        fail(f"no active key {key_id!r}")
    if as_json:
        print_json({"revoked": key_id})
    else:
        out.print(f"revoked {key_id}")


# --- benchmark -----------------------------------------------------------------------------


@app.command(
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    add_help_option=False,
)
def bench(ctx: typer.Context) -> None:
    """Run the throughput and latency benchmark (equeue bench --help for its options)."""
    try:
        benchmark = importlib.import_module("equeue.benchmark")
    except ImportError:
        fail("the benchmark is not available in this installation")
    code = benchmark.main(list(ctx.args))
    raise typer.Exit(int(code or 0))


# --- entry point ---------------------------------------------------------------------------


def main() -> None:
    """Console-script entry point."""
    app()


@contextlib.contextmanager
def _ignore_sigpipe() -> Iterator[None]:
    # `equeue jobs list --json | head` must not end in a traceback.
    previous = signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    try:
        yield
    finally:
        signal.signal(signal.SIGPIPE, previous)


if __name__ == "__main__":
    with _ignore_sigpipe():
        main()
