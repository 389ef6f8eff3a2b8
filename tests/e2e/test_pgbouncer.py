"""API and workers through a real PgBouncer in transaction mode, LISTEN on a direct
connection beside it (docs/deploy.md, *PgBouncer*): `equeue migrate`, `equeue api` and
`equeue worker`, as an operator would run them, with the settings the docs give."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from bench.pgbouncer import PgBouncer, free_port

from tests.e2e.serving import wait_until_serving
from tests.e2e.test_api_http import _drop_schema

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
KEY = "pgbouncer-test-key-" + uuid.uuid4().hex
JOBS = 30


@pytest.fixture(scope="module")
def bouncer(database_url: str) -> Iterator[PgBouncer]:
    with PgBouncer(database_url, pool_size=5) as running:
        yield running


@pytest.fixture(scope="module")
def environment(
    bouncer: PgBouncer, database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, str]]:
    schema = f"t_pgb_{uuid.uuid4().hex[:12]}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("EQUEUE_")}
    env.update(
        EQUEUE_DATABASE_URL=bouncer.url(),
        EQUEUE_DIRECT_DATABASE_URL=database_url,
        EQUEUE_TRANSACTION_POOLER="true",
        EQUEUE_SCHEMA=schema,
        EQUEUE_API_KEY=KEY,
        EQUEUE_EVENTS_BATCH_SECONDS="0.05",
        EQUEUE_E2E_DIR=str(tmp_path_factory.mktemp("evidence")),
        PYTHONPATH=str(ROOT),
    )
    try:
        yield env
    finally:
        asyncio.run(_drop_schema(database_url, schema))


def equeue(env: dict[str, str], *args: str, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "equeue", *args], env=env, stdout=out, stderr=subprocess.STDOUT
        )


@dataclass
class Stack:
    url: str
    worker: subprocess.Popen[bytes]
    log: Path


@pytest.fixture(scope="module")
def stack(environment: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """`equeue migrate`, then `equeue api` and `equeue worker`, all through PgBouncer."""
    log = tmp_path_factory.mktemp("logs") / "processes.log"
    migrate = equeue(environment, "migrate", log=log)
    assert migrate.wait(60) == 0, log.read_text()
    port = free_port()
    server = equeue(environment, "api", "--port", str(port), log=log)
    worker = equeue(environment, "worker", "tests.e2e.worker_app:queue", log=log)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(server, f"{url}/readyz", log=log)
        yield Stack(url, worker, log)
    finally:
        for process in (worker, server):
            process.terminate()
        for process in (worker, server):
            process.wait(30)


@pytest.fixture
async def api(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=stack.url, headers={"x-api-key": KEY}) as client:
        await _until_the_worker_is_known(client, stack.worker, stack.log)
        yield client


async def _until_the_worker_is_known(
    client: httpx.AsyncClient, worker: subprocess.Popen[bytes], log: Path
) -> None:
    deadline = time.monotonic() + 30
    while not (await client.get("/v1/tasks")).json()["items"]:
        assert worker.poll() is None, log.read_text()
        assert time.monotonic() < deadline, log.read_text()
        await asyncio.sleep(0.1)


async def _finished(client: httpx.AsyncClient, job_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while True:
        job = (await client.get(f"/v1/jobs/{job_id}")).json()
        if job["status"] in ("succeeded", "failed"):
            return dict(job)
        assert time.monotonic() < deadline, job
        await asyncio.sleep(0.05)


async def test_jobs_posted_through_pgbouncer_all_succeed_and_their_events_arrive(
    api: httpx.AsyncClient, bouncer: PgBouncer
) -> None:
    url = str(api.base_url).replace("http", "ws") + "/v1/events?queue=default"
    async with websockets.connect(url, additional_headers={"x-api-key": KEY}) as events:
        posted = await asyncio.gather(
            *(
                api.post("/v1/jobs", json={"type": "e2e.record", "payload": {"n": n}})
                for n in range(JOBS)
            )
        )
        assert {p.status_code for p in posted} == {201}
        ids = {p.json()["id"] for p in posted}
        done = [await _finished(api, job_id) for job_id in ids]
        assert {job["status"] for job in done} == {"succeeded"}
        assert sorted(job["result"] for job in done) == list(range(JOBS))
        # Events come from the API's LISTEN connection, which goes to PostgreSQL directly.
        succeeded: set[str] = set()
        deadline = time.monotonic() + 30
        while succeeded != ids:
            frame = json.loads(await asyncio.wait_for(events.recv(), deadline - time.monotonic()))
            succeeded |= {e["job_id"] for e in frame["events"] if e["status"] == "succeeded"}
    # The API's and the worker's pools (and the heartbeat) came through PgBouncer.
    assert bouncer.logins() >= 3, bouncer.logged()


async def test_an_idle_worker_is_still_handed_single_jobs_directly(
    api: httpx.AsyncClient,
) -> None:
    # A hand-off needs the worker's offer, which names its LISTEN connection's backend:
    # only a connection to PostgreSQL itself has one an enqueue can check.
    statuses = []
    for n in range(20):
        job = (await api.post("/v1/jobs", json={"type": "e2e.record", "payload": {"n": n}})).json()
        statuses.append(job["status"])
        assert (await _finished(api, job["id"]))["status"] == "succeeded"
        if job["status"] == "running":
            break
    assert "running" in statuses, statuses
