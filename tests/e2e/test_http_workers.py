"""Workers over HTTP in other languages: the examples in examples/http_workers (Node.js
with its standard library, POSIX sh with curl and jq) against a real ``equeue dev``
stack, and an HTTP worker killed mid-job whose job another worker rescues."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.test_api_http import _drop_schema, assert_error, unique
from tests.e2e.test_dev import DevStack, free_port

pytestmark = pytest.mark.e2e

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "http_workers"
#: How each example worker is started.
WORKERS = {
    "node": [shutil.which("node") or "node", str(EXAMPLES / "worker.mjs")],
    "sh": [shutil.which("sh") or "sh", str(EXAMPLES / "worker.sh")],
}
JOBS = 1_000


@dataclass
class Stack:
    dev: DevStack
    api: httpx.Client  #: with the admin key
    work_key: str  #: a key with the work scope alone, as a worker would be given

    def worker(
        self, kind: str, queue: str, *args: str, log: Path, **env: str
    ) -> subprocess.Popen[bytes]:
        """Start an example worker on ``queue``; its output goes to ``log``."""
        environment = {
            **os.environ,
            "EQUEUE_URL": self.dev.base,
            "EQUEUE_KEY": self.work_key,
            "QUEUE": queue,
            **env,
        }
        with log.open("ab") as out:
            return subprocess.Popen(
                [*WORKERS[kind], *args], env=environment, stdout=out, stderr=subprocess.STDOUT
            )

    def enqueue(self, queue: str, jobs: list[dict[str, Any]]) -> list[str]:
        ids = []
        for start in range(0, len(jobs), 1000):
            batch = [{"queue": queue, **job} for job in jobs[start : start + 1000]]
            answer = self.api.post("/v1/jobs/batch", json={"jobs": batch})
            assert answer.status_code == 201, answer.text
            ids += [item["id"] for item in answer.json()["items"]]
        return ids

    def jobs(self, queue: str, status: str) -> list[dict[str, Any]]:
        """Every job of ``queue`` in ``status``, page after page, with its payload and
        result (a page carries them only when asked)."""
        found: list[dict[str, Any]] = []
        params: dict[str, Any] = {
            "queue": queue,
            "status": status,
            "limit": 500,
            "fields": "status,attempts,payload,result",
        }
        while True:
            page = self.api.get("/v1/jobs", params=params).json()
            found += page["items"]
            if page["next_cursor"] is None:
                return found
            params["cursor"] = page["next_cursor"]

    def wait_for(self, job_id: str, status: str, timeout: float = 60) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            job: dict[str, Any] = self.api.get(f"/v1/jobs/{job_id}").json()
            if job["status"] == status:
                return job
            assert time.monotonic() < deadline, job
            time.sleep(0.05)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, database_url: str) -> Iterator[Stack]:
    """``equeue dev`` on the test database. Its own Python worker takes only the default
    queue: the example workers' queues are theirs alone; its maintenance rescues jobs
    whose leases lapse. The example workers' tasks are registered by no one, so unknown
    task types are allowed; and the per-key rate limit is lifted, which would otherwise
    spread each worker's 1,000 completions over 10 seconds (the workers wait out a 429)."""
    folder = tmp_path_factory.mktemp("dev")
    schema = f"t_hw_{uuid.uuid4().hex[:12]}"
    dev = DevStack(
        folder / "data",
        free_port(),
        folder / "dev.log",
        "--database-url",
        database_url,
        env={
            "EQUEUE_SCHEMA": schema,
            "EQUEUE_QUEUES": "default",
            "EQUEUE_ALLOW_UNKNOWN_TASKS": "true",
            "EQUEUE_RATE_LIMIT_PER_SECOND": "1000000",
            "EQUEUE_RATE_LIMIT_BURST": "1000000",
        },
    )
    try:
        headers = {"x-api-key": dev.wait_ready()}
        with httpx.Client(base_url=dev.base, headers=headers, timeout=30) as api:
            key = api.post("/v1/keys", json={"scopes": ["work"], "name": "example workers"})
            assert key.status_code == 201, key.text
            yield Stack(dev, api, key.json()["key"])
        assert dev.stop() == 0
        assert "Traceback" not in dev.output()
    finally:
        if dev.process.poll() is None:
            dev.process.kill()
            dev.process.wait(10)
        asyncio.run(_drop_schema(database_url, schema))


def finished(process: subprocess.Popen[bytes], log: Path, timeout: float = 120) -> str:
    """Wait for a worker to exit on its own, successfully; its output."""
    try:
        code = process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise AssertionError(f"the worker did not finish:\n{log.read_text()[-3000:]}") from None
    output = log.read_text()
    assert code == 0, output[-3000:]
    return output


@pytest.mark.parametrize("kind", sorted(WORKERS))
def test_an_example_worker_processes_1000_jobs(stack: Stack, kind: str, tmp_path: Path) -> None:
    queue = unique(f"{kind}-")
    ids = stack.enqueue(
        queue, [{"type": "example.square", "payload": {"n": n}} for n in range(JOBS)]
    )

    log = tmp_path / "worker.log"
    worker = stack.worker(kind, queue, log=log, WAIT="1", EXIT_WHEN_IDLE="1", WORKER=f"{kind}-1")
    finished(worker, log)

    done = stack.jobs(queue, "succeeded")
    assert sorted(job["id"] for job in done) == sorted(ids)
    assert all(job["result"] == {"square": job["payload"]["n"] ** 2} for job in done)
    assert {job["attempts"] for job in done} == {1}


@pytest.mark.parametrize("kind", sorted(WORKERS))
def test_an_example_workers_stale_completion_is_refused(
    stack: Stack, kind: str, tmp_path: Path
) -> None:
    queue = unique(f"{kind}-stale-")
    [job_id] = stack.enqueue(queue, [{"type": "example.square", "payload": {"n": 2}}])

    log = tmp_path / "worker.log"
    output = finished(stack.worker(kind, queue, "stale-demo", log=log), log)

    assert f"complete of {job_id} refused: 409 lease_lost" in output
    assert "its attempt 1 under this token ended lease_expired" in output
    job = stack.api.get(f"/v1/jobs/{job_id}").json()
    assert (job["status"], job["result"]) == ("succeeded", "on time")
    first, second = job["attempt_history"]
    assert (first["outcome"], second["outcome"]) == ("lease_expired", "succeeded")
    assert first["lease_token"] != second["lease_token"]


def test_a_worker_killed_mid_job_loses_it_to_another(stack: Stack, tmp_path: Path) -> None:
    queue = unique("killed-")
    [job_id] = stack.enqueue(queue, [{"type": "example.sleep", "payload": {"seconds": 2}}])
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    # A short lease, renewed every third of it while the job runs.
    first = stack.worker("node", queue, log=first_log, WORKER="first", LEASE="2", WAIT="1")
    second: subprocess.Popen[bytes] | None = None
    try:
        _wait_for_text(first_log, f"started {job_id}")
        first.kill()  # mid-job: no report, no more heartbeats
        first.wait(10)
        second = stack.worker("node", queue, log=second_log, WORKER="second", LEASE="10", WAIT="1")
        job = stack.wait_for(job_id, "succeeded")
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(30)

    assert job["result"] == {"slept": 2}
    history = job["attempt_history"]
    assert [(a["number"], a["outcome"], a["worker"]) for a in history] == [
        (1, "lease_expired", "http:first"),
        # A first lost lease is not counted (the job becomes a suspect; docs/states.md).
        (1, "succeeded", "http:second"),
    ]
    # The first worker's report, had it come late: refused, and the history says why.
    late = httpx.post(
        f"{stack.dev.base}/v1/jobs/{job_id}/complete",
        headers={"x-api-key": stack.work_key},
        json={"token": history[0]["lease_token"], "result": "late"},
    )
    message = assert_error(late, 409, "lease_lost")
    assert "its attempt 1 under this token ended lease_expired" in message
    assert "the job is succeeded now" in message
    assert stack.api.get(f"/v1/jobs/{job_id}").json()["result"] == {"slept": 2}


def _wait_for_text(log: Path, text: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while text not in (log.read_text() if log.exists() else ""):
        assert time.monotonic() < deadline, log.read_text() if log.exists() else "no output"
        time.sleep(0.02)
