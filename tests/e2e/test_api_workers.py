"""Workers over HTTP: claim, heartbeat, complete and fail against a real uvicorn server
on a real PostgreSQL, fenced by lease tokens like the engine's own workers."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from equeue import Queue
from tests.conftest import storage_of
from tests.e2e.test_api_http import Server, assert_error, unique

pytestmark = pytest.mark.e2e


async def key_with(api: httpx.AsyncClient, *scopes: str) -> str:
    response = await api.post("/v1/keys", json={"scopes": list(scopes)})
    assert response.status_code == 201, response.text
    key: str = response.json()["key"]
    return key


@pytest.fixture
async def worker_api(server: Server, api: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    async with server.client(await key_with(api, "work")) as client:
        yield client


async def enqueue(api: httpx.AsyncClient, queue: str, **fields: Any) -> str:
    body = {"type": "api.echo", "payload": {"n": 1}, "queue": queue, **fields}
    response = await api.post("/v1/jobs", json=body)
    assert response.status_code == 201, response.text
    job_id: str = response.json()["id"]
    return job_id


async def claim(
    client: httpx.AsyncClient, queue: str, worker: str, **params: Any
) -> list[dict[str, Any]]:
    response = await client.post(f"/v1/queues/{queue}/claim", params={"worker": worker, **params})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def listed_worker(api: httpx.AsyncClient, worker: str) -> dict[str, Any] | None:
    rows = (await api.get("/v1/workers")).json()["items"]
    return next((row for row in rows if row["id"] == f"http:{worker}"), None)


async def test_claim_heartbeat_complete_shows_the_result(
    api: httpx.AsyncClient, worker_api: httpx.AsyncClient
) -> None:
    queue, worker = unique("q"), unique("w")
    job_id = await enqueue(api, queue, payload={"text": "hi"})

    [job] = await claim(worker_api, queue, worker, limit=5, lease=20)
    assert job["id"] == job_id
    assert job["payload"] == {"text": "hi"}
    assert (job["type"], job["attempt"], job["lease_seconds"]) == ("api.echo", 1, 20)
    running = (await api.get(f"/v1/jobs/{job_id}")).json()
    assert running["status"] == "running"

    beat = await worker_api.post(
        f"/v1/jobs/{job_id}/heartbeat",
        params={"worker": worker},
        json={"token": job["lease_token"], "lease": 60},
    )
    assert beat.status_code == 200, beat.text
    assert beat.json() == {"id": job_id, "lease_seconds": 60.0, "cancel_requested": False}
    listed = await listed_worker(api, worker)
    assert listed is not None
    assert (listed["pid"], listed["host"], listed["running"]) == (0, "127.0.0.1", 1)
    assert listed["queues"] == [queue]

    done = await worker_api.post(
        f"/v1/jobs/{job_id}/complete",
        json={"token": job["lease_token"], "result": {"reversed": "ih"}},
    )
    assert done.status_code == 200, done.text
    assert done.json() == {"id": job_id, "status": "succeeded"}
    finished = (await api.get(f"/v1/jobs/{job_id}")).json()
    assert finished["status"] == "succeeded"
    assert finished["result"] == {"reversed": "ih"}
    assert finished["attempt_history"][-1]["worker"] == f"http:{worker}"


async def test_fail_with_a_retry_delay_retries_later(
    api: httpx.AsyncClient, worker_api: httpx.AsyncClient
) -> None:
    queue, worker = unique("q"), unique("w")
    job_id = await enqueue(api, queue, max_attempts=3)
    [job] = await claim(worker_api, queue, worker)

    failed = await worker_api.post(
        f"/v1/jobs/{job_id}/fail",
        json={"token": job["lease_token"], "error": "upstream said 503", "retry_delay": 120},
    )
    assert failed.status_code == 200, failed.text
    assert failed.json() == {"id": job_id, "status": "retrying"}
    after = (await api.get(f"/v1/jobs/{job_id}")).json()
    assert after["status"] == "retrying"
    assert after["last_error"] == "upstream said 503"
    due_in = datetime.fromisoformat(after["scheduled_at"]) - datetime.now(UTC)
    assert 100 < due_in.total_seconds() <= 120
    assert await claim(worker_api, queue, worker) == []


async def test_a_stale_token_gets_409_and_changes_nothing(
    server: Server, api: httpx.AsyncClient, worker_api: httpx.AsyncClient
) -> None:
    queue, first, second = unique("q"), unique("w"), unique("w")
    job_id = await enqueue(api, queue, max_attempts=3)
    [stale] = await claim(worker_api, queue, first, lease=1)
    fresh = await _claimed_again_after_the_lease_lapsed(server, worker_api, queue, second)
    assert fresh["id"] == job_id
    assert fresh["lease_token"] != stale["lease_token"]

    token = stale["lease_token"]
    reports = [
        ("heartbeat", {"token": token}, {"worker": first}),
        ("complete", {"token": token, "result": "late"}, {}),
        ("fail", {"token": token, "error": "late"}, {}),
    ]
    for action, body, params in reports:
        response = await worker_api.post(f"/v1/jobs/{job_id}/{action}", json=body, params=params)
        assert_error(response, 409, "lease_lost")
    still = (await api.get(f"/v1/jobs/{job_id}")).json()
    assert (still["status"], still["attempts"], still["result"]) == ("running", 1, None)

    done = await worker_api.post(
        f"/v1/jobs/{job_id}/complete", json={"token": fresh["lease_token"], "result": "ok"}
    )
    assert done.status_code == 200, done.text
    assert (await api.get(f"/v1/jobs/{job_id}")).json()["result"] == "ok"


async def _claimed_again_after_the_lease_lapsed(
    server: Server, client: httpx.AsyncClient, queue: str, worker: str
) -> dict[str, Any]:
    """Rescue the job once its lease lapsed (as any worker's maintenance does), then
    claim it as another worker."""
    deadline = time.monotonic() + 20
    async with Queue(server.dsn, schema=server.schema) as engine:
        storage = await storage_of(engine)
        while True:
            await storage.run_duty("rescue", "rescue_expired_leases", 100)
            items = await claim(client, queue, worker)
            if items:
                return items[0]
            assert time.monotonic() < deadline, "the lapsed lease was never taken back"
            await asyncio.sleep(0.1)


async def test_heartbeat_reports_a_requested_cancel(
    api: httpx.AsyncClient, worker_api: httpx.AsyncClient
) -> None:
    queue, worker = unique("q"), unique("w")
    job_id = await enqueue(api, queue)
    [job] = await claim(worker_api, queue, worker)
    assert (await api.post(f"/v1/jobs/{job_id}/cancel")).status_code == 200

    beat = await worker_api.post(
        f"/v1/jobs/{job_id}/heartbeat",
        params={"worker": worker},
        json={"token": job["lease_token"]},
    )
    assert beat.status_code == 200, beat.text
    assert beat.json()["cancel_requested"] is True
    stopped = await worker_api.post(
        f"/v1/jobs/{job_id}/fail", json={"token": job["lease_token"], "error": "cancelled"}
    )
    assert stopped.json() == {"id": job_id, "status": "cancelled"}
    assert (await api.get(f"/v1/jobs/{job_id}")).json()["status"] == "cancelled"


async def test_the_work_scope_works_jobs_and_administers_nothing(
    server: Server, api: httpx.AsyncClient, worker_api: httpx.AsyncClient
) -> None:
    queue, worker = unique("q"), unique("w")
    job_id = await enqueue(api, queue)
    [job] = await claim(worker_api, queue, worker)
    done = await worker_api.post(
        f"/v1/jobs/{job_id}/complete", json={"token": job["lease_token"], "result": None}
    )
    assert done.status_code == 200, done.text

    for method, path in [
        ("GET", "/v1/keys"),
        ("POST", f"/v1/queues/{queue}/pause"),
        ("DELETE", f"/v1/jobs/{job_id}"),
        ("POST", "/v1/jobs"),
        ("GET", f"/v1/jobs/{job_id}"),
    ]:
        assert_error(await worker_api.request(method, path, json={}), 403, "forbidden")

    async with server.client(await key_with(api, "read", "write")) as reader:
        refused = await reader.post(f"/v1/queues/{queue}/claim", params={"worker": worker})
        assert_error(refused, 403, "forbidden")
        beat = await reader.post(
            f"/v1/jobs/{job_id}/heartbeat",
            params={"worker": worker},
            json={"token": job["lease_token"]},
        )
        assert_error(beat, 403, "forbidden")


async def test_a_waiting_claim_returns_as_soon_as_a_job_arrives(
    api: httpx.AsyncClient, worker_api: httpx.AsyncClient
) -> None:
    queue, worker = unique("q"), unique("w")
    waiting = asyncio.create_task(claim(worker_api, queue, worker, wait=15))
    # The worker is listed by its first claim: from then on the claim is waiting.
    deadline = time.monotonic() + 20
    while await listed_worker(api, worker) is None:
        assert time.monotonic() < deadline and not waiting.done()
        await asyncio.sleep(0.02)

    enqueued_at = time.monotonic()
    job_id = await enqueue(api, queue)
    [job] = await waiting
    assert job["id"] == job_id
    # Well within the slices a wait is cut into (5 s): the notification woke it.
    assert time.monotonic() - enqueued_at < 2.5


async def test_a_waiting_claim_of_an_empty_queue_ends_empty(
    worker_api: httpx.AsyncClient,
) -> None:
    started = time.monotonic()
    assert await claim(worker_api, unique("q"), unique("w"), wait=0.3) == []
    assert time.monotonic() - started >= 0.3


async def test_a_wait_beyond_the_limit_is_refused(worker_api: httpx.AsyncClient) -> None:
    response = await worker_api.post(
        f"/v1/queues/{unique('q')}/claim", params={"worker": "w", "wait": 21}
    )
    assert_error(response, 422)
