"""Tasks of the reliability battery, run by real `equeue worker` processes.

Every execution appends one line, ``<job id> <attempt> <pid>``, to a file of its own
process under EQUEUE_E2E_DIR before doing anything else: the battery counts executions
from these files, which no database fault can rewrite, and matches each one to an attempt
of the job's history.
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

from equeue import Backoff, Queue, current_job

queue = Queue(
    schema=os.environ.get("EQUEUE_SCHEMA", "equeue"),
    # A scenario may starve the worker of pooled connections (the heartbeat has its own).
    pool_max_size=int(os.environ.get("BATTERY_POOL_MAX_SIZE", "10")),
)
EVIDENCE = Path(os.environ.get("EQUEUE_E2E_DIR", "."))
MAX_ATTEMPTS = 5  # the default: jobs that die with a poison job lose no attempt
POISON_ATTEMPTS = 3
QUICK_RETRY = Backoff(base=0.1, factor=1, max=0.1)  # a scenario should not wait on backoff


def _record_execution() -> dict[str, int]:
    job = current_job()
    with open(EVIDENCE / f"executions.{os.getpid()}", "a") as out:
        out.write(f"{job.id} {job.attempt} {os.getpid()}\n")
    return {"attempt": job.attempt, "pid": os.getpid()}


@queue.task(name="battery.work", max_attempts=MAX_ATTEMPTS)
async def work(seconds: float) -> dict[str, int]:
    """A well-behaved job: it records its execution, works a while, says who ran it."""
    ran_by = _record_execution()
    await asyncio.sleep(seconds)
    return ran_by


@queue.task(
    name="battery.raise", max_attempts=POISON_ATTEMPTS, retry=Backoff(base=0.1, factor=1, max=0.1)
)
async def always_raise() -> None:
    """Poison that fails every attempt."""
    _record_execution()
    raise RuntimeError("poison: this job always fails")


@queue.task(name="battery.exit", max_attempts=POISON_ATTEMPTS)
async def kill_worker() -> None:
    """Poison that takes its whole worker process down with it, every attempt."""
    _record_execution()
    os._exit(17)


@queue.task(name="battery.busy", max_attempts=MAX_ATTEMPTS)
async def busy(seconds: float) -> dict[str, int]:
    """A job that keeps its worker's pool busy the whole time it runs: it reads its own
    row again and again, as chatty task code does."""
    ran_by = _record_execution()
    loop = asyncio.get_running_loop()
    until = loop.time() + seconds
    while loop.time() < until:
        await queue.get_job(current_job().id)
    return ran_by


@queue.task(
    name="battery.clock",
    max_attempts=MAX_ATTEMPTS,
    retry=Backoff(base=1, factor=1, max=1, jitter=0),
)
async def clock(fail_first: bool = False) -> dict[str, float]:
    """Records the wall clock of the process that runs it; with ``fail_first``, fails its
    first attempt (retried after 1 s of backoff)."""
    ran_by: dict[str, float] = {**_record_execution(), "wall_clock": time.time()}
    if fail_first and current_job().attempt == 1:
        raise RuntimeError("first attempt fails, by design")
    await asyncio.sleep(0.2)
    return ran_by
