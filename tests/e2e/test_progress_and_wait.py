"""Progress and results on demand over HTTP: a real uvicorn process, a real worker
process reporting progress, real PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import websockets

from tests.e2e.test_api_http import Server, assert_error, stop, unique
from tests.e2e.test_api_workers import claim, enqueue, key_with

pytestmark = pytest.mark.e2e

WORKER = """
import asyncio, os
from equeue import Queue, WorkerSettings, progress, run_worker
queue = Queue(os.environ["DSN"], schema=os.environ["SCHEMA"])

@queue.task(name="wait.steps")
async def steps(n: int, pause: float):
    for i in range(n):
        await asyncio.sleep(pause)
        progress((i + 1) / n, f"step {i + 1} of {n}")
    return n

asyncio.run(run_worker(queue, WorkerSettings(concurrency=4, poll_interval=0.2,
            queues=[os.environ["QUEUE"]])))
"""


@pytest.fixture
def worker_queue(server: Server) -> Iterator[str]:
    """A queue of its own, served by a worker process that knows ``wait.steps``."""
    queue = unique("wq")
    env = {**os.environ, "DSN": server.dsn, "SCHEMA": server.schema, "QUEUE": queue}
    process = subprocess.Popen([sys.executable, "-c", WORKER], env=env)
    try:
        yield queue
    finally:
        stop(process)


async def enqueue_steps(api: httpx.AsyncClient, queue: str, n: int, pause: float) -> str:
    """Enqueue ``wait.steps`` once the worker has registered it."""
    deadline = time.monotonic() + 30
    while True:
        body = {"type": "wait.steps", "queue": queue, "payload": {"n": n, "pause": pause}}
        response = await api.post("/v1/jobs", json=body)
        if response.status_code == 201:
            job_id: str = response.json()["id"]
            return job_id
        assert time.monotonic() < deadline, response.text  # unknown task: not registered yet
        await asyncio.sleep(0.1)


async def test_progress_from_a_real_worker_reaches_the_api_and_the_events_socket(
    server: Server, api: httpx.AsyncClient, worker_queue: str
) -> None:
    token = (await api.post("/v1/events/token")).json()["token"]
    url = server.url.replace("http", "ws") + f"/v1/events?queue={worker_queue}&token={token}"
    async with websockets.connect(url) as socket_:
        job_id = await enqueue_steps(api, worker_queue, n=4, pause=0.7)
        reported: list[dict[str, Any]] = []
        statuses: list[str] = []
        deadline = time.monotonic() + 30
        while "succeeded" not in statuses:
            frame = json.loads(await asyncio.wait_for(socket_.recv(), deadline - time.monotonic()))
            for event in frame["events"]:
                assert event["job_id"] == job_id
                if "progress" in event:
                    assert event["status"] == "running"
                    reported.append(event["progress"])
                else:
                    statuses.append(event["status"])
        job = (await api.get(f"/v1/jobs/{job_id}")).json()
    fractions = [p["fraction"] for p in reported]
    # Steps 0.7 s apart, beyond the half-second throttle: each one is written and sent.
    assert fractions == [0.25, 0.5, 0.75, 1.0]
    assert reported[-1]["message"] == "step 4 of 4" and reported[-1]["attempt"] == 1
    assert job["status"] == "succeeded"
    assert (job["progress"]["fraction"], job["progress"]["message"]) == (1.0, "step 4 of 4")


async def test_wait_returns_as_soon_as_the_job_finishes(
    api: httpx.AsyncClient, worker_queue: str
) -> None:
    job_id = await enqueue_steps(api, worker_queue, n=2, pause=0.5)
    started = time.monotonic()
    response = await api.get(f"/v1/jobs/{job_id}", params={"wait": 50}, timeout=60)
    elapsed = time.monotonic() - started
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "succeeded"
    assert elapsed < 25  # the job takes about a second; the wait allowed 50


async def test_a_wait_that_runs_out_answers_the_unfinished_job(api: httpx.AsyncClient) -> None:
    job_id = await enqueue(api, unique("idle"))  # a queue no worker serves
    started = time.monotonic()
    response = await api.get(f"/v1/jobs/{job_id}", params={"wait": 1})
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "queued"
    assert time.monotonic() - started >= 1


async def test_a_wait_beyond_the_cap_is_refused(api: httpx.AsyncClient) -> None:
    job_id = await enqueue(api, unique("idle"))
    for wait in ("61", "-1", "soon"):
        response = await api.get(f"/v1/jobs/{job_id}", params={"wait": wait})
        message = assert_error(response, 422)
        assert "wait" in message
    missing = await api.get("/v1/jobs/00000000-0000-7000-8000-000000000000", params={"wait": 1})
    assert_error(missing, 404)


async def test_http_workers_report_progress_with_their_heartbeat(
    server: Server, api: httpx.AsyncClient
) -> None:
    queue, worker = unique("hq"), unique("w")
    job_id = await enqueue(api, queue)
    async with server.client(await key_with(api, "work")) as worker_api:
        [job] = await claim(worker_api, queue, worker)

        async def beat(**body: Any) -> httpx.Response:
            return await worker_api.post(
                f"/v1/jobs/{job_id}/heartbeat",
                params={"worker": worker},
                json={"token": job["lease_token"], **body},
            )

        assert (await beat(progress=0.3, message="a third")).status_code == 200
        shown = (await api.get(f"/v1/jobs/{job_id}")).json()["progress"]
        assert (shown["fraction"], shown["message"]) == (0.3, "a third")
        assert "progress" in assert_error(await beat(progress=1.5), 422)
        assert "message" in assert_error(await beat(progress=0.5, message="x" * 501), 422)
        assert (await beat()).status_code == 200  # a plain heartbeat leaves it as it is
        stale = await worker_api.post(
            f"/v1/jobs/{job_id}/heartbeat",
            params={"worker": worker},
            json={"token": "00000000-0000-4000-8000-000000000000", "progress": 0.9},
        )
        assert_error(stale, 409)
    shown = (await api.get(f"/v1/jobs/{job_id}")).json()["progress"]
    assert (shown["fraction"], shown["message"]) == (0.3, "a third")
