"""A real :class:`Worker` serving an in-memory storage (no database, no connections)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from equeue import Queue, Worker, WorkerSettings
from tests.unit.fake_storage import FakeStorage


@dataclass
class FakeListener:
    """The notifier as the claim loop sees it: the pid hand-offs are heard on."""

    backend_pid: int | None = 4242


def make_queue() -> Queue:
    """A queue to register tasks on; nothing here ever connects to its DSN."""
    return Queue("postgresql://unused.invalid/none", schema="unit")


@contextlib.asynccontextmanager
async def serving(
    queue: Queue,
    storage: FakeStorage,
    listener: FakeListener | None = None,
    **settings: Any,
) -> AsyncIterator[Worker]:
    """Run ``Worker.serve`` on ``storage`` for the block; stop it (and wait) after."""
    settings.setdefault("poll_interval", 0.05)
    worker = Worker(queue, WorkerSettings(**settings))
    served = asyncio.create_task(worker.serve(storage, listener))
    try:
        yield worker
    finally:
        if not worker.stopping:
            worker.stop()
        await asyncio.wait_for(served, timeout=30)
