"""The heartbeat thread outlives any error of a beat, and says so."""

from __future__ import annotations

import asyncio
import logging
import uuid

import pytest

from equeue import Queue
from equeue.worker.heartbeat import Heartbeat, WorkerInfo
from tests.conftest import storage_of, wait_until


async def test_a_beat_that_raises_is_logged_and_the_next_one_beats(
    queue: Queue, caplog: pytest.LogCaptureFixture
) -> None:
    storage = await storage_of(queue)
    calls = 0

    def held() -> list[tuple[uuid.UUID, uuid.UUID]]:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("the held jobs could not be read")
        return []

    heartbeat = Heartbeat(
        dsn=queue.dsn or "",
        storage=storage,
        worker=WorkerInfo("beats-on", "host", 1, None, 1),
        lease_seconds=30,
        interval=0.05,
        held=held,
        report=lambda lost, cancel: None,
        loop=asyncio.get_running_loop(),
    )
    caplog.set_level(logging.WARNING, logger="equeue.worker")
    heartbeat.start()
    try:

        async def listed() -> bool:
            return any(w["id"] == "beats-on" for w in await storage.list_workers())

        await wait_until(listed)
    finally:
        await asyncio.to_thread(heartbeat.stop)
    assert "the held jobs could not be read" in caplog.text
