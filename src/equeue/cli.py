"""The ``equeue`` command line."""

from __future__ import annotations

import asyncio
import importlib
import logging
import os
import sys
from typing import Annotated

import typer

from equeue.queue import Queue
from equeue.worker import WorkerSettings, run_worker

app = typer.Typer(help="equeue: a PostgreSQL-backed job queue.", no_args_is_help=True)


def load_queue(target: str) -> Queue:
    """Import ``module:attribute`` and return the :class:`Queue` it names."""
    module_name, _, attribute = target.partition(":")
    if not module_name or not attribute:
        raise typer.BadParameter(f"expected module:queue, got {target!r}")
    sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise typer.BadParameter(f"cannot import {module_name!r}: {exc}") from None
    queue = getattr(module, attribute, None)
    if not isinstance(queue, Queue):
        raise typer.BadParameter(f"{target} is not an equeue.Queue")
    return queue


def run(coro: object) -> None:
    """Run a coroutine on uvloop when it is installed."""
    try:
        import uvloop

        uvloop.run(coro)  # type: ignore[arg-type]
    except ImportError:
        asyncio.run(coro)  # type: ignore[arg-type]


@app.command()
def worker(
    target: Annotated[str, typer.Argument(help="module:queue holding your tasks")],
    concurrency: Annotated[int, typer.Option(help="jobs run at once")] = 10,
    queues: Annotated[str | None, typer.Option(help="comma-separated queues (all)")] = None,
    lease: Annotated[float, typer.Option(help="lease seconds")] = 30.0,
    poll_interval: Annotated[float, typer.Option(help="fallback poll seconds")] = 2.0,
    shutdown_grace: Annotated[float, typer.Option(help="seconds to finish on SIGTERM")] = 30.0,
    log_level: Annotated[str, typer.Option(help="DEBUG, INFO, WARNING")] = "INFO",
) -> None:
    """Run a worker for the tasks registered on a Queue."""
    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(message)s")
    queue = load_queue(target)
    settings = WorkerSettings(
        concurrency=concurrency,
        queues=[q for q in queues.split(",") if q] if queues else None,
        lease_seconds=lease,
        poll_interval=poll_interval,
        shutdown_grace=shutdown_grace,
    )
    run(run_worker(queue, settings))


@app.command()
def migrate(
    database_url: Annotated[str | None, typer.Option(envvar="EQUEUE_DATABASE_URL")] = None,
    schema: Annotated[str, typer.Option(envvar="EQUEUE_SCHEMA")] = "equeue",
) -> None:
    """Apply pending schema migrations."""

    async def go() -> list[int]:
        async with Queue(database_url, schema=schema) as queue:
            return await queue.migrate()

    applied = asyncio.run(go())
    typer.echo(f"applied {len(applied)} migration(s)" if applied else "schema is up to date")


def main() -> None:
    app()
