"""Schedules over HTTP: create, list, read, change, pause, resume and delete them; bad cron
expressions and time zones refused with a message; read keys read, admin keys change; each
change audited."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from equeue import Queue
from tests.e2e.test_api_http import Server, assert_error, unique
from tests.e2e.test_audit import audit_of, new_key

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module", autouse=True)
def registered_tasks(server: Server) -> None:
    """The tasks these schedules run, as a worker would register them."""

    async def register() -> None:
        async with Queue(server.dsn, schema=server.schema) as queue:
            rows = [(name, "default", 0, 5, None) for name in ("report.build", "t")]
            await (await queue._storage()).register_tasks(rows)

    asyncio.run(register())


async def create(api: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    body = {"name": unique("s"), "task": "report.build", "cron": "0 9 * * *"} | fields
    response = await api.post("/v1/schedules", json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


async def test_a_schedule_is_created_listed_changed_and_deleted(api: httpx.AsyncClient) -> None:
    created = await create(
        api, timezone="Europe/Paris", payload={"to": "ops"}, on_missed="catch_up"
    )
    name = created["name"]
    assert at(created["next_run_at"]) > datetime.now(UTC)
    assert (created["paused"], created["last_run_at"], created["source"]) == (False, None, "api")
    listed = (await api.get("/v1/schedules")).json()["items"]
    assert created in listed
    assert (await api.get(f"/v1/schedules/{name}")).json() == created

    changed = await api.patch(f"/v1/schedules/{name}", json={"cron": "*/5 * * * *"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["cron"] == "*/5 * * * *"
    assert at(changed.json()["next_run_at"]).minute % 5 == 0
    assert changed.json()["payload"] == {"to": "ops"}  # what was not sent stays

    paused = await api.post(f"/v1/schedules/{name}/pause")
    assert paused.json()["paused"] is True
    resumed = await api.patch(f"/v1/schedules/{name}", json={"paused": False})
    assert resumed.json()["paused"] is False

    assert (await api.delete(f"/v1/schedules/{name}")).status_code == 204
    assert_error(await api.get(f"/v1/schedules/{name}"), 404, "not_found")


async def test_the_next_run_follows_the_time_zone(api: httpx.AsyncClient) -> None:
    paris = await create(api, cron="0 9 * * *", timezone="Europe/Paris")
    tokyo = await create(api, cron="0 9 * * *", timezone="Asia/Tokyo")
    assert at(paris["next_run_at"]).hour in (7, 8)  # 09:00 CEST or CET
    assert at(tokyo["next_run_at"]).hour == 0  # 09:00 JST


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"cron": "61 * * * *"}, "cron expression '61 * * * *' is not valid"),
        ({"cron": "every day"}, "must have 5 fields"),
        ({"timezone": "Mars/Olympus"}, "unknown time zone 'Mars/Olympus'"),
        ({"payload": {"tick": "x"}}, "must not hold 'tick'"),
        ({"task": "report.biuld"}, "no worker has registered task 'report.biuld'"),
    ],
)
async def test_a_bad_definition_is_refused_with_what_is_wrong(
    api: httpx.AsyncClient, fields: dict[str, Any], words: str
) -> None:
    body = {"name": unique("s"), "task": "t", "cron": "* * * * *"} | fields
    message = assert_error(await api.post("/v1/schedules", json=body), 422, "invalid_schedule")
    assert words in message
    assert (await api.get(f"/v1/schedules/{body['name']}")).status_code == 404


async def test_a_bad_change_is_refused_and_changes_nothing(api: httpx.AsyncClient) -> None:
    created = await create(api)
    name = created["name"]
    message = assert_error(
        await api.patch(f"/v1/schedules/{name}", json={"cron": "0 9 * * *", "timezone": "Nowhere"}),
        422,
        "invalid_schedule",
    )
    assert "unknown time zone 'Nowhere'" in message
    assert (await api.get(f"/v1/schedules/{name}")).json() == created


async def test_malformed_requests_get_a_4xx(api: httpx.AsyncClient) -> None:
    taken = await create(api)
    duplicate = await api.post(
        "/v1/schedules", json={"name": taken["name"], "task": "t", "cron": "* * * * *"}
    )
    assert "exists already" in assert_error(duplicate, 409, "conflict")
    unknown = await api.post(
        "/v1/schedules", json={"name": unique("s"), "task": "t", "cron": "* * * * *", "x": 1}
    )
    assert_error(unknown, 422, "invalid")
    assert_error(await api.post("/v1/schedules", json={"name": "a b"}), 422, "invalid")
    assert_error(await api.post("/v1/schedules/missing/pause"), 404, "not_found")
    assert_error(await api.patch("/v1/schedules/missing", json={"paused": True}), 404)
    assert_error(await api.delete("/v1/schedules/missing"), 404, "not_found")
    assert_error(await api.get("/v1/schedules/" + "x" * 56), 422, "invalid")


async def test_a_read_key_reads_schedules_and_cannot_change_them(
    server: Server, api: httpx.AsyncClient
) -> None:
    created = await create(api)
    reader = await new_key(api, "viewer", "read")
    async with server.client(reader["key"]) as client:
        assert (await client.get(f"/v1/schedules/{created['name']}")).status_code == 200
        assert_error(await client.post(f"/v1/schedules/{created['name']}/pause"), 403)
        assert_error(await client.delete(f"/v1/schedules/{created['name']}"), 403)
        body = {"name": unique("s"), "task": "t", "cron": "* * * * *"}
        assert_error(await client.post("/v1/schedules", json=body), 403)
    assert (await api.get(f"/v1/schedules/{created['name']}")).json()["paused"] is False


async def test_each_change_of_a_schedule_is_audited(server: Server, api: httpx.AsyncClient) -> None:
    ops = await new_key(api, "ops-sched", "admin")
    name = unique("s")
    async with server.client(ops["key"]) as client:
        await create(client, name=name)
        changed = {"cron": "0 10 * * *", "payload": {"token": "s3cret"}}
        await client.patch(f"/v1/schedules/{name}", json=changed)
        await client.post(f"/v1/schedules/{name}/pause")
        await client.post(f"/v1/schedules/{name}/resume")
        await client.delete(f"/v1/schedules/{name}")
        assert_error(await client.delete(f"/v1/schedules/{name}"), 404)  # not recorded

    records = list(reversed(await audit_of(api, actor=ops["id"])))
    assert [r["action"] for r in records] == [
        "schedule.create",
        "schedule.update",
        "schedule.pause",
        "schedule.resume",
        "schedule.delete",
    ]
    assert all(r["target"]["schedule"] == name for r in records)
    assert records[1]["target"] == {"schedule": name, "cron": "0 10 * * *", "payload": "changed"}
