"""A long transaction held open by another connection, one that LISTENs on the queue's
channel and keeps a snapshot: the NOTIFY queue cannot be cleaned up behind it and vacuum
cannot remove dead job rows. Enqueues go on without an error, claims keep walking the
claim index, and once it ends the notification queue empties and the backlog drains."""

from __future__ import annotations

import asyncio
import time
import uuid
from functools import partial

import asyncpg
import pytest

from equeue import Queue
from equeue.storage.sql import channel_name
from tests.conftest import storage_of, wait_until
from tests.e2e.battery.battery_app import MAX_ATTEMPTS
from tests.e2e.battery.conftest import Fleet
from tests.e2e.battery.invariants import assert_holds, check

pytestmark = pytest.mark.battery
WORK = {"type": "battery.work", "payload": {"seconds": 0.01}, "max_attempts": MAX_ATTEMPTS}
FAULT_SECONDS = 4.0


class Load:
    """Enqueues without pause, in batches and one by one (each its own NOTIFY)."""

    def __init__(self, queue: Queue) -> None:
        self.queue = queue
        self.committed: set[uuid.UUID] = set()
        self.running = True

    async def run(self) -> None:
        while self.running:  # an enqueue that raised fails the test
            jobs = await self.queue.enqueue_many([WORK] * 20)
            single = await self.queue.enqueue("battery.work", {"seconds": 0.01})
            self.committed |= {job.id for job in jobs} | {single.id}
            await asyncio.sleep(0.02)


async def claim_plan(queue: Queue) -> str:
    storage = await storage_of(queue)
    rows = await storage.pool.fetch(
        "EXPLAIN " + storage.q["claim_jobs"], None, 100, "w", 30.0, None, False, None, 0, 0.0, None
    )
    return "\n".join(row[0] for row in rows)


async def succeeded(queue: Queue) -> int:
    return (await queue.counts()).get("default", {}).get("succeeded", 0)


async def test_a_long_transaction_fails_no_enqueue_and_claims_keep_their_index(
    battery_queue: Queue, fleet: Fleet, db: asyncpg.Connection
) -> None:
    for _ in range(2):
        fleet.spawn("--concurrency", "20")
    load = Load(battery_queue)
    enqueuing = asyncio.create_task(load.run())

    async def flowing() -> bool:
        return await succeeded(battery_queue) >= 200

    await wait_until(flowing, timeout=30)

    holder = await asyncpg.connect(fleet.url)
    await holder.execute(f'LISTEN "{channel_name(fleet.schema)}"')
    held = holder.transaction(isolation="repeatable_read")
    await held.start()
    await holder.fetchval(f'SELECT count(*) FROM "{fleet.schema}".jobs')  # the snapshot
    done_before = await succeeded(battery_queue)
    await asyncio.sleep(FAULT_SECONDS)  # the fault lasts this long, under load
    during = (await succeeded(battery_queue) - done_before) / FAULT_SECONDS
    usage = float(await db.fetchval("SELECT pg_notification_queue_usage()"))
    plan = await claim_plan(battery_queue)
    await held.rollback()
    await holder.close()
    ended = time.monotonic()

    done_after = await succeeded(battery_queue)
    await asyncio.sleep(FAULT_SECONDS)  # as long again, after it
    after = (await succeeded(battery_queue) - done_after) / FAULT_SECONDS
    load.running = False
    await enqueuing
    await wait_until(partial(_all_succeeded, battery_queue, len(load.committed)), timeout=90)
    recovery = time.monotonic() - ended

    async def queue_emptied() -> bool:
        return float(await db.fetchval("SELECT pg_notification_queue_usage()")) == 0

    await wait_until(queue_emptied, timeout=30)
    report = await check(fleet.url, fleet.schema, load.committed, fleet.folder)
    name = f"long transaction (jobs/s {during:.0f} held, {after:.0f} after)"
    assert_holds(name, report, 1, recovery)
    assert report.statuses == {"succeeded": len(load.committed)}
    assert usage > 0  # the fault did hold notifications back
    assert "Index Scan using jobs_claimable on" in plan and "Sort" not in plan, plan
    assert during > 0 and after > 0


async def _all_succeeded(queue: Queue, total: int) -> bool:
    return await succeeded(queue) == total
