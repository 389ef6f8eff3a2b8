"""Chords (a group of jobs with a callback) against a real PostgreSQL: the callback is
enqueued exactly once, when the last job finishes, however many finish at once and
however they end (succeeded, failed, cancelled, deleted)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import asyncpg
import pytest

from equeue import Queue
from equeue.errors import InvalidJobError
from equeue.storage import Failure
from tests.conftest import running_worker, storage_of, wait_until
from tests.integration.test_chains import jobs_of

RACERS = 25  #: connections completing members at the same moment


async def test_the_callback_runs_exactly_once_under_100_racing_completions(
    queue: Queue, db: asyncpg.Connection, database_url: str
) -> None:
    queue.allow_unknown_tasks = True
    storage = await storage_of(queue)
    chord = await queue.chord(
        [{"type": "part", "payload": {"n": n}} for n in range(100)],
        {"type": "merge", "payload": {"into": "report"}},
    )
    held = await storage.claim("w", None, 100, 60)
    assert len(held) == 100
    connections = [await asyncpg.connect(database_url) for _ in range(RACERS)]
    gate = asyncio.Event()

    async def complete_share(index: int) -> None:
        await gate.wait()
        for job in held[index::RACERS]:  # one statement, one transaction per member
            ack = (job.id, job.lease_token, json.dumps(json.loads(job.payload)["n"]))
            assert await storage.complete([ack], executor=connections[index]) == {job.id}

    try:
        racing = [asyncio.create_task(complete_share(i)) for i in range(RACERS)]
        gate.set()
        await asyncio.gather(*racing)
    finally:
        for connection in connections:
            await connection.close()

    [merge] = await jobs_of(db, queue, "merge")
    assert merge["payload"]["into"] == "report"
    members = merge["payload"]["chord"]["members"]
    assert merge["payload"]["chord"]["id"] == str(chord.id)
    assert [m["result"] for m in members] == list(range(100))  # in the order given
    assert {m["status"] for m in members} == {"succeeded"}
    read = await queue.get_chord(chord.id)
    assert (read.remaining, read.callback_job_id) == (0, merge["id"])
    assert (await queue.get_job(merge["id"])).chord_id == chord.id


async def test_the_callback_runs_once_when_several_workers_finish_the_jobs(
    queue: Queue, db: asyncpg.Connection
) -> None:
    merged: list[dict[str, Any]] = []

    @queue.task(name="part")
    async def part(n: int) -> int:
        await asyncio.sleep(0.001 * (n % 7))
        return n * n

    @queue.task(name="merge")
    async def merge(chord: dict[str, Any]) -> int:
        merged.append(chord)
        return sum(m["result"] for m in chord["members"])

    chord = await queue.chord(
        [{"type": "part", "payload": {"n": n}} for n in range(100)], {"type": "merge"}
    )
    async with (
        running_worker(queue, concurrency=20),
        running_worker(queue, concurrency=20),
        running_worker(queue, concurrency=20),
    ):
        await wait_until(lambda: len(merged) == 1, timeout=60)
        callback_id = (await queue.get_chord(chord.id)).callback_job_id
        assert callback_id is not None
    assert len(await jobs_of(db, queue, "merge")) == 1
    assert [m["result"] for m in merged[0]["members"]] == [n * n for n in range(100)]


async def test_cancelled_deleted_and_failed_jobs_count_as_finished(
    queue: Queue, db: asyncpg.Connection
) -> None:
    queue.allow_unknown_tasks = True
    storage = await storage_of(queue)
    chord = await queue.chord(
        [
            {"type": "cancelled"},
            {"type": "deleted"},
            {"type": "fails", "max_attempts": 1},
            {"type": "runs"},
        ],
        {"type": "after"},
    )
    first, second, third, fourth = (m.id for m in chord.members)
    await queue.cancel(first)
    await queue.delete(second)
    [failing, running] = await storage.claim("w", None, 2, 30)
    failure = Failure(failing.id, failing.lease_token, "Boom: no", "Traceback...", 0.0)
    assert await storage.fail([failure]) == {third: "failed"}
    assert await jobs_of(db, queue, "after") == []  # one job left to wait for
    assert (await queue.get_chord(chord.id)).remaining == 1

    await storage.complete([(running.id, running.lease_token, '"ok"')])
    [after] = await jobs_of(db, queue, "after")
    statuses = [
        (m["status"], m["result"], m["error"]) for m in after["payload"]["chord"]["members"]
    ]
    assert statuses == [
        ("cancelled", None, None),
        ("deleted", None, None),
        ("failed", None, "Boom: no"),
        ("succeeded", "ok", None),
    ]
    assert [m.status for m in (await queue.get_chord(chord.id)).members] == [
        "cancelled",
        "deleted",
        "failed",
        "succeeded",
    ]
    assert fourth == running.id


async def test_a_job_retried_by_hand_is_counted_once(queue: Queue, db: asyncpg.Connection) -> None:
    queue.allow_unknown_tasks = True
    storage = await storage_of(queue)
    chord = await queue.chord(
        [{"type": "first", "max_attempts": 1}, {"type": "second", "delay": 3600}],
        {"type": "after"},
    )
    [held] = await storage.claim("w", None, 1, 30)
    await storage.fail([Failure(held.id, held.lease_token, "E: x", "x", 0.0)])
    await queue.retry(held.id)
    [again] = await storage.claim("w", None, 1, 30)
    await storage.complete([(again.id, again.lease_token, "1")])
    # Finished twice, counted once: the chord still waits for its second job.
    assert (await queue.get_chord(chord.id)).remaining == 1
    assert await jobs_of(db, queue, "after") == []


async def test_a_chord_is_checked_at_enqueue(queue: Queue) -> None:
    queue.allow_unknown_tasks = True
    with pytest.raises(InvalidJobError, match="1 to"):
        await queue.chord([], {"type": "after"})
    with pytest.raises(InvalidJobError, match="dedupe_key"):
        await queue.chord([{"type": "a", "dedupe_key": "k"}], {"type": "after"})
    with pytest.raises(InvalidJobError, match="'parent', 'chord' are reserved"):
        await queue.chord([{"type": "a"}], {"type": "after", "payload": {"chord": 1}})
    with pytest.raises(InvalidJobError, match=r"callback: .*max_attempts"):
        await queue.chord([{"type": "a"}], {"type": "after", "max_attempts": 0})
    assert await queue.counts() == {}


async def test_a_member_archived_before_the_last_one_finished_is_read_with_its_outcome(
    queue: Queue, db: asyncpg.Connection
) -> None:
    """Members that finished long before the last one have moved to job_history: the
    callback and GET /v1/chords still read their outcomes there, not as deleted."""
    queue.allow_unknown_tasks = True
    storage = await storage_of(queue)
    chord = await queue.chord([{"type": "part"}, {"type": "part"}], {"type": "merge"})
    first, second = sorted(await storage.claim("w", None, 2, 60), key=lambda job: job.id)
    assert await storage.complete([(first.id, first.lease_token, '"early"')]) == {first.id}
    await storage.run_duty("archive", "archive_finished_jobs", 0.0, 86400.0, 100)
    archived = f'SELECT count(*) FROM "{queue.schema}".job_history WHERE id = $1'
    assert await db.fetchval(archived, first.id) == 1

    assert await storage.complete([(second.id, second.lease_token, '"late"')]) == {second.id}
    [merge] = await jobs_of(db, queue, "merge")
    members = merge["payload"]["chord"]["members"]
    assert [(m["status"], m["result"]) for m in members] == [
        ("succeeded", "early"),
        ("succeeded", "late"),
    ]
    read = await queue.get_chord(chord.id)
    assert [m.status for m in read.members] == ["succeeded", "succeeded"]
