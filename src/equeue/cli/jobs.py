"""Jobs: ``equeue enqueue``, ``equeue jobs ...`` and ``equeue replay-dlq``."""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import typer
from rich.table import Table

from equeue.audit import Action
from equeue.cli.common import (
    EXIT_USAGE,
    Common,
    audited,
    check_id,
    fail,
    job_to_dict,
    json_default,
    out,
    print_json,
    progress,
    run_async,
    shared_options,
    when,
    with_queue,
)
from equeue.job import FINISHED, Job, JobStatus
from equeue.queue import Queue
from equeue.settings import Settings

jobs_app = typer.Typer(help="List, inspect and manage jobs.", no_args_is_help=True)

JobId = Annotated[str, typer.Argument(help="The job's id.")]


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


@shared_options()
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
    *,
    common: Common,
) -> None:
    """Enqueue a job (or --count copies of it, in batches)."""
    settings = common.settings(allow_unknown_tasks=True if allow_unknown else None)
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
        _enqueue_one(settings, body, common.as_json)
    else:
        _enqueue_copies(settings, body, count, common.as_json)


def _enqueue_one(settings: Settings, body: dict[str, Any], as_json: bool) -> None:
    job = run_async(with_queue(settings, lambda q: q.enqueue_many([body])))[0]
    if as_json:
        print_json(job_to_dict(job))
    else:
        verb = "already enqueued (deduplicated)" if job.deduplicated else "enqueued"
        out.print(f"{verb} {job.id} ({job.task} on {job.queue}, {job.status.value})")


def _enqueue_copies(settings: Settings, body: dict[str, Any], count: int, as_json: bool) -> None:
    async def bulk(queue: Queue) -> list[str]:
        ids: list[str] = []
        with progress() as bars:
            bar = bars.add_task(f"enqueue {body['type']}", total=count)
            while len(ids) < count:
                size = min(1000, count - len(ids))
                jobs = await queue.enqueue_many([body] * size)
                ids.extend(str(j.id) for j in jobs)
                bars.update(bar, advance=size)
        return ids

    ids = run_async(with_queue(settings, bulk))
    if as_json:
        print_json({"enqueued": len(ids), "ids": ids})
    else:
        out.print(f"enqueued {len(ids)} {body['type']} jobs")


@jobs_app.command("list")
@shared_options()
def jobs_list(
    status: Annotated[JobStatus | None, typer.Option(help="Only this status")] = None,
    queue_name: Annotated[str | None, typer.Option("--queue", help="Only this queue")] = None,
    task_type: Annotated[str | None, typer.Option("--type", help="Only this task")] = None,
    tag: Annotated[str | None, typer.Option(help="Only jobs with this tag")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="Page size")] = 20,
    cursor: Annotated[str | None, typer.Option(help="next_cursor of the previous page")] = None,
    *,
    common: Common,
) -> None:
    """List jobs, newest first."""
    settings = common.settings()
    if cursor is not None:
        check_id(cursor, "--cursor")
    jobs, next_cursor = run_async(
        with_queue(
            settings,
            lambda q: q.list_jobs(
                status=status,
                queue=queue_name,
                task=task_type,
                tag=tag,
                limit=limit,
                cursor=cursor,
                # The JSON shows payloads and results; the table none of the large parts.
                details=("payload", "result") if common.as_json else (),
            ),
        )
    )
    if common.as_json:
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
            when(job.created_at),
            (job.last_error or "")[:60],
        )
    out.print(table)
    if next_cursor:
        out.print(f"more: --cursor {next_cursor}")


@jobs_app.command("show")
@shared_options()
def jobs_show(job_id: JobId, *, common: Common) -> None:
    """Show one job with its attempt history."""
    settings = common.settings()
    check_id(job_id)
    job = run_async(with_queue(settings, lambda q: q.get_job(job_id)))
    # As GET /v1/jobs/{id} has them: the chain and chord the job belongs to.
    links = {
        "parent_id": str(job.parent_id) if job.parent_id else None,
        "chord_id": str(job.chord_id) if job.chord_id else None,
        "follow_ups": job.follow_ups,
    }
    if common.as_json:
        print_json(job_to_dict(job) | links)
        return
    details = Table.grid(padding=(0, 2))
    for key, value in (job_to_dict(job, history=False) | links).items():
        if key == "deduplicated":
            continue
        if key == "progress" and value is not None:
            value = f"{value['fraction']:.0%} {value['message'] or ''}".rstrip()
        shown = json.dumps(value, default=json_default) if isinstance(value, dict | list) else value
        details.add_row(key, "-" if shown is None else str(shown))
    out.print(details)
    if job.history:
        history = Table("#", "worker", "started", "finished", "outcome", "error", title="attempts")
        for attempt in job.history:
            history.add_row(
                str(attempt.number),
                attempt.worker or "-",
                when(attempt.started_at),
                when(attempt.finished_at),
                attempt.outcome,
                (attempt.error or "")[:80],
            )
        out.print(history)


def _job_action(
    job_id: str,
    common: Common,
    action: Callable[[Queue, str], Awaitable[Job]],
    verb: str,
    audit: Action,
) -> None:
    settings = common.settings()
    check_id(job_id)

    async def act(queue: Queue) -> Job:
        job = await action(queue, job_id)
        await audited(queue, audit, job_ids=[job.id])
        return job

    job = run_async(with_queue(settings, act))
    if common.as_json:
        print_json(job_to_dict(job))
    elif job.cancel_requested and job.status is JobStatus.RUNNING:
        out.print(f"cancel requested for {job.id}: its worker is stopping it")
    else:
        out.print(f"{verb} {job.id} (now {job.status.value})")


@jobs_app.command("cancel")
@shared_options()
def jobs_cancel(job_id: JobId, *, common: Common) -> None:
    """Cancel a job (a running one is stopped by its worker)."""
    _job_action(job_id, common, lambda q, i: q.cancel(i), "cancelled", Action.JOB_CANCEL)


@jobs_app.command("retry")
@shared_options()
def jobs_retry(job_id: JobId, *, common: Common) -> None:
    """Send a failed or cancelled job back to the queue."""
    _job_action(job_id, common, lambda q, i: q.retry(i), "retried", Action.JOB_RETRY)


@jobs_app.command("delete")
@shared_options()
def jobs_delete(job_id: JobId, *, common: Common) -> None:
    """Delete a job that is not running."""
    settings = common.settings()
    check_id(job_id)

    async def delete(queue: Queue) -> None:
        await queue.delete(job_id)
        await audited(queue, Action.JOB_DELETE, job_ids=[uuid.UUID(job_id)])

    run_async(with_queue(settings, delete))
    if common.as_json:
        print_json({"deleted": job_id})
    else:
        out.print(f"deleted {job_id}")


@jobs_app.command("purge")
@shared_options()
def jobs_purge(
    status: Annotated[
        list[JobStatus] | None, typer.Option(help="Finished status to purge [succeeded]")
    ] = None,
    queue_name: Annotated[str | None, typer.Option("--queue", help="Only this queue")] = None,
    task_type: Annotated[str | None, typer.Option("--type", help="Only this task")] = None,
    *,
    common: Common,
) -> None:
    """Delete finished jobs by filter (unfinished ones are never touched)."""
    settings = common.settings()
    statuses = status or [JobStatus.SUCCEEDED]
    unfinished = [s.value for s in statuses if s not in FINISHED]
    if unfinished:
        fail(f"only finished jobs can be purged, not {', '.join(unfinished)}", EXIT_USAGE)
    chosen = {"status": [s.value for s in statuses], "queue": queue_name, "type": task_type}

    async def purge(queue: Queue) -> int:
        deleted = await queue.purge(statuses=statuses, queue=queue_name, task=task_type)
        await audited(queue, Action.JOBS_PURGE, target=chosen, affected=deleted)
        return deleted

    deleted = run_async(with_queue(settings, purge))
    if common.as_json:
        print_json({"deleted": deleted})
    else:
        out.print(f"deleted {deleted} job(s)")


@shared_options()
def replay_dlq(
    queue_name: Annotated[str | None, typer.Option("--queue", help="Only this queue")] = None,
    task_type: Annotated[str | None, typer.Option("--type", help="Only this task")] = None,
    limit: Annotated[int, typer.Option(min=1, help="Most jobs to replay")] = 1000,
    error: Annotated[
        str | None,
        typer.Option(help="Only jobs whose last error's first line is this (a dead-letter group)"),
    ] = None,
    *,
    common: Common,
) -> None:
    """Send failed (dead-lettered) jobs back to the queue, history kept."""
    settings = common.settings()

    async def replay(queue: Queue) -> int:
        counts = await queue.counts()
        failed = sum(
            by.get("failed", 0) for name, by in counts.items() if queue_name in (None, name)
        )
        done = 0
        with progress() as bars:
            bar = bars.add_task("replay failed jobs", total=min(limit, failed))
            while done < limit:
                batch = min(500, limit - done)
                replayed = await queue.replay_failed(
                    queue=queue_name, task=task_type, limit=batch, error=error
                )
                done += replayed
                bars.update(bar, advance=replayed)
                if replayed < batch:
                    break
        chosen = {"queue": queue_name, "type": task_type, "limit": limit}
        await audited(queue, Action.JOBS_REPLAY, target=chosen, affected=done)
        return done

    replayed = run_async(with_queue(settings, replay))
    if common.as_json:
        print_json({"replayed": replayed})
    else:
        out.print(f"replayed {replayed} job(s)")
