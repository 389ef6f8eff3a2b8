"""The REST API over HTTP: a real uvicorn process, real workers, real PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg
import httpx
import pytest
import websockets
from prometheus_client.parser import text_string_to_metric_families
from websockets.exceptions import InvalidStatus

from equeue import Queue
from tests.conftest import storage_of
from tests.e2e.serving import wait_until_serving

pytestmark = pytest.mark.e2e
ADMIN_KEY = "test-admin-key-" + uuid.uuid4().hex

SERVER = """
import os, pathlib, uvicorn
from equeue import Queue
from equeue.api import ApiSettings, create_app
queue = Queue(os.environ["DSN"], schema=os.environ["SCHEMA"])
bundle = os.environ.get("DASHBOARD_DIR")
app = create_app(queue, ApiSettings(), dashboard=pathlib.Path(bundle) if bundle else True)
uvicorn.run(app, host="127.0.0.1", port=int(os.environ["PORT"]), log_level="warning")
"""

WORKER = """
import asyncio, os
from equeue import Queue, WorkerSettings, run_worker
queue = Queue(os.environ["DSN"], schema=os.environ["SCHEMA"])

@queue.task(name="api.echo")
async def echo(**payload):
    return payload

@queue.task(name="api.slow")
async def slow(seconds: float = 1.0):
    await asyncio.sleep(seconds)
    return "slept"

@queue.task(name="api.boom", max_attempts=1)
async def boom():
    raise RuntimeError("boom")

asyncio.run(run_worker(queue, WorkerSettings(concurrency=4, poll_interval=0.2,
            queues=os.environ.get("QUEUES", "default").split(","))))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    url: str
    dsn: str
    schema: str
    process: subprocess.Popen[bytes]

    def client(self, key: str | None = ADMIN_KEY) -> httpx.AsyncClient:
        headers = {"x-api-key": key} if key else {}
        return httpx.AsyncClient(base_url=self.url, headers=headers, timeout=30)


def start_server(dsn: str, schema: str, **env: str) -> Server:
    port = free_port()
    environment = {
        **os.environ,
        "DSN": dsn,
        "SCHEMA": schema,
        "PORT": str(port),
        "EQUEUE_API_KEY": ADMIN_KEY,
        "EQUEUE_EVENTS_BATCH_SECONDS": "0.05",
        **env,
    }
    process = subprocess.Popen([sys.executable, "-c", SERVER], env=environment)
    url = f"http://127.0.0.1:{port}"
    wait_until_serving(process, f"{url}/readyz")
    return Server(url, dsn, schema, process)


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


async def _migrated_schema(dsn: str, schema: str) -> None:
    queue = Queue(dsn, schema=schema)
    async with queue:
        await queue.migrate()
        storage = await storage_of(queue)
        await storage.register_tasks(
            [
                ("api.echo", "default", 0, 5, None),
                ("api.slow", "default", 0, 5, None),
                ("api.boom", "default", 0, 1, None),
            ]
        )


async def _drop_schema(dsn: str, schema: str) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        await connection.close()


def spawn(script: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", script], env=env)


def start_worker(server: Server, queues: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DSN": server.dsn, "SCHEMA": server.schema, "QUEUES": queues}
    return subprocess.Popen([sys.executable, "-c", WORKER], env=env)


async def wait_for(api: httpx.AsyncClient, job_id: str, *statuses: str) -> dict[str, Any]:
    deadline = time.monotonic() + 20
    while True:
        job: dict[str, Any] = (await api.get(f"/v1/jobs/{job_id}")).json()
        if job["status"] in statuses:
            return job
        assert time.monotonic() < deadline, f"job stayed {job['status']}, wanted {statuses}"
        await asyncio.sleep(0.05)


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:8]}"


def assert_error(response: httpx.Response, status: int, code: str | None = None) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}, body
    if code is not None:
        assert body["error"]["code"] == code, body
    message: str = body["error"]["message"]
    assert message
    return message


# --- jobs -------------------------------------------------------------------------------


async def test_enqueue_returns_the_job_with_every_field(api: httpx.AsyncClient) -> None:
    queue = unique("q")
    response = await api.post(
        "/v1/jobs",
        json={"type": "api.echo", "payload": {"text": "hi"}, "queue": queue, "tags": ["a"]},
    )
    assert response.status_code == 201, response.text
    job = response.json()
    assert job["type"] == "api.echo"
    assert job["payload"] == {"text": "hi"}
    assert job["queue"] == queue
    assert job["status"] == "queued"
    assert job["tags"] == ["a"]
    assert job["deduplicated"] is False
    assert job["cancel_requested"] is False
    assert job["created_at"].endswith("Z")
    assert job["scheduled_at"].endswith("Z")
    uuid.UUID(job["id"])
    detail = (await api.get(f"/v1/jobs/{job['id']}")).json()
    assert detail["attempt_history"] == []
    assert detail["id"] == job["id"]


async def test_only_type_is_required(api: httpx.AsyncClient) -> None:
    response = await api.post("/v1/jobs", json={"type": "api.echo"})
    assert response.status_code == 201
    assert response.json()["payload"] == {}
    assert response.json()["queue"] == "default"


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"type": "api.echo", "priority": 101}, "priority"),
        ({"type": "api.echo", "tags": [f"t{i}" for i in range(21)]}, "at most 20 items"),
        ({"type": "api.echo", "tags": ["x" * 65]}, "64 characters"),
        ({"type": "api.echo", "delay": 5, "run_at": "2030-01-01T00:00:00Z"}, "either"),
        ({"type": "no.such.task"}, "no worker has registered"),
        ({"payload": {}}, "type"),
        ({"type": "api.echo", "surprise": 1}, "surprise"),
        ({"type": "api.echo", "payload": {"x": "y" * (1024 * 1024)}}, "1048576 bytes"),
    ],
)
async def test_bad_jobs_are_refused_with_a_message(
    api: httpx.AsyncClient, body: dict[str, Any], fragment: str
) -> None:
    response = await api.post("/v1/jobs", json=body)
    assert fragment in assert_error(response, 422)


@pytest.mark.parametrize(
    ("method", "path", "request_options", "fragment"),
    [
        ("POST", "/v1/jobs", {"json": {"type": "api.echo", "priority": True}}, "priority"),
        ("POST", "/v1/jobs", {"json": {"type": "api.echo", "delay": False}}, "delay"),
        ("POST", "/v1/jobs", {"json": {"type": "api.echo", "max_attempts": "5"}}, "max_attempts"),
        ("POST", "/v1/jobs", {"json": {"type": "api.echo", "queue": "q\n"}}, "queue"),
        ("POST", "/v1/jobs", {"json": {"type": "api.echo", "tags": ["a\u0000"]}}, "tags.0"),
        ("POST", "/v1/keys", {"json": {"scopes": []}}, "scopes: List should have at least 1"),
        ("POST", "/v1/keys", {"json": {"scopes": ["root"]}}, "unknown scope 'root'"),
        ("GET", "/v1/jobs", {"params": {"limit": 501}}, "limit: Input should be less than"),
        ("GET", "/v1/jobs", {"params": {"queue": "no spaces"}}, "queue: String should match"),
        ("DELETE", "/v1/jobs", {"params": {"status": "queued"}}, "only finished jobs"),
    ],
)
async def test_out_of_bounds_input_is_refused_naming_the_field(
    api: httpx.AsyncClient,
    method: str,
    path: str,
    request_options: dict[str, Any],
    fragment: str,
) -> None:
    response = await api.request(method, path, **request_options)
    assert fragment in assert_error(response, 422, "invalid")


async def test_oversized_body_is_413_naming_the_limit(api: httpx.AsyncClient) -> None:
    body = {"type": "api.echo", "payload": {"x": "y" * (2 * 1024 * 1024)}}
    message = assert_error(await api.post("/v1/jobs", json=body), 413, "too_large")
    assert "limit" in message


async def test_malformed_json_and_unknown_routes_answer_json_errors(
    api: httpx.AsyncClient,
) -> None:
    bad = await api.post(
        "/v1/jobs", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert_error(bad, 422)
    assert_error(await api.get("/v1/nothing-here"), 404)
    assert_error(await api.put("/v1/jobs"), 405)
    assert_error(await api.get("/v1/jobs/not-a-uuid"), 404)
    assert_error(await api.get(f"/v1/jobs/{uuid.uuid4()}"), 404, "not_found")


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("OPTIONS", "/v1/jobs", "DELETE, GET, POST"),
        ("PUT", "/v1/jobs/01a23b3f-26c8-7205-ba03-a23651a8c527", "DELETE, GET"),
        ("GET", "/v1/jobs/batch", "POST"),
        ("DELETE", "/v1/jobs/batch", "POST"),
        ("PATCH", "/v1/keys", "GET, POST"),
    ],
)
async def test_an_undeclared_method_is_405_naming_every_method_of_the_path(
    api: httpx.AsyncClient, method: str, path: str, allowed: str
) -> None:
    response = await api.request(method, path)
    assert_error(response, 405, "method_not_allowed")
    assert response.headers["allow"] == allowed


async def test_dedupe_under_50_concurrent_identical_requests(api: httpx.AsyncClient) -> None:
    key = unique("dedupe-")
    body = {"type": "api.echo", "queue": unique("q"), "payload": {"n": 1}}
    responses = await asyncio.gather(
        *(api.post("/v1/jobs", json=body, headers={"Idempotency-Key": key}) for _ in range(50))
    )
    ids = {r.json()["id"] for r in responses}
    assert len(ids) == 1
    assert sorted(r.status_code for r in responses) == [200] * 49 + [201]
    assert sum(r.json()["deduplicated"] for r in responses) == 49
    # Another request under the same key is refused, naming the key's job.
    other = await api.post(
        "/v1/jobs", json={**body, "dedupe_key": unique("k")}, headers={"Idempotency-Key": key}
    )
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert ids.pop() in other.json()["error"]["message"]


async def test_batch_is_all_or_nothing(api: httpx.AsyncClient) -> None:
    queue = unique("q")
    good = {"type": "api.echo", "queue": queue}
    response = await api.post("/v1/jobs/batch", json={"jobs": [good, good, good]})
    assert response.status_code == 201
    assert len(response.json()["items"]) == 3
    bad = await api.post("/v1/jobs/batch", json={"jobs": [good, {**good, "priority": 500}]})
    assert "jobs.1.priority" in assert_error(bad, 422)
    page = (await api.get("/v1/jobs", params={"queue": queue})).json()
    assert len(page["items"]) == 3
    too_many = await api.post("/v1/jobs/batch", json={"jobs": [good] * 1001})
    assert "at most 1000" in assert_error(too_many, 422)


async def test_list_is_newest_first_with_a_stable_cursor(api: httpx.AsyncClient) -> None:
    queue = unique("q")
    made = [
        (await api.post("/v1/jobs", json={"type": "api.echo", "queue": queue})).json()["id"]
        for _ in range(5)
    ]
    first = (await api.get("/v1/jobs", params={"queue": queue, "limit": 2})).json()
    assert [j["id"] for j in first["items"]] == made[::-1][:2]
    await api.post("/v1/jobs", json={"type": "api.echo", "queue": queue})  # added meanwhile
    rest = (
        await api.get(
            "/v1/jobs", params={"queue": queue, "limit": 10, "cursor": first["next_cursor"]}
        )
    ).json()
    assert [j["id"] for j in rest["items"]] == made[::-1][2:]
    assert rest["next_cursor"] is None
    filtered = await api.get("/v1/jobs", params={"queue": queue, "status": "failed"})
    assert filtered.json()["items"] == []
    assert_error(await api.get("/v1/jobs", params={"limit": 501}), 422)
    assert_error(await api.get("/v1/jobs", params={"status": "lost"}), 422)


async def test_cancel_retry_delete_and_conflicts(api: httpx.AsyncClient) -> None:
    queue = unique("q")
    job = (await api.post("/v1/jobs", json={"type": "api.echo", "queue": queue})).json()
    cancelled = await api.post(f"/v1/jobs/{job['id']}/cancel")
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert_error(await api.post(f"/v1/jobs/{job['id']}/cancel"), 409, "conflict")
    retried = await api.post(f"/v1/jobs/{job['id']}/retry")
    assert retried.status_code == 200
    assert retried.json()["status"] == "queued"
    assert_error(await api.post(f"/v1/jobs/{job['id']}/retry"), 409)
    assert (await api.delete(f"/v1/jobs/{job['id']}")).status_code == 204
    assert_error(await api.get(f"/v1/jobs/{job['id']}"), 404)
    assert_error(await api.delete(f"/v1/jobs/{job['id']}"), 404)
    assert_error(await api.post(f"/v1/jobs/{uuid.uuid4()}/cancel"), 404)


async def test_purge_deletes_finished_jobs_only(api: httpx.AsyncClient) -> None:
    queue = unique("q")
    ids = [
        (await api.post("/v1/jobs", json={"type": "api.echo", "queue": queue})).json()["id"]
        for _ in range(3)
    ]
    await api.post(f"/v1/jobs/{ids[0]}/cancel")
    purged = await api.delete("/v1/jobs", params={"status": "cancelled", "queue": queue})
    assert purged.json() == {"deleted": 1}
    assert_error(await api.delete("/v1/jobs", params={"status": "queued", "queue": queue}), 422)
    left = (await api.get("/v1/jobs", params={"queue": queue})).json()["items"]
    assert sorted(j["id"] for j in left) == sorted(ids[1:])


# --- with workers -----------------------------------------------------------------------


async def test_events_socket_sees_queued_running_succeeded(server: Server) -> None:
    queue = unique("ev")
    async with server.client() as api:
        token = (await api.post("/v1/events/token")).json()["token"]
        url = server.url.replace("http", "ws") + f"/v1/events?queue={queue}&token={token}"
        async with websockets.connect(url) as socket_:
            job = (await api.post("/v1/jobs", json={"type": "api.echo", "queue": queue})).json()
            worker = start_worker(server, queue)
            try:
                seen: list[str] = []
                deadline = time.monotonic() + 30
                while "succeeded" not in seen:
                    timeout = deadline - time.monotonic()
                    frame = json.loads(await asyncio.wait_for(socket_.recv(), timeout))
                    for event in frame["events"]:
                        assert event["job_id"] == job["id"]
                        assert event["queue"] == queue
                        assert event["type"] == "api.echo"
                        assert event["at"].endswith("Z")
                        seen.append(event["status"])
                assert seen == ["queued", "running", "succeeded"]
                done = await wait_for(api, job["id"], "succeeded")
                assert [a["outcome"] for a in done["attempt_history"]] == ["succeeded"]
                workers = (await api.get("/v1/workers")).json()["items"]
                mine = [w for w in workers if w["queues"] == [queue]]
                assert mine
                assert mine[0]["concurrency"] == 4
                assert mine[0]["pid"] == worker.pid
                tasks = {t["name"] for t in (await api.get("/v1/tasks")).json()["items"]}
                assert {"api.echo", "api.slow", "api.boom"} <= tasks
            finally:
                stop(worker)


async def test_no_job_names_a_worker_the_worker_list_does_not_show(server: Server) -> None:
    queue = unique("listed")
    workers_table = f'"{server.schema}".workers'
    async with server.client() as api:
        batch = [{"type": "api.slow", "queue": queue, "payload": {"seconds": 0.1}}] * 12
        response = await api.post("/v1/jobs/batch", json={"jobs": batch})
        assert response.status_code == 201, response.text
        unchecked = {job["id"] for job in response.json()["items"]}
        blocker = await asyncpg.connect(server.dsn)
        worker = start_worker(server, queue)
        try:
            # While the worker cannot be listed (its row is locked out), it claims nothing.
            async with blocker.transaction():
                await blocker.execute(f"LOCK TABLE {workers_table} IN SHARE ROW EXCLUSIVE MODE")
                await wait_until_blocked(blocker, workers_table)
                window = time.monotonic() + 1.0
                while time.monotonic() < window:
                    page = (await api.get("/v1/jobs", params={"queue": queue})).json()["items"]
                    assert not [j for j in page if j["attempts"]], "claimed while unlisted"
                    await asyncio.sleep(0.1)
            deadline = time.monotonic() + 30
            while unchecked:
                assert time.monotonic() < deadline, f"{len(unchecked)} jobs never started"
                page = (await api.get("/v1/jobs", params={"queue": queue})).json()["items"]
                for started in [j for j in page if j["attempts"] and j["id"] in unchecked]:
                    job = (await api.get(f"/v1/jobs/{started['id']}")).json()
                    # Read after the job: a worker that ran it must be listed by now...
                    workers = (await api.get("/v1/workers")).json()["items"]
                    listed = {w["id"]: moment(w["started_at"]) for w in workers}
                    for attempt in job["attempt_history"]:
                        assert attempt["worker"] in listed, "a job ran on an unlisted worker"
                        # ... and was listed before it claimed anything.
                        assert listed[attempt["worker"]] <= moment(attempt["started_at"])
                    unchecked.discard(job["id"])
                await asyncio.sleep(0.05)  # polling pace, under the key's rate limit
        finally:
            stop(worker)
            await blocker.close()


async def wait_until_blocked(connection: asyncpg.Connection, table: str) -> None:
    """Until some other session waits for a lock on ``table``."""
    deadline = time.monotonic() + 30
    while not await connection.fetchval(
        "SELECT count(*) FROM pg_locks WHERE relation = $1::regclass AND NOT granted", table
    ):
        assert time.monotonic() < deadline, f"nobody came to write {table}"
        await asyncio.sleep(0.02)


async def test_events_socket_refuses_without_credentials(server: Server) -> None:
    url = server.url.replace("http", "ws") + "/v1/events"
    for suffix in ("", "?token=forged.token"):
        with pytest.raises(InvalidStatus):
            async with websockets.connect(url + suffix):
                pass
    async with websockets.connect(url, additional_headers={"x-api-key": ADMIN_KEY}):
        pass


async def test_pause_resume_dlq_replay_queue_stats_and_metrics(server: Server) -> None:
    paused, other = unique("p"), unique("o")
    async with server.client() as api:
        assert (await api.post(f"/v1/queues/{paused}/pause")).json() == {
            "name": paused,
            "paused": True,
        }
        held = (await api.post("/v1/jobs", json={"type": "api.echo", "queue": paused})).json()
        goes = (await api.post("/v1/jobs", json={"type": "api.echo", "queue": other})).json()
        boom = (
            await api.post("/v1/jobs", json={"type": "api.boom", "queue": other, "max_attempts": 1})
        ).json()
        worker = start_worker(server, f"{paused},{other}")
        try:
            await wait_for(api, goes["id"], "succeeded")
            failed = await wait_for(api, boom["id"], "failed")
            assert "boom" in failed["last_error"]
            assert (await api.get(f"/v1/jobs/{held['id']}")).json()["status"] == "queued"
            queues = {q["name"]: q for q in (await api.get("/v1/queues")).json()["items"]}
            assert queues[paused]["paused"] is True
            assert queues[paused]["counts"]["queued"] == 1
            assert queues[paused]["oldest_queued_age_seconds"] >= 0
            assert queues[other]["counts"]["succeeded"] == 1
            assert queues[other]["completed_per_second"] == pytest.approx(1 / 60)
            assert queues[other]["failed_per_second"] == pytest.approx(1 / 60)
            resumed = await api.post(f"/v1/queues/{paused}/resume")
            assert resumed.json()["paused"] is False
            await wait_for(api, held["id"], "succeeded")

            replay = await api.post("/v1/replay-dlq", params={"queue": other, "limit": 10})
            assert replay.json() == {"replayed": 1}
            again = await wait_for(api, boom["id"], "failed")
            assert len(again["attempt_history"]) == 2  # history kept across the replay

            # Workers add their counts to the fleet-wide statistics every few seconds.
            failed_key = ("equeue_jobs_failed_total", (("queue", other), ("task", "api.boom")))
            deadline = asyncio.get_running_loop().time() + 15
            while True:
                metrics = await api.get("/metrics")
                assert metrics.status_code == 200
                samples = {
                    (s.name, tuple(sorted(s.labels.items()))): s.value
                    for family in text_string_to_metric_families(metrics.text)
                    for s in family.samples
                }
                if samples.get(failed_key) == 2 or asyncio.get_running_loop().time() > deadline:
                    break
                await asyncio.sleep(0.2)
            assert (
                samples[("equeue_jobs_enqueued_total", (("queue", other), ("task", "api.echo")))]
                == 1
            )
            assert (
                samples[("equeue_jobs_succeeded_total", (("queue", paused), ("task", "api.echo")))]
                == 1
            )
            assert (
                samples[("equeue_jobs_failed_total", (("queue", other), ("task", "api.boom")))] == 2
            )
            assert (
                samples[
                    ("equeue_api_jobs_enqueued_total", (("queue", other), ("task", "api.boom")))
                ]
                == 1
            )
            run_count = ("equeue_job_run_seconds_count", (("queue", other), ("task", "api.echo")))
            assert samples[run_count] == 1
            wait_inf = (
                "equeue_job_wait_seconds_bucket",
                (("le", "+Inf"), ("queue", other), ("task", "api.boom")),
            )
            assert samples[wait_inf] == 2
            assert samples[("equeue_jobs", (("queue", other), ("status", "failed")))] == 1
            assert samples[("equeue_workers_alive", ())] >= 1
        finally:
            stop(worker)
        assert_error(await api.post("/v1/queues/bad name!/pause"), 422)


async def test_running_job_cancel_is_requested_then_done(server: Server) -> None:
    queue = unique("c")
    async with server.client() as api:
        job = (
            await api.post(
                "/v1/jobs", json={"type": "api.slow", "queue": queue, "payload": {"seconds": 30}}
            )
        ).json()
        worker = start_worker(server, queue)
        try:
            await wait_for(api, job["id"], "running")
            assert_error(await api.delete(f"/v1/jobs/{job['id']}"), 409)
            asked = (await api.post(f"/v1/jobs/{job['id']}/cancel")).json()
            assert asked["cancel_requested"] is True
            assert asked["status"] in ("running", "cancelled")
            await wait_for(api, job["id"], "cancelled")
        finally:
            stop(worker)


MOUNTED = """
import os, uvicorn
from fastapi import FastAPI
from equeue import Queue
from equeue.api import create_router, lifespan
queue = Queue(os.environ["DSN"], schema=os.environ["SCHEMA"])
app = FastAPI(lifespan=lifespan(queue))

@app.get("/own")
async def own() -> dict[str, str]:
    return {"app": "mine"}

app.include_router(create_router(queue), prefix="/queue")
uvicorn.run(app, host="127.0.0.1", port=int(os.environ["PORT"]), log_level="warning")
"""


async def test_router_mounted_in_another_app_keeps_the_contract(server: Server) -> None:
    port = free_port()
    env = {
        **os.environ,
        "DSN": server.dsn,
        "SCHEMA": server.schema,
        "PORT": str(port),
        "EQUEUE_API_KEY": ADMIN_KEY,
    }
    process = spawn(MOUNTED, env)
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base, headers={"x-api-key": ADMIN_KEY}) as api:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if (await api.get("/queue/readyz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "mounted app did not start"
                await asyncio.sleep(0.1)
            assert (await api.get("/own")).json() == {"app": "mine"}
            made = await api.post("/queue/v1/jobs", json={"type": "api.echo"})
            assert made.status_code == 201
            got = await api.get(f"/queue/v1/jobs/{made.json()['id']}")
            assert got.json()["id"] == made.json()["id"]
            assert_error(
                await api.post("/queue/v1/jobs", json={"type": "api.echo", "priority": 1e9}), 422
            )
            assert_error(await api.get("/queue/v1/jobs", headers={"x-api-key": "wrong"}), 401)
            # Not a job id: a path the router does not have, so the app's own 404.
            assert (await api.get("/queue/v1/jobs/nope")).status_code == 404
            not_allowed = await api.request("OPTIONS", "/queue/v1/jobs")
            assert_error(not_allowed, 405, "method_not_allowed")
            assert not_allowed.headers["allow"] == "DELETE, GET, POST"
    finally:
        stop(process)
