from __future__ import annotations

from equeue import JobStatus, Queue
from tests.conftest import running_worker, wait_for_status


async def test_enqueue_and_run(queue: Queue) -> None:
    @queue.task(name="text.reverse")
    async def reverse(text: str) -> str:
        return text[::-1]

    job = await queue.enqueue("text.reverse", {"text": "hello"})
    assert job.status == JobStatus.QUEUED
    async with running_worker(queue):
        done = await wait_for_status(queue, job.id, JobStatus.SUCCEEDED)
    assert done.result == "olleh"
    assert done.attempts == 1
    assert [a.outcome for a in done.history] == ["succeeded"]
