"""Plain (non-async) tasks whose jobs timed out leave their threads running: the worker
keeps a thread for every job it claims, and says when it claims less because of them."""

from __future__ import annotations

import logging
import threading

import pytest

from equeue import JobStatus, Queue
from tests.conftest import running_worker, storage_of, wait_for_status, wait_until


async def worker_row(queue: Queue) -> dict[str, object]:
    storage = await storage_of(queue)
    [row] = await storage.list_workers()
    return row


async def test_too_many_abandoned_threads_pause_plain_tasks_only_until_they_end(
    queue: Queue, caplog: pytest.LogCaptureFixture
) -> None:
    release = threading.Event()

    @queue.task(name="stuck", timeout=0.3, max_attempts=1)
    def stuck() -> None:
        release.wait(60)

    @queue.task(name="quick_sync")
    def quick_sync() -> str:
        return "sync"

    @queue.task(name="quick_async")
    async def quick_async() -> str:
        return "async"

    caplog.set_level(logging.INFO, logger="equeue.worker")
    try:
        async with running_worker(queue, concurrency=1) as worker:
            for _ in range(2):  # one after the other: the second finds the first abandoned
                job = await queue.enqueue("stuck")
                await wait_for_status(queue, job.id, JobStatus.FAILED)
            sync_job = await queue.enqueue("quick_sync")
            async_job = await queue.enqueue("quick_async")
            await wait_for_status(queue, async_job.id, JobStatus.SUCCEEDED)
            # Enqueued first, yet left alone: no thread is sure to be free for it.
            assert (await queue.get_job(sync_job.id)).status is JobStatus.QUEUED

            async def shown_paused() -> bool:
                row = await worker_row(queue)
                return row["abandoned_threads"] == 2 and row["sync_claims_paused"] is True

            await wait_until(shown_paused)
            assert any(
                "claiming only async tasks' jobs" in r.getMessage() and r.levelname == "WARNING"
                for r in caplog.records
            )

            release.set()
            await wait_for_status(queue, sync_job.id, JobStatus.SUCCEEDED)

            async def shown_resumed() -> bool:
                row = await worker_row(queue)
                return row["abandoned_threads"] == 0 and row["sync_claims_paused"] is False

            await wait_until(shown_resumed)
            assert worker.jobs_done == 4
    finally:
        release.set()
