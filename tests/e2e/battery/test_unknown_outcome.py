"""The unknown outcome of an enqueue over HTTP, resolved with an Idempotency-Key: clients
whose connection to the API server dies, before their request reached it or after it
was served and before its answer came back, cannot tell which happened. Each repeats its
request with the same key once the jobs of the first round have all finished: exactly one
job exists per key, every 2xx names that job, and the jobs run as any other."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from functools import partial
from pathlib import Path

import asyncpg
import httpx
import pytest

from equeue import Queue
from tests.conftest import wait_until
from tests.e2e.battery.api_server import ApiServer, api_server
from tests.e2e.battery.conftest import Fleet
from tests.e2e.battery.invariants import assert_holds, check
from tests.e2e.battery.proxy import CuttableProxy, Fate

pytestmark = pytest.mark.battery

KEYS = 240
FATES: tuple[Fate, ...] = ("forward", "cut_request", "lose_answer")


def body(key: str) -> dict[str, object]:
    """A job tagged with its key, so the table tells how many jobs each key made."""
    return {"type": "battery.work", "payload": {"seconds": 0.01}, "tags": [key]}


async def test_a_client_that_lost_the_answer_resolves_it_with_its_key(
    battery_queue: Queue, fleet: Fleet, tmp_path: Path
) -> None:
    fleet.spawn("--concurrency", "10")
    keys = [f"unknown-{i}-{uuid.uuid4().hex[:8]}" for i in range(KEYS)]
    with api_server(fleet.url, fleet.schema, tmp_path) as server:
        proxy = CuttableProxy(server.url)
        proxy.fate = lambda n: FATES[n % len(FATES)]
        await proxy.start()
        try:
            first, unknown = await _first_round(server, proxy.url, keys)
        finally:
            await proxy.close()
        fates = Counter(proxy.fates)
        assert fates["lose_answer"] > 0 and fates["cut_request"] > 0
        assert len(unknown) == fates["lose_answer"] + fates["cut_request"]
        # Every job that exists has finished: a dedupe key would be free again by now.
        await wait_until(partial(_none_waiting, battery_queue), timeout=30)
        started = time.monotonic()
        again = await _repeat(server, unknown)
        resolved = time.monotonic() - started

    # Served before, its answer lost: 200, the job it made. Never served: 201, a new job.
    assert Counter(status for status, _ in again.values()) == {
        200: fates["lose_answer"],
        201: fates["cut_request"],
    }
    answered = {**first, **{key: job for key, (_, job) in again.items()}}
    assert answered.keys() == set(keys)
    jobs_by_key = await _jobs_by_tag(fleet.url, fleet.schema)
    assert jobs_by_key == {key: [answered[key]] for key in keys}  # one job a key: the answered

    committed = set(answered.values())
    await wait_until(partial(_none_waiting, battery_queue), timeout=30)
    report = await check(fleet.url, fleet.schema, committed, fleet.folder)
    assert_holds("unknown outcome", report, len(unknown), resolved)
    assert report.statuses == {"succeeded": KEYS}


async def _first_round(
    server: ApiServer, through: str, keys: list[str]
) -> tuple[dict[str, uuid.UUID], list[str]]:
    """Each key's request sent once through the proxy, a new connection each; returns the
    jobs answered 2xx by key, and the keys whose connection died (outcome unknown)."""
    answered: dict[str, uuid.UUID] = {}
    unknown: list[str] = []
    no_reuse = httpx.Limits(max_keepalive_connections=0)  # each request its own connection
    headers = {"x-api-key": server.key}
    async with httpx.AsyncClient(base_url=through, headers=headers, limits=no_reuse) as api:
        for key in keys:  # one at a time: the n-th connection is the n-th request
            try:
                answer = await api.post(
                    "/v1/jobs", json=body(key), headers={"Idempotency-Key": key}
                )
            except httpx.TransportError:
                unknown.append(key)
                continue
            assert answer.status_code == 201, answer.text
            answered[key] = uuid.UUID(answer.json()["id"])
    return answered, unknown


async def _repeat(server: ApiServer, keys: list[str]) -> dict[str, tuple[int, uuid.UUID]]:
    """Each key's request repeated, same body and key, straight to the server."""
    async with server.client() as api:
        answers = await asyncio.gather(
            *(api.post("/v1/jobs", json=body(k), headers={"Idempotency-Key": k}) for k in keys)
        )
    repeated = {}
    for key, answer in zip(keys, answers, strict=True):
        assert answer.status_code in (200, 201), answer.text
        assert answer.json()["deduplicated"] is (answer.status_code == 200)
        repeated[key] = (answer.status_code, uuid.UUID(answer.json()["id"]))
    return repeated


async def _jobs_by_tag(url: str, schema: str) -> dict[str, list[uuid.UUID]]:
    connection = await asyncpg.connect(url)
    try:
        rows = await connection.fetch(f'SELECT id, tags FROM "{schema}".any_jobs')
    finally:
        await connection.close()
    found: dict[str, list[uuid.UUID]] = {}
    for row in rows:
        for tag in row["tags"]:
            found.setdefault(tag, []).append(row["id"])
    return found


async def _none_waiting(queue: Queue) -> bool:
    counts = (await queue.counts()).get("default", {})
    return not any(counts.get(s, 0) for s in ("scheduled", "queued", "running", "retrying"))
