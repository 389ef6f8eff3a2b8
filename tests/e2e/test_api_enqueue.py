"""POST /v1/jobs answers the same whichever way a request goes through the server: the
shortcut (a JSON body that validates) or FastAPI's full route (everything else)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.e2e.test_api_http import Server, _drop_schema, _migrated_schema, start_server, stop

pytestmark = pytest.mark.e2e

SHORTCUT = "application/json"
#: Also JSON to FastAPI, but not what the shortcut takes: these go the full way.
FULL_WAY = "application/json; charset=utf-8"
#: What differs between two jobs enqueued alike.
OWN = {"id", "created_at", "scheduled_at"}


@pytest.fixture(scope="module")
def limited(database_url: str) -> Iterator[Server]:
    """A server whose admin key may make 6 requests, and then one every 100 s."""
    schema = f"t_enq_{uuid.uuid4().hex[:12]}"
    asyncio.run(_migrated_schema(database_url, schema))
    running = start_server(
        database_url,
        schema,
        EQUEUE_RATE_LIMIT_BURST="6",
        EQUEUE_RATE_LIMIT_PER_SECOND="0.01",
    )
    try:
        yield running
    finally:
        stop(running.process)
        asyncio.run(_drop_schema(database_url, schema))


async def post(
    api: httpx.AsyncClient, body: bytes, content_type: str, **headers: str
) -> httpx.Response:
    return await api.post(
        "/v1/jobs", content=body, headers={"content-type": content_type, **headers}
    )


def alike(answer: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in answer.items() if k not in OWN}


async def test_a_job_is_answered_alike_both_ways(api: httpx.AsyncClient) -> None:
    body = b'{"type": "api.echo", "payload": {"n": 1}, "priority": 3, "tags": ["a"]}'
    fast = await post(api, body, SHORTCUT)
    full = await post(api, body, FULL_WAY)
    assert fast.status_code == full.status_code == 201
    assert fast.headers["content-type"] == full.headers["content-type"]
    assert alike(fast.json()) == alike(full.json())
    assert fast.json()["id"] != full.json()["id"]
    stored = (await api.get(f"/v1/jobs/{fast.json()['id']}")).json()
    assert stored["payload"] == {"n": 1} and stored["priority"] == 3


async def test_an_idempotency_key_is_honoured_both_ways(api: httpx.AsyncClient) -> None:
    key = f"k-{uuid.uuid4().hex}"
    body = b'{"type": "api.echo"}'
    first = await post(api, body, SHORTCUT, **{"idempotency-key": key})
    again_fast = await post(api, body, SHORTCUT, **{"idempotency-key": key})
    again_full = await post(api, body, FULL_WAY, **{"idempotency-key": key})
    assert first.status_code == 201
    assert again_fast.status_code == again_full.status_code == 200
    assert first.json()["id"] == again_fast.json()["id"] == again_full.json()["id"]
    assert again_fast.json() == again_full.json()
    assert again_fast.json()["deduplicated"] is True


@pytest.mark.parametrize(
    "body",
    [
        b'{"type": "api.echo", "priority": 101}',
        b'{"type": "no.such.task"}',
        b'{"payload": {}}',
        b'{"type": "api.echo", "surprise": 1}',
        b'{"type": "api.echo", "payload": [1]}',
        b'{"type": "api.echo",',
        b"[]",
        b"",
    ],
)
async def test_a_bad_job_is_refused_alike_both_ways(api: httpx.AsyncClient, body: bytes) -> None:
    fast = await post(api, body, SHORTCUT)
    full = await post(api, body, FULL_WAY)
    assert fast.status_code == full.status_code
    assert 400 <= fast.status_code < 500
    assert fast.json() == full.json()


async def test_a_bad_idempotency_key_is_refused_alike_both_ways(api: httpx.AsyncClient) -> None:
    body = b'{"type": "api.echo"}'
    too_long = "k" * 1000
    fast = await post(api, body, SHORTCUT, **{"idempotency-key": too_long})
    full = await post(api, body, FULL_WAY, **{"idempotency-key": too_long})
    assert fast.status_code == full.status_code == 422
    assert fast.json() == full.json()


async def test_a_request_the_shortcut_hands_on_is_charged_to_its_key_once(
    limited: Server,
) -> None:
    async with limited.client() as api:
        # Six requests that the shortcut reads and passes on: each costs one of the six.
        answers = [await post(api, b'{"type": "api.echo", "x": 1}', SHORTCUT) for _ in range(6)]
        assert [a.status_code for a in answers] == [422] * 6
        spent = await post(api, b'{"type": "api.echo"}', SHORTCUT)
    assert spent.status_code == 429
