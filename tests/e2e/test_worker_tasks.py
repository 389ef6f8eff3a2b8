"""Real `equeue worker` processes running tasks that misbehave: plain functions that
outlive their timeout, tasks that raise SystemExit or KeyboardInterrupt."""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Callable
from pathlib import Path

from equeue import JobStatus, Queue
from tests.conftest import wait_for_status, wait_until
from tests.e2e import test_workers
from tests.e2e.test_workers import lines

# The real worker processes and their queue, as test_workers.py starts them.
e2e_queue = test_workers.e2e_queue
spawn = test_workers.spawn
Spawn = Callable[..., subprocess.Popen[bytes]]


async def test_quick_sync_jobs_run_while_timed_out_sync_tasks_hold_their_threads(
    e2e_queue: Queue,
    spawn: Spawn,
    tmp_path: Path,
) -> None:
    worker = spawn("--concurrency", "2")
    stuck = [
        await e2e_queue.enqueue("e2e.sleep_sync", {"seconds": 3600}, timeout=1, max_attempts=1)
        for _ in range(2)
    ]
    for job in stuck:
        timed_out = await wait_for_status(e2e_queue, job.id, JobStatus.FAILED, timeout=30)
        assert timed_out.history[-1].outcome == "timeout"
    assert lines(tmp_path, "started") == ["sleep_sync", "sleep_sync"]  # both threads run on

    quick = [await e2e_queue.enqueue("e2e.record_sync", {"n": n}, timeout=5) for n in range(6)]
    for job in quick:
        done = await wait_for_status(e2e_queue, job.id, JobStatus.SUCCEEDED, timeout=60)
        assert done.attempts == 1, done.history
    assert sorted(map(int, lines(tmp_path, "record_sync"))) == list(range(6))

    # Threads it let go of do not keep a stopping worker from exiting.
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=30) == 0


async def test_tasks_raising_systemexit_or_keyboardinterrupt_fail_and_the_worker_runs_on(
    e2e_queue: Queue,
    spawn: Spawn,
    tmp_path: Path,
) -> None:
    worker = spawn("--concurrency", "4")
    raising = {
        (task, kind): await e2e_queue.enqueue(task, {"kind": kind}, max_attempts=1)
        for task in ("e2e.raise_base", "e2e.raise_base_sync")
        for kind in ("exit", "interrupt")
    }
    for (task, kind), job in raising.items():
        failed = await wait_for_status(e2e_queue, job.id, JobStatus.FAILED, timeout=30)
        expected = "SystemExit: 3" if kind == "exit" else "KeyboardInterrupt"
        assert failed.last_error == expected, (task, failed.last_error)
        assert expected in (failed.history[-1].error or "")  # with the traceback

    after = [await e2e_queue.enqueue("e2e.record", {"n": n}) for n in range(3)]
    for job in after:
        await wait_for_status(e2e_queue, job.id, JobStatus.SUCCEEDED, timeout=30)
    assert worker.poll() is None

    async def nothing_held() -> bool:
        return (await e2e_queue.counts())["default"]["running"] == 0

    await wait_until(nothing_held)
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=30) == 0


async def test_a_write_into_a_connection_closed_at_the_other_end_is_an_error_not_the_end(
    e2e_queue: Queue,
    spawn: Spawn,
) -> None:
    # The worker's database connections meet the same when the server restarts: their
    # writes must fail as errors the worker retries, never end its process (SIGPIPE).
    worker = spawn()
    broken = await e2e_queue.enqueue("e2e.send_to_closed_peer", {})

    async def failed_or_worker_gone() -> bool:
        job = await e2e_queue.get_job(broken.id)
        return job.status is JobStatus.FAILED or worker.poll() is not None

    await wait_until(failed_or_worker_gone, timeout=30)
    assert worker.poll() is None, f"the worker ended (exit status {worker.returncode})"
    failed = await e2e_queue.get_job(broken.id)
    assert failed.last_error is not None and "BrokenPipeError" in failed.last_error

    after = await e2e_queue.enqueue("e2e.record", {"n": 1})
    await wait_for_status(e2e_queue, after.id, JobStatus.SUCCEEDED, timeout=30)
    assert worker.poll() is None
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=30) == 0
