"""A periodic task for the end-to-end tests, run by real `equeue worker` processes: every
second, each run leaves its tick in a file under EQUEUE_E2E_DIR."""

from __future__ import annotations

import os
from pathlib import Path

from equeue import Queue

queue = Queue(schema=os.environ.get("EQUEUE_SCHEMA", "equeue"))
EVIDENCE = Path(os.environ.get("EQUEUE_E2E_DIR", "."))


@queue.periodic(cron="* * * * * *", on_missed="catch_up", name="every-second")
@queue.task(name="e2e.tick", queue="ticks")
def tick(tick: str) -> str:
    with open(EVIDENCE / f"tick.{os.getpid()}", "a") as out:
        out.write(tick + "\n")
    return tick
