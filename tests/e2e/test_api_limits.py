"""Queue limits over HTTP: set, read and clear them (admin, audited), 4xx on values that
mean nothing, and an HTTP worker's claim holds to them."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.e2e.test_api_http import Server, assert_error, unique
from tests.e2e.test_api_workers import claim, enqueue

pytestmark = pytest.mark.e2e


async def put_limits(api: httpx.AsyncClient, queue: str, **limits: Any) -> httpx.Response:
    return await api.put(f"/v1/queues/{queue}/limits", json=limits)


async def listed(api: httpx.AsyncClient, queue: str) -> dict[str, Any] | None:
    response = await api.get("/v1/queue-limits")
    assert response.status_code == 200, response.text
    return next((row for row in response.json()["items"] if row["name"] == queue), None)


async def test_limits_are_set_read_and_cleared(api: httpx.AsyncClient) -> None:
    queue = unique("q")
    response = await put_limits(api, queue, concurrency=3, rate=2.5, group_concurrency=1)
    assert response.status_code == 200, response.text
    expected = {
        "name": queue,
        "concurrency": 3,
        "rate": 2.5,
        "burst": None,
        "group_concurrency": 1,
    }
    assert response.json() == expected
    assert await listed(api, queue) == expected
    # A PUT sets exactly what it gives: what it leaves out is no longer limited.
    assert (await put_limits(api, queue, rate=10, burst=4)).json() == {
        "name": queue,
        "concurrency": None,
        "rate": 10.0,
        "burst": 4.0,
        "group_concurrency": None,
    }
    cleared = await api.delete(f"/v1/queues/{queue}/limits")
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["rate"] is None
    assert await listed(api, queue) is None
    actions = (await api.get("/v1/audit", params={"action": "queue.limits"})).json()["items"]
    mine = [a for a in actions if a["target"]["queue"] == queue]
    assert len(mine) == 3
    assert {"queue": queue, "cleared": True} in [a["target"] for a in mine]


@pytest.mark.parametrize(
    ("limits", "field"),
    [
        ({"concurrency": 0}, "concurrency"),
        ({"concurrency": -2}, "concurrency"),
        ({"concurrency": 1.5}, "concurrency"),
        ({"rate": 0}, "rate"),
        ({"rate": -1}, "rate"),
        ({"rate": "fast"}, "rate"),
        ({"group_concurrency": 0}, "group_concurrency"),
        ({"rate": 5, "burst": 0.5}, "burst"),
        ({"burst": 3}, "burst"),
        ({"parallelism": 3}, "parallelism"),
    ],
)
async def test_meaningless_limits_are_refused_naming_the_field(
    api: httpx.AsyncClient, limits: dict[str, Any], field: str
) -> None:
    queue = unique("q")
    message = assert_error(await put_limits(api, queue, **limits), 422)
    assert field in message
    assert await listed(api, queue) is None


async def test_limits_need_an_admin_key(server: Server, api: httpx.AsyncClient) -> None:
    created = await api.post("/v1/keys", json={"scopes": ["write"], "name": "writer"})
    async with server.client(created.json()["key"]) as writer:
        assert_error(await put_limits(writer, unique("q"), concurrency=1), 403)
        assert_error(await writer.delete(f"/v1/queues/{unique('q')}/limits"), 403)
        assert (await writer.get("/v1/queue-limits")).status_code == 200


async def test_an_http_workers_claim_holds_to_the_limits(api: httpx.AsyncClient) -> None:
    queue = unique("q")
    assert (await put_limits(api, queue, concurrency=2, group_concurrency=1)).status_code == 200
    for group in ("a", "a", "a", "b", "b"):
        await enqueue(api, queue, group=group)
    first = await claim(api, queue, unique("w"), limit=10, lease=20)
    assert len(first) == 2  # one of a, one of b
    jobs = [(await api.get(f"/v1/jobs/{job['id']}")).json() for job in first]
    assert sorted(job["group"] for job in jobs) == ["a", "b"]
    assert await claim(api, queue, unique("w"), limit=10, lease=20) == []
