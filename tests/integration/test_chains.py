"""Chains (a job's on_success and on_failure follow-ups) against a real PostgreSQL: each is
enqueued once, by the statement that ends its parent and only when that statement lands,
with the parent's id and outcome in its payload."""

from __future__ import annotations

import json
import uuid
from typing import Any

import asyncpg
import pytest

from equeue import Queue
from equeue.errors import InvalidJobError, UnknownTaskError
from equeue.storage import Failure
from tests.conftest import running_worker, storage_of, wait_until


async def jobs_of(db: asyncpg.Connection, queue: Queue, task: str) -> list[dict[str, Any]]:
    """The jobs of ``task``, oldest first, with their payload decoded."""
    rows = await db.fetch(
        f'SELECT id, status, payload, parent_id FROM "{queue.schema}".any_jobs '
        "WHERE task = $1 ORDER BY id",
        task,
    )
    return [dict(r, payload=json.loads(r["payload"])) for r in rows]


def failure(job_id: uuid.UUID, token: uuid.UUID) -> Failure:
    return Failure(id=job_id, token=token, error="Boom: no", detail="Traceback...", delay=0.0)


async def test_on_success_is_enqueued_once_with_the_parents_result(
    queue: Queue, db: asyncpg.Connection
) -> None:
    @queue.task(name="order.total")
    async def total(items: list[int]) -> dict[str, int]:
        return {"total": sum(items)}

    seen: list[dict[str, Any]] = []

    @queue.task(name="order.mail")
    async def mail(to: str, parent: dict[str, Any]) -> None:
        seen.append({"to": to, "parent": parent})

    @queue.task(name="order.alert")
    async def alert(parent: dict[str, Any]) -> None:
        raise AssertionError("the parent succeeded")

    parent = await queue.enqueue(
        "order.total",
        {"items": [1, 2, 3]},
        on_success={"type": "order.mail", "payload": {"to": "ann"}},
        on_failure={"type": "order.alert"},
    )
    async with running_worker(queue):
        await wait_until(lambda: len(seen) == 1)
    [mailed] = await jobs_of(db, queue, "order.mail")
    expected_parent = {
        "id": str(parent.id),
        "task": "order.total",
        "status": "succeeded",
        "result": {"total": 6},
        "error": None,
    }
    assert seen == [{"to": "ann", "parent": expected_parent}]
    assert await jobs_of(db, queue, "order.alert") == []
    follow_up = await queue.get_job(mailed["id"])
    assert follow_up.parent_id == parent.id
    assert (await queue.get_job(parent.id)).follow_ups is not None


async def test_on_failure_only_when_the_job_fails_for_good_not_on_a_retry(
    queue: Queue, db: asyncpg.Connection
) -> None:
    queue.allow_unknown_tasks = True
    storage = await storage_of(queue)
    parent = await queue.enqueue(
        "flaky", max_attempts=2, on_failure={"type": "cleanup", "payload": {"why": "flaky"}}
    )
    [first] = await storage.claim("w", None, 1, 30)
    assert await storage.fail([failure(first.id, first.lease_token)]) == {parent.id: "retrying"}
    assert await jobs_of(db, queue, "cleanup") == []

    [second] = await storage.claim("w", None, 1, 30)
    assert await storage.fail([failure(second.id, second.lease_token)]) == {parent.id: "failed"}
    [cleanup] = await jobs_of(db, queue, "cleanup")
    assert cleanup["status"] == "queued"
    assert cleanup["parent_id"] == parent.id
    assert cleanup["payload"] == {
        "why": "flaky",
        "parent": {
            "id": str(parent.id),
            "task": "flaky",
            "status": "failed",
            "result": None,
            "error": "Boom: no",
        },
    }


async def test_a_fenced_out_completion_enqueues_no_follow_up(
    queue: Queue, db: asyncpg.Connection
) -> None:
    queue.allow_unknown_tasks = True
    storage = await storage_of(queue)
    parent = await queue.enqueue("slow", on_success={"type": "next"})
    [stale] = await storage.claim("w1", None, 1, 30)
    # The first worker's lease runs out; the job is rescued and claimed again elsewhere.
    await db.execute(
        f"UPDATE \"{queue.schema}\".jobs SET lease_expires_at = now() - interval '1 second'"
    )
    assert await storage.run_duty("rescue", "rescue_expired_leases", 100)
    [fresh] = await storage.claim("w2", None, 1, 30)
    assert fresh.lease_token != stale.lease_token

    assert await storage.complete([(stale.id, stale.lease_token, '"late"')]) == set()
    assert await jobs_of(db, queue, "next") == []

    assert await storage.complete([(fresh.id, fresh.lease_token, '"done"')]) == {parent.id}
    [follow_up] = await jobs_of(db, queue, "next")
    assert follow_up["payload"]["parent"]["result"] == "done"


async def test_a_rolled_back_transactional_completion_enqueues_no_follow_up(
    queue: Queue, db: asyncpg.Connection
) -> None:
    queue.allow_unknown_tasks = True
    storage = await storage_of(queue)
    await queue.enqueue("pay", on_success={"type": "receipt"})
    [held] = await storage.claim("w", None, 1, 30)
    ack = (held.id, held.lease_token, '{"paid": true}')

    with pytest.raises(RuntimeError):
        async with storage.transaction() as connection:
            assert await storage.complete([ack], executor=connection) == {held.id}
            raise RuntimeError("the task's own write failed after the completion")
    assert await jobs_of(db, queue, "receipt") == []
    assert (await queue.get_job(held.id)).status == "running"

    async with storage.transaction() as connection:
        assert await storage.complete([ack], executor=connection) == {held.id}
    [receipt] = await jobs_of(db, queue, "receipt")
    assert receipt["payload"]["parent"]["result"] == {"paid": True}


async def test_follow_ups_of_a_batch_and_a_chain_of_three(
    queue: Queue, db: asyncpg.Connection
) -> None:
    queue.allow_unknown_tasks = True
    storage = await storage_of(queue)
    third = {"type": "c", "payload": {"n": 3}}
    [plain, chained] = await queue.enqueue_many(
        [
            {"type": "a", "payload": {"n": 0}},
            {"type": "a", "payload": {"n": 1}, "on_success": {"type": "b", "on_success": third}},
        ]
    )
    assert plain.follow_ups is None
    assert chained.follow_ups is not None
    for _ in range(3):
        for held in await storage.claim("w", None, 10, 30):
            await storage.complete([(held.id, held.lease_token, json.dumps(held.task))])
    [b] = await jobs_of(db, queue, "b")
    [c] = await jobs_of(db, queue, "c")
    assert b["parent_id"] == chained.id
    assert c["parent_id"] == b["id"]
    assert c["payload"] == {
        "n": 3,
        "parent": {
            "id": str(b["id"]),
            "task": "b",
            "status": "succeeded",
            "result": "b",
            "error": None,
        },
    }


async def test_follow_ups_are_checked_at_enqueue(queue: Queue) -> None:
    @queue.task(name="known")
    async def known() -> None: ...

    with pytest.raises(UnknownTaskError, match="nobody"):
        await queue.enqueue("known", on_success={"type": "nobody"})
    with pytest.raises(InvalidJobError, match=r"on_failure: .*priority"):
        await queue.enqueue("known", on_failure={"type": "known", "priority": 1000})
    with pytest.raises(InvalidJobError, match="'parent', 'chord' are reserved"):
        await queue.enqueue("known", on_success={"type": "known", "payload": {"parent": 1}})
    with pytest.raises(InvalidJobError, match="no run_at"):
        await queue.enqueue("known", on_success={"type": "known", "run_at": "2030-01-01"})
    with pytest.raises(InvalidJobError, match=r"job 1: on_success must be a job spec"):
        await queue.enqueue_many([{"type": "known"}, {"type": "known", "on_success": "known"}])
    assert (await queue.counts()) == {}
