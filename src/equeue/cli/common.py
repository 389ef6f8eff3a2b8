"""What every command shares: the common options, output, errors and the queue.

The options every command takes (``--database-url``, ``--schema``, ``--config`` and, on
commands that print data, ``--json``) are declared once, here. They are accepted before
the command (``equeue --json jobs list``, read by the root callback) and after it
(``equeue jobs list --json``, added to each command by :func:`shared_options`); given in
both places, the one nearer the command wins.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import json
import sys
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from equeue import runner
from equeue.audit import Action, Actor, AuditEntry
from equeue.errors import (
    DatabaseError,
    DatabaseUnavailableError,
    EqueueError,
    InvalidJobError,
)
from equeue.job import Job
from equeue.loading import QueueNotFoundError, load_queue
from equeue.logs import setup_logging
from equeue.queue import Queue
from equeue.settings import Settings, SettingsError

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])

EXIT_FAILURE, EXIT_USAGE = 1, 2


class _Out:
    """stdout for people: a terminal's width, or wide enough that tables never fold when
    piped (decided at each print, so redirections made later are seen)."""

    def print(self, *objects: Any) -> None:
        width = None if sys.stdout.isatty() else 200
        # No markup: what is printed (errors, payloads, task names) may hold brackets.
        Console(highlight=False, markup=False, soft_wrap=True, width=width).print(*objects)


out = _Out()
err = Console(stderr=True, highlight=False, markup=False, soft_wrap=True)  # one line each

# --- the shared options --------------------------------------------------------------------

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


@dataclasses.dataclass(frozen=True)
class Common:
    """The shared options of one invocation, as given on the command line."""

    database_url: str | None = None
    schema: str | None = None
    config: Path | None = None
    as_json: bool = False

    def over(self, outer: Common) -> Common:
        """These options, falling back to ``outer``'s where not given here."""
        return Common(
            database_url=self.database_url or outer.database_url,
            schema=self.schema or outer.schema,
            config=self.config or outer.config,
            as_json=self.as_json or outer.as_json,
        )

    def settings(self, **flags: Any) -> Settings:
        """Settings from these options and a command's own ``flags`` (None: not given),
        the environment and the file; a bad one is a usage error."""
        try:
            return Settings.load(
                self.config, database_url=self.database_url, schema=self.schema, **flags
            )
        except SettingsError as exc:
            fail(str(exc), EXIT_USAGE)


def current_common(ctx: typer.Context) -> Common:
    """The shared options given so far, on the way from the root to this command."""
    return ctx.find_object(Common) or Common()


def remember(ctx: typer.Context, given: Common) -> Common:
    """Record the options given at this level for the commands below it."""
    merged = given.over(current_common(ctx))
    ctx.obj = merged
    return merged


_SHARED = {
    "database_url": DatabaseUrl,
    "schema": Schema,
    "config": ConfigFile,
    "as_json": AsJson,
}


def shared_options(*, json_output: bool = True) -> Callable[[F], F]:
    """Give a command the shared options; it receives them merged as ``common``.

    ``json_output=False`` for commands that print no data (they take no ``--json``).
    """
    names = [name for name in _SHARED if json_output or name != "as_json"]

    def decorate(command: F) -> F:
        signature = inspect.signature(command, eval_str=True)
        own = [p for p in signature.parameters.values() if p.name != "common"]
        # The command's context, to find the options given before it; typer passes it to
        # the parameter annotated with typer.Context, which the command may have already.
        takes_context = "ctx" in signature.parameters
        if not takes_context:
            own.append(
                inspect.Parameter("ctx", inspect.Parameter.KEYWORD_ONLY, annotation=typer.Context)
            )
        added = [
            inspect.Parameter(
                name,
                inspect.Parameter.KEYWORD_ONLY,
                default=False if name == "as_json" else None,
                annotation=_SHARED[name],
            )
            for name in names
        ]

        @functools.wraps(command)
        def with_common(*args: Any, **kwargs: Any) -> Any:
            given = Common(**{name: kwargs.pop(name) for name in names})
            ctx = kwargs["ctx"] if takes_context else kwargs.pop("ctx")
            return command(*args, common=given.over(current_common(ctx)), **kwargs)

        # typer reads the parameters from the signature and their types from the
        # annotations: both must list the shared options instead of ``common``.
        parameters = own + added
        with_common.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
        with_common.__annotations__ = {p.name: p.annotation for p in parameters}
        return with_common  # type: ignore[return-value]

    return decorate


# --- errors and the event loop -------------------------------------------------------------


def fail(message: str, code: int = EXIT_FAILURE) -> NoReturn:
    """Print ``message`` on stderr and exit with ``code``."""
    err.print(Text.assemble(("error:", "bold red"), " ", message))
    raise typer.Exit(code)


def run_async(work: Awaitable[T]) -> T:
    """Run ``work``, turning every expected error into a message and an exit code."""
    try:
        return runner.run(work)
    except typer.Exit:
        raise
    except InvalidJobError as exc:
        fail(str(exc), EXIT_USAGE)
    except (DatabaseUnavailableError, OSError, TimeoutError) as exc:
        fail(f"cannot reach the database: {exc}")
    except DatabaseError as exc:
        fail(f"database error: {exc}")
    except EqueueError as exc:
        fail(str(exc))
    except Exception as exc:
        fail(f"{type(exc).__name__}: {exc}")


def make_queue(settings: Settings) -> Queue:
    """A small-pooled Queue for one command."""
    if not settings.database_url:
        fail(
            "no database: pass --database-url or set EQUEUE_DATABASE_URL "
            "(or run `equeue dev` for a local stack)",
            EXIT_USAGE,
        )
    return Queue.from_settings(settings, pool_min_size=1, pool_max_size=2)


async def with_queue(settings: Settings, action: Callable[[Queue], Awaitable[T]]) -> T:
    """Open a queue, run ``action`` on it, close it."""
    async with make_queue(settings) as queue:
        return await action(queue)


async def audited(queue: Queue, action: Action, **details: Any) -> None:
    """Record a command's action, once done, in the audit trail: as the operating
    system's user, from this machine. ``details`` are :class:`AuditEntry`'s fields."""
    try:
        await queue.admin.record_action(Actor.command_line(), AuditEntry(action, **details))
    except DatabaseError as exc:
        err.print(f"warning: done, but the audit trail could not record it: {exc}")


def user_queue(target: str) -> Queue:
    """The user's ``module:queue``; a wrong one is a usage error (exit code 2)."""
    try:
        return load_queue(target)
    except QueueNotFoundError as exc:
        raise typer.BadParameter(str(exc)) from None


def apply_settings(queue: Queue, settings: Settings) -> Queue:
    """Point a user's queue at the configured database and schema when they were given."""
    if settings.database_url:
        queue.dsn = settings.database_url
        queue.direct_dsn = settings.direct_database_url
        queue.transaction_pooler = settings.transaction_pooler
    if "schema_name" in settings.model_fields_set:
        queue.schema = settings.schema
    if not queue.dsn:
        fail("no database: pass --database-url or set EQUEUE_DATABASE_URL", EXIT_USAGE)
    return queue


def start_logging(settings: Settings) -> None:
    """Logging as the settings ask."""
    setup_logging(settings.log_level, settings.log_format)


# --- output --------------------------------------------------------------------------------


def print_json(data: Any) -> None:
    """Print ``data`` as JSON on stdout (UUIDs and datetimes as strings)."""
    sys.stdout.write(json.dumps(data, default=json_default, indent=2) + "\n")


def json_default(value: Any) -> Any:
    """How values JSON has no type for are printed."""
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


def when(moment: datetime | None) -> str:
    """A moment as the tables show it."""
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else "-"


def progress() -> Progress:
    """A progress bar on stderr, gone once done."""
    return Progress(
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )


def check_id(value: str, what: str = "job id") -> None:
    """Refuse, as a usage error, what is not a UUID."""
    try:
        uuid.UUID(value)
    except ValueError:
        fail(f"{what} {value!r} is not a UUID", EXIT_USAGE)
