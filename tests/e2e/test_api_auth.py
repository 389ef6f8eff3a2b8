"""Authentication, scopes and the rate limit, over HTTP against a real server."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest

from equeue import Queue
from equeue.api.keys import create_key, revoke_key
from tests.e2e.test_api_http import (
    Server,
    _drop_schema,
    _migrated_schema,
    assert_error,
    start_server,
    stop,
)

pytestmark = pytest.mark.e2e
JOB = str(uuid.uuid4())
#: Every endpoint with the scope it needs.
ENDPOINTS = [
    ("GET", "/v1/jobs", "read"),
    ("GET", f"/v1/jobs/{JOB}", "read"),
    ("GET", "/v1/queues", "read"),
    ("GET", "/v1/workers", "read"),
    ("GET", "/v1/tasks", "read"),
    ("GET", "/v1/me", "read"),
    ("GET", "/v1/stats/series", "read"),
    ("GET", "/v1/dead-letters", "read"),
    ("GET", "/metrics", "read"),
    ("POST", "/v1/events/token", "read"),
    ("POST", "/v1/jobs", "write"),
    ("POST", "/v1/jobs/batch", "write"),
    ("POST", f"/v1/jobs/{JOB}/cancel", "write"),
    ("POST", f"/v1/jobs/{JOB}/retry", "write"),
    ("POST", "/v1/jobs/bulk", "write"),
    ("DELETE", f"/v1/jobs/{JOB}", "admin"),
    ("DELETE", "/v1/jobs", "admin"),
    ("POST", "/v1/replay-dlq", "admin"),
    ("POST", "/v1/queues/authq/pause", "admin"),
    ("POST", "/v1/queues/authq/resume", "admin"),
    ("GET", "/v1/keys", "admin"),
]
RANK = {"read": 0, "write": 1, "admin": 2}
RATE_PER_SECOND = 5
BODIES = {
    "/v1/jobs": {"type": "api.echo"},
    "/v1/jobs/batch": {"jobs": []},
    "/v1/jobs/bulk": {"action": "cancel", "ids": [JOB]},
}


@pytest.fixture(scope="module")
def auth_server(database_url: str) -> Iterator[tuple[Server, dict[str, str]]]:
    schema = f"t_apiau_{uuid.uuid4().hex[:12]}"

    async def prepare() -> dict[str, str]:
        await _migrated_schema(database_url, schema)
        async with Queue(database_url, schema=schema) as queue:
            made = {scope: (await create_key(queue, [scope], f"{scope} key"))[1] for scope in RANK}
            _, revoked = await create_key(queue, ["admin"], "revoked")
            await revoke_key(queue, revoked.split("_")[1])
            made["revoked"] = revoked
            return made

    keys = asyncio.run(prepare())
    running = start_server(
        database_url,
        schema,
        EQUEUE_RATE_LIMIT_PER_SECOND=str(RATE_PER_SECOND),
        EQUEUE_RATE_LIMIT_BURST="5",
        EQUEUE_KEY_CACHE_SECONDS="0",
        EQUEUE_AUTH_FAILURE_BURST="10000",  # the matrix fails on purpose, many times
    )
    try:
        yield running, keys
    finally:
        stop(running.process)
        asyncio.run(_drop_schema(database_url, schema))


async def _call(server: Server, headers: dict[str, str], method: str, path: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=server.url, headers=headers, timeout=30) as client:
        return await client.request(
            method, path, json=BODIES.get(path) if method == "POST" else None
        )


async def _call_within_rate(
    server: Server, headers: dict[str, str], method: str, path: str
) -> httpx.Response:
    # The bucket refills at RATE_PER_SECOND: a 429 here only means this key spent its burst,
    # so wait as told and ask again (bounded), until the answer is about the request itself.
    deadline = time.monotonic() + 10
    while True:
        response = await _call(server, headers, method, path)
        if response.status_code != 429 or time.monotonic() > deadline:
            return response
        await asyncio.sleep(float(response.headers["Retry-After"]) / 4)


async def test_scope_matrix(auth_server: tuple[Server, dict[str, str]]) -> None:
    server, keys = auth_server
    for method, path, needed in ENDPOINTS:
        assert_error(await _call(server, {}, method, path), 401, "unauthorized")
        assert_error(await _call(server, {"x-api-key": "eqk_nope_nope"}, method, path), 401)
        assert_error(await _call(server, {"x-api-key": keys["revoked"]}, method, path), 401)
        for scope, key in ((s, keys[s]) for s in RANK):
            headers = {"Authorization": f"Bearer {key}"}
            response = await _call_within_rate(server, headers, method, path)
            if RANK[scope] >= RANK[needed]:
                assert response.status_code not in (401, 403, 429), (method, path, scope)
            else:
                assert_error(response, 403, "forbidden")


async def test_open_endpoints_need_no_key(auth_server: tuple[Server, dict[str, str]]) -> None:
    server, _ = auth_server
    assert (await _call(server, {}, "GET", "/healthz")).json() == {"status": "ok"}
    assert (await _call(server, {}, "GET", "/readyz")).json() == {"status": "ready"}


async def test_rate_limit_answers_429_then_recovers(
    auth_server: tuple[Server, dict[str, str]],
) -> None:
    server, keys = auth_server
    headers = {"x-api-key": keys["read"]}
    await _call_within_rate(server, headers, "GET", "/v1/tasks")
    # 20 at once against a bucket of 5: however slow the machine, most must be refused.
    responses = await asyncio.gather(
        *(_call(server, headers, "GET", "/v1/tasks") for _ in range(20))
    )
    limited = [r for r in responses if r.status_code == 429]
    assert limited, [r.status_code for r in responses]
    assert "rate limit" in assert_error(limited[0], 429, "rate_limited")
    assert int(limited[0].headers["Retry-After"]) >= 1
    assert (await _call_within_rate(server, headers, "GET", "/v1/tasks")).status_code == 200
