"""Queues: ``equeue queues`` (counts by status), ``queues pause``, ``queues resume`` and
``queues limit`` (fleet-wide limits, docs/limits.md)."""

from __future__ import annotations

from dataclasses import asdict
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
from equeue.limits import MIN_RATE, LimitValueError, QueueLimits
from equeue.queue import Queue

queues_app = typer.Typer(help="Queues: counts by status; pause, resume and limits.")

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


@queues_app.command("limit")
def queues_limit(
    ctx: typer.Context,
    name: QueueName,
    concurrency: Annotated[
        int | None, typer.Option(min=1, help="most jobs running at once, fleet-wide")
    ] = None,
    rate: Annotated[
        float | None, typer.Option(min=MIN_RATE, help="most jobs started per second")
    ] = None,
    burst: Annotated[
        float | None,
        typer.Option(min=1, help="most jobs started at once after a quiet spell (with --rate)"),
    ] = None,
    group_concurrency: Annotated[
        int | None, typer.Option(min=1, help="most jobs of one group running at once")
    ] = None,
    clear: Annotated[bool, typer.Option("--clear", help="remove every limit")] = False,
) -> None:
    """Set a queue's fleet-wide limits to exactly those given (the others are removed);
    every worker's next claim holds to them. ``--clear`` removes them all."""
    given = (concurrency, rate, burst, group_concurrency)
    if clear == any(v is not None for v in given):
        raise typer.BadParameter("give --clear, or at least one limit (not both)")
    try:
        limits = QueueLimits(concurrency, rate, burst, group_concurrency)
    except LimitValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    common = current_common(ctx)

    async def act(queue: Queue) -> QueueLimits:
        done = await queue.admin.set_queue_limits(name, limits)
        target: dict[str, object] = {"queue": name, **asdict(limits)}
        if clear:
            target = {"queue": name, "cleared": True}
        await audited(queue, Action.QUEUE_LIMITS, target=target)
        return done

    done = run_async(with_queue(common.settings(), act))
    if common.as_json:
        print_json({"name": name, **asdict(done)})
    elif not done.any:
        out.print(f"queue {name}: no limits")
    else:
        shown = ", ".join(f"{k.replace('_', '-')} {v:g}" for k, v in asdict(done).items() if v)
        out.print(f"queue {name}: {shown}")
