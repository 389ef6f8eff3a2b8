"""The task of the fleet-wide limits test, run by real `equeue worker` processes: each
run appends ``<start> <end> <group> <pid>`` (wall-clock times, one host) to a file of its
own process under EQUEUE_E2E_DIR."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

from equeue import Queue, current_job

queue = Queue(schema=os.environ.get("EQUEUE_SCHEMA", "equeue"), pool_max_size=4)
EVIDENCE = Path(os.environ.get("EQUEUE_E2E_DIR", "."))


@queue.task(name="limits.work", queue="capped")
async def work(seconds: float, group: str) -> None:
    started = time.time()
    await asyncio.sleep(seconds)
    with open(EVIDENCE / f"runs.{os.getpid()}", "a") as out:
        out.write(f"{started} {time.time()} {group} {os.getpid()} {current_job().id}\n")
