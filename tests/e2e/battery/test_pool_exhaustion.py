"""Connection-pool exhaustion: an API server whose small pool is jammed answers 503 with
Retry-After at once instead of hanging, and serves again when it clears; a worker whose
tasks keep its one pooled connection busy neither deadlocks nor loses a lease (the
heartbeat has a connection of its own)."""

from __future__ import annotations

import asyncio
import time
import uuid
from functools import partial
from pathlib import Path

import asyncpg
import httpx
import pytest

from equeue import Queue
from tests.conftest import wait_until
from tests.e2e.battery.api_server import api_server
from tests.e2e.battery.battery_app import MAX_ATTEMPTS
from tests.e2e.battery.conftest import Fleet
from tests.e2e.battery.invariants import assert_holds, check

pytestmark = pytest.mark.battery

API_POOL, API_WAIT = 2, 0.5
LEASE, JOB_SECONDS = 2, 3.0  # every job outlives its lease one and a half times
WORK = {"type": "battery.work", "payload": {"seconds": 0.05}, "max_attempts": MAX_ATTEMPTS}


async def test_a_jammed_pool_answers_503_fast_and_no_lease_starves(
    battery_queue: Queue, fleet: Fleet, tmp_path: Path
) -> None:
    fleet.spawn("--concurrency", "20", "--lease", str(LEASE), env={"BATTERY_POOL_MAX_SIZE": "1"})
    busy = await battery_queue.enqueue_many(
        [{"type": "battery.busy", "payload": {"seconds": JOB_SECONDS}}] * 40
    )
    committed: set[uuid.UUID] = {job.id for job in busy}
    with api_server(
        fleet.url, fleet.schema, tmp_path, pool_max_size=API_POOL, pool_wait=API_WAIT
    ) as server:
        async with server.client() as api:
            answered, slowest = await _jammed(fleet.url, fleet.schema, battery_queue, api)
            committed |= answered
            # Cleared: served again at once.
            again = await api.post("/v1/jobs", json=WORK)
            assert again.status_code == 201, again.text
            committed.add(uuid.UUID(again.json()["id"]))

    await wait_until(partial(_all_done, battery_queue, len(committed)), timeout=60)
    report = await check(fleet.url, fleet.schema, committed, fleet.folder)
    assert_holds("pool exhaustion", report, 1, slowest)
    assert report.statuses == {"succeeded": len(committed)}
    assert report.duplicates == 0  # no lease lapsed while the pool was saturated
    for job in busy:
        assert len((await battery_queue.get_job(job.id)).history) == 1


async def _jammed(
    url: str, schema: str, queue: Queue, api: httpx.AsyncClient
) -> tuple[set[uuid.UUID], float]:
    """Jam the API's pool: its connections wait on a dedupe key an open transaction holds.
    Requests meanwhile get 503 with Retry-After within the pool's wait. Returns the ids
    the API answered 2xx for once the jam cleared, and the slowest refusal."""
    holder, watcher = await asyncpg.connect(url), await asyncpg.connect(url)
    try:
        jam = holder.transaction()
        await jam.start()
        await queue.enqueue("battery.work", {"seconds": 0.05}, dedupe_key="jam", connection=holder)
        jammed = {**WORK, "dedupe_key": "jam"}
        stuck = [asyncio.create_task(api.post("/v1/jobs", json=jammed)) for _ in range(API_POOL)]
        await wait_until(partial(_waiting_on_a_lock, watcher, schema, API_POOL), timeout=15)

        async def refused() -> float:
            started = time.monotonic()
            answer = await api.post("/v1/jobs", json=WORK)
            assert answer.status_code == 503, answer.text
            assert answer.headers["retry-after"] == "1"
            assert answer.json()["error"]["code"] == "busy"
            return time.monotonic() - started

        waits = await asyncio.gather(*(refused() for _ in range(30)))
        await jam.rollback()
        held = [await answer for answer in stuck]
    finally:
        await holder.close()
        await watcher.close()
    assert sorted(answer.status_code for answer in held) == [200, 201]  # one wrote, one deduped
    assert max(waits) < API_WAIT + 2.5, waits  # the pool's wait, not a hang
    return {uuid.UUID(answer.json()["id"]) for answer in held}, max(waits)


async def _waiting_on_a_lock(connection: asyncpg.Connection, schema: str, count: int) -> bool:
    waiting = await connection.fetchval(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
        "AND application_name = $1",
        f"equeue:{schema}",
    )
    return int(waiting) >= count


async def _all_done(queue: Queue, total: int) -> bool:
    counts = (await queue.counts()).get("default", {})
    return counts.get("succeeded", 0) == total
