"""A chain and a chord run to the end over HTTP: the API server and an ``equeue worker``
process, real both, each in a process of its own."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from equeue import Queue
from tests.conftest import wait_until
from tests.e2e import test_workers
from tests.e2e.test_api_http import Server, start_server, stop

e2e_queue = test_workers.e2e_queue
spawn = test_workers.spawn
Spawn = Callable[..., subprocess.Popen[bytes]]


@pytest.fixture
def server(e2e_queue: Queue, database_url: str) -> Iterator[Server]:
    running = start_server(database_url, e2e_queue.schema)
    try:
        yield running
    finally:
        stop(running.process)


async def registered(e2e_queue: Queue, *names: str) -> None:
    """Wait for the worker to register its tasks: the API refuses unknown ones."""

    async def all_there() -> bool:
        return set(names) <= {t["name"] for t in await e2e_queue.admin.tasks()}

    await wait_until(all_there, timeout=30)


async def finished(api: httpx.AsyncClient, job_id: Any) -> dict[str, Any]:
    found: dict[str, Any] = {}

    async def done() -> bool:
        found.update((await api.get(f"/v1/jobs/{job_id}")).json())
        return found["status"] in ("succeeded", "failed", "cancelled")

    await wait_until(done, timeout=30)
    return found


async def test_a_chain_runs_to_the_end_with_each_result_visible(
    e2e_queue: Queue, spawn: Spawn, server: Server
) -> None:
    spawn("--concurrency", "4")
    await registered(e2e_queue, "e2e.chain_step")
    step = "e2e.chain_step"
    async with server.client() as api:
        created = await api.post(
            "/v1/jobs",
            json={
                "type": step,
                "payload": {"n": 1},
                "on_success": {
                    "type": step,
                    "payload": {"n": 10},
                    "on_success": {"type": step, "payload": {"n": 100}},
                },
            },
        )
        assert created.status_code == 201, created.text
        first = await finished(api, created.json()["id"])
        assert first["follow_ups"]["on_success"]["payload"] == {"n": 10}

        async def three_done() -> bool:
            page = (await api.get("/v1/jobs", params={"type": step, "status": "succeeded"})).json()
            return len(page["items"]) == 3

        await wait_until(three_done, timeout=30)
        page = (await api.get("/v1/jobs", params={"type": step})).json()["items"]
        chain = [(await api.get(f"/v1/jobs/{item['id']}")).json() for item in reversed(page)]
    assert [job["result"] for job in chain] == [1, 11, 111]
    assert [job["parent_id"] for job in chain] == [None, chain[0]["id"], chain[1]["id"]]


async def test_a_chord_runs_to_the_end_with_its_callbacks_result_visible(
    e2e_queue: Queue, spawn: Spawn, server: Server
) -> None:
    spawn("--concurrency", "8")
    spawn("--concurrency", "8")
    await registered(e2e_queue, "e2e.record", "e2e.chord_sum")
    async with server.client() as api:
        bad = await api.post(
            "/v1/chords", json={"jobs": [{"type": "e2e.record"}], "callback": {"type": "nobody"}}
        )
        assert bad.status_code == 422, bad.text
        assert "nobody" in bad.json()["error"]["message"]

        created = await api.post(
            "/v1/chords",
            json={
                "jobs": [{"type": "e2e.record", "payload": {"n": n}} for n in range(20)],
                "callback": {"type": "e2e.chord_sum"},
            },
        )
        assert created.status_code == 201, created.text
        chord_id = created.json()["id"]
        assert created.json()["remaining"] == 20
        state: dict[str, Any] = {}

        async def called_back() -> bool:
            state.update((await api.get(f"/v1/chords/{chord_id}")).json())
            return state["callback_job_id"] is not None

        await wait_until(called_back, timeout=60)
        callback = await finished(api, state["callback_job_id"])
        missing = await api.get(f"/v1/chords/{uuid.uuid4()}")
    assert callback["status"] == "succeeded"
    assert callback["result"] == sum(range(20))
    assert callback["chord_id"] == chord_id
    assert state["remaining"] == 0
    assert [m["result"] for m in state["jobs"]] == list(range(20))
    assert {m["status"] for m in state["jobs"]} == {"succeeded"}
    assert missing.status_code == 404
