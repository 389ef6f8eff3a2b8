"""``equeue jobs wait``: wait for a job to finish, and say how it ended in the exit code."""

from __future__ import annotations

from typing import Annotated

import typer

from equeue.cli.common import (
    EXIT_FAILURE,
    Common,
    check_id,
    err,
    job_to_dict,
    out,
    print_json,
    run_async,
    shared_options,
    with_queue,
)
from equeue.errors import WaitTimeoutError
from equeue.job import Job, JobStatus
from equeue.queue import Queue

#: The exit code of a wait that ran out of time (the job goes on), as timeout(1) has it.
EXIT_TIMED_OUT = 124


@shared_options()
def jobs_wait(
    job_id: Annotated[str, typer.Argument(help="The job's id.")],
    timeout: Annotated[
        float | None, typer.Option(min=0, help="Give up after this many seconds [never]")
    ] = None,
    *,
    common: Common,
) -> None:
    """Wait until a job has finished; exit 0 if it succeeded, 1 if it failed or was
    cancelled, 124 if it had not finished within --timeout (it goes on)."""
    settings = common.settings()
    check_id(job_id)

    async def wait(queue: Queue) -> tuple[Job, bool]:
        try:
            return await queue.wait(job_id, timeout=timeout), True
        except WaitTimeoutError as timed_out:
            return timed_out.job, False

    job, finished = run_async(with_queue(settings, wait))
    if common.as_json:
        print_json(job_to_dict(job))
    elif finished:
        out.print(
            f"{job.id} {job.status.value}" + (f": {job.last_error}" if job.last_error else "")
        )
    else:
        err.print(f"{job.id} is still {job.status.value} after {timeout:g}s")
    if not finished:
        raise typer.Exit(EXIT_TIMED_OUT)
    if job.status is not JobStatus.SUCCEEDED:
        raise typer.Exit(EXIT_FAILURE)
