"""The audit trail over HTTP: every operator action through the API recorded once, with
its caller and address; refused requests record nothing; GET /v1/audit filters and
pages."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.e2e.test_api_http import Server, assert_error, unique
from tests.e2e.test_api_workers import enqueue

pytestmark = pytest.mark.e2e


async def new_key(api: httpx.AsyncClient, name: str, *scopes: str) -> dict[str, Any]:
    response = await api.post("/v1/keys", json={"scopes": list(scopes), "name": name})
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def audit_of(api: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    """Every record the filters match, page after page, newest first."""
    records: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = await api.get("/v1/audit", params=params | ({"cursor": cursor} if cursor else {}))
        assert page.status_code == 200, page.text
        records += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return records


async def test_each_action_is_recorded_once_with_its_actor(
    server: Server, api: httpx.AsyncClient
) -> None:
    ops = await new_key(api, "ops-alice", "admin")
    queue = unique("q")
    async with server.client(ops["key"]) as client:
        job = await enqueue(client, queue)  # enqueues are not operator actions
        for step in ("cancel", "retry", "cancel"):
            assert (await client.post(f"/v1/jobs/{job}/{step}")).status_code == 200
        assert (await client.delete(f"/v1/jobs/{job}")).status_code == 204
        other = await enqueue(client, queue)
        assert (await client.post(f"/v1/jobs/{other}/cancel")).status_code == 200
        purged = await client.delete("/v1/jobs", params={"status": "cancelled", "queue": queue})
        assert purged.json() == {"deleted": 1}
        replayed = await client.post("/v1/replay-dlq", params={"queue": queue, "limit": 5})
        assert replayed.json() == {"replayed": 0}
        for step in ("pause", "resume"):
            assert (await client.post(f"/v1/queues/{queue}/{step}")).status_code == 200
        temporary = await new_key(client, "temporary", "read")
        assert (await client.delete(f"/v1/keys/{temporary['id']}")).status_code == 204

    records = await audit_of(api, actor=ops["id"])
    assert [r["action"] for r in reversed(records)] == [
        "job.cancel",
        "job.retry",
        "job.cancel",
        "job.delete",
        "job.cancel",
        "jobs.purge",
        "jobs.replay",
        "queue.pause",
        "queue.resume",
        "key.create",
        "key.revoke",
    ]
    assert {(r["actor"], r["actor_name"], r["source"]) for r in records} == {
        (ops["id"], "ops-alice", "127.0.0.1")
    }
    by_action = {r["action"]: r for r in records}
    assert by_action["job.delete"]["job_ids"] == [job]
    assert by_action["jobs.purge"]["target"] == {
        "status": ["cancelled"],
        "queue": queue,
        "type": None,
    }
    assert by_action["jobs.purge"]["affected"] == 1
    assert by_action["jobs.replay"]["target"] == {
        "queue": queue,
        "type": None,
        "error": None,
        "limit": 5,
    }
    assert by_action["queue.pause"]["target"] == {"queue": queue}
    assert by_action["key.create"]["target"] == {
        "key": temporary["id"],
        "name": "temporary",
        "scopes": ["read"],
    }
    assert by_action["key.revoke"]["target"] == {"key": temporary["id"]}
    # The key that made the ops key is the environment's.
    made = [r for r in await audit_of(api, action="key.create") if r["target"]["key"] == ops["id"]]
    assert [(r["actor"], r["actor_name"]) for r in made] == [("env", None)]


async def test_a_refused_request_records_nothing(server: Server, api: httpx.AsyncClient) -> None:
    ops = await new_key(api, "ops-bob", "admin")
    reader = await new_key(api, "reader", "read", "write")
    queue = unique("q")
    async with server.client(ops["key"]) as client:
        job = await enqueue(client, queue)
        refused = [
            (await client.post(f"/v1/jobs/{job}/retry"), 409),  # it has not failed
            (await client.delete(f"/v1/jobs/{unique('')}"), 404),  # not a job id
            (await client.delete(f"/v1/jobs/{job.replace(job[-4:], '0000')}"), 404),
            (await client.delete("/v1/keys/nobody"), 404),
            (await client.post("/v1/queues/bad name/pause"), 422),
            (await client.delete("/v1/jobs", params={"status": "queued"}), 422),
            (await client.post("/v1/replay-dlq", params={"limit": 0}), 422),
        ]
        assert (await client.post(f"/v1/jobs/{job}/cancel")).status_code == 200
        refused.append((await client.post(f"/v1/jobs/{job}/cancel"), 409))  # finished
    async with server.client(reader["key"]) as client:
        refused.append((await client.post(f"/v1/queues/{queue}/pause"), 403))
        refused.append((await client.delete(f"/v1/jobs/{job}"), 403))
    async with server.client(None) as client:
        refused.append((await client.post(f"/v1/jobs/{job}/retry"), 401))
    assert [response.status_code for response, _ in refused] == [code for _, code in refused]

    assert [r["action"] for r in await audit_of(api, actor=ops["id"])] == ["job.cancel"]
    assert await audit_of(api, actor=reader["id"]) == []
    assert await audit_of(api, actor="anonymous") == []


async def test_filters_and_pages(server: Server, api: httpx.AsyncClient) -> None:
    ops = await new_key(api, "ops-carol", "admin")
    async with server.client(ops["key"]) as client:
        before = datetime.now(UTC)
        for _ in range(3):
            queue = unique("q")
            for step in ("pause", "resume"):
                assert (await client.post(f"/v1/queues/{queue}/{step}")).status_code == 200
        after = datetime.now(UTC)

    everything = await audit_of(api, actor=ops["id"])
    assert len(everything) == 6
    paged = await audit_of(api, actor=ops["id"], limit=4)
    assert [r["id"] for r in paged] == [r["id"] for r in everything]
    assert len(await audit_of(api, actor=ops["id"], action="queue.pause")) == 3
    window = {"since": before.isoformat(), "until": after.isoformat()}
    assert len(await audit_of(api, actor=ops["id"], **window)) == 6
    assert await audit_of(api, actor=ops["id"], until=before.isoformat()) == []
    for moment in ("2024-01-01T00:00:00", "0.5", "1700000000"):  # no offset; Unix times
        assert_error(await api.get("/v1/audit", params={"since": moment}), 422)
    reversed_window = {"since": after.isoformat(), "until": before.isoformat()}
    assert_error(await api.get("/v1/audit", params=reversed_window), 422, "invalid")

    writer = await new_key(api, "writer", "write")
    async with server.client(writer["key"]) as client:
        assert_error(await client.get("/v1/audit"), 403, "forbidden")


async def test_a_bulk_action_is_one_record_naming_the_jobs_it_was_done_to(
    server: Server, api: httpx.AsyncClient
) -> None:
    ops = await new_key(api, "ops-bulk", "admin")
    queue = unique("q")
    async with server.client(ops["key"]) as client:
        waiting = [await enqueue(client, queue) for _ in range(3)]
        body = {"action": "cancel", "ids": [*waiting, waiting[0]]}
        first = await client.post("/v1/jobs/bulk", json=body)
        assert first.status_code == 200, first.text
        again = await client.post("/v1/jobs/bulk", json={"action": "cancel", "ids": waiting})
        assert again.json()["done"] == []  # all finished now: nothing done, nothing recorded

    records = await audit_of(api, actor=ops["id"], action="job.cancel")
    assert len(records) == 1
    assert sorted(records[0]["job_ids"]) == sorted(first.json()["done"])
    assert sorted(first.json()["done"]) == sorted(waiting)
