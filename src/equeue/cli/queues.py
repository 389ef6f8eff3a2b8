"""Queues: ``equeue queues`` (counts by status), ``queues pause`` and ``queues resume``."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from equeue.audit import Action
from equeue.cli.common import (
    Common,
    audited,
    current_common,
    out,
    print_json,
    remember,
    run_async,
    shared_options,
    with_queue,
)
from equeue.job import JobStatus
from equeue.queue import Queue

queues_app = typer.Typer(help="Queues: counts by status; pause and resume.")

QueueName = Annotated[str, typer.Argument(help="Queue name")]


@queues_app.callback(invoke_without_command=True)
@shared_options()
def queues(ctx: typer.Context, *, common: Common) -> None:
    """A table of jobs per queue and status (subcommands: pause, resume)."""
    if ctx.invoked_subcommand is not None:
        remember(ctx, common)  # the options given here apply to the subcommand
        return
    settings = common.settings()

    async def read(queue: Queue) -> tuple[dict[str, dict[str, int]], dict[str, bool]]:
        return await queue.counts(), await queue.admin.queue_flags()

    counts, paused = run_async(with_queue(settings, read))
    names = sorted(set(counts) | set(paused))
    if common.as_json:
        empty = {s.value: 0 for s in JobStatus}
        print_json(
            {
                "queues": [
                    {"name": n, "paused": paused.get(n, False), "counts": counts.get(n, empty)}
                    for n in names
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


def _set_paused(ctx: typer.Context, name: str, pause: bool) -> None:
    common = current_common(ctx)
    settings = common.settings()

    async def act(queue: Queue) -> None:
        await (queue.pause_queue(name) if pause else queue.resume_queue(name))
        await audited(
            queue, Action.QUEUE_PAUSE if pause else Action.QUEUE_RESUME, target={"queue": name}
        )

    run_async(with_queue(settings, act))
    if common.as_json:
        print_json({"name": name, "paused": pause})
    else:
        out.print(f"queue {name} {'paused' if pause else 'resumed'}")


@queues_app.command("pause")
def queues_pause(ctx: typer.Context, name: QueueName) -> None:
    """Stop workers claiming from a queue (running jobs go on)."""
    _set_paused(ctx, name, True)


@queues_app.command("resume")
def queues_resume(ctx: typer.Context, name: QueueName) -> None:
    """Let workers claim from a queue again."""
    _set_paused(ctx, name, False)
