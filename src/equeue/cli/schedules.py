"""Schedules of periodic jobs: ``equeue schedules`` (each with its next run), ``schedules
pause``, ``schedules resume`` and ``schedules delete``."""

from __future__ import annotations

from typing import Annotated, Any

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
    when,
    with_queue,
)
from equeue.periodic import Schedule
from equeue.queue import Queue

schedules_app = typer.Typer(help="Schedules of periodic jobs: list; pause, resume, delete.")

ScheduleName = Annotated[str, typer.Argument(help="Schedule name")]


def schedule_to_dict(schedule: Schedule) -> dict[str, Any]:
    spec = schedule.spec
    return {
        "name": spec.name,
        "task": spec.task,
        "cron": spec.cron,
        "timezone": spec.timezone,
        "payload": dict(spec.payload),
        "queue": spec.queue,
        "priority": spec.priority,
        "on_missed": spec.on_missed,
        "catch_up_limit": spec.catch_up_limit,
        "paused": schedule.paused,
        "next_run_at": schedule.next_run_at,
        "last_run_at": schedule.last_run_at,
        "last_job_id": schedule.last_job_id,
        "source": schedule.source,
    }


@schedules_app.callback(invoke_without_command=True)
@shared_options()
def schedules(ctx: typer.Context, *, common: Common) -> None:
    """A table of schedules with their next and last runs (subcommands: pause, resume,
    delete)."""
    if ctx.invoked_subcommand is not None:
        remember(ctx, common)  # the options given here apply to the subcommand
        return
    _show(common)


def _show(common: Common) -> None:
    async def read(queue: Queue) -> list[Schedule]:
        return await queue.admin.schedules.list()

    found = run_async(with_queue(common.settings(), read))
    if common.as_json:
        print_json({"schedules": [schedule_to_dict(s) for s in found]})
        return
    table = Table("schedule", "task", "cron", "timezone", "next run (UTC)", "last run", "paused")
    for s in found:
        table.add_row(
            s.spec.name,
            s.spec.task,
            s.spec.cron,
            s.spec.timezone,
            when(s.next_run_at),
            when(s.last_run_at),
            "yes" if s.paused else "",
        )
    out.print(table)


@schedules_app.command("list")
def schedules_list(ctx: typer.Context) -> None:
    """The same table as ``equeue schedules``."""
    _show(current_common(ctx))


def _act(ctx: typer.Context, name: str, action: Action) -> None:
    common = current_common(ctx)

    async def act(queue: Queue) -> Schedule | None:
        admin = queue.admin.schedules
        done = None
        if action is Action.SCHEDULE_DELETE:
            await admin.delete(name)
        else:
            pause = action is Action.SCHEDULE_PAUSE
            done = await (admin.pause(name) if pause else admin.resume(name))
        await audited(queue, action, target={"schedule": name})
        return done

    done = run_async(with_queue(common.settings(), act))
    verb = {"schedule.pause": "paused", "schedule.resume": "resumed"}.get(action, "deleted")
    if common.as_json:
        print_json(schedule_to_dict(done) if done else {"name": name, "deleted": True})
    elif done is not None:
        out.print(f"schedule {name} {verb}; next run {when(done.next_run_at)} UTC")
    else:
        out.print(f"schedule {name} {verb}")


@schedules_app.command("pause")
def schedules_pause(ctx: typer.Context, name: ScheduleName) -> None:
    """Stop enqueueing a schedule's ticks."""
    _act(ctx, name, Action.SCHEDULE_PAUSE)


@schedules_app.command("resume")
def schedules_resume(ctx: typer.Context, name: ScheduleName) -> None:
    """Enqueue a schedule's ticks again, from its next tick after now."""
    _act(ctx, name, Action.SCHEDULE_RESUME)


@schedules_app.command("delete")
def schedules_delete(ctx: typer.Context, name: ScheduleName) -> None:
    """Delete a schedule (its jobs stay; one defined in code comes back when a worker
    that defines it starts)."""
    _act(ctx, name, Action.SCHEDULE_DELETE)
