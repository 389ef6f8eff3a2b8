"""Enqueueing: defaults, validation, dedupe, batches and transactions (real PostgreSQL)."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest

from equeue import EnqueueConflictError, InvalidJobError, Job, JobStatus, Queue, UnknownTaskError
from equeue.retry import Backoff
from equeue.storage import SETTLE_ROUNDS
from tests.conftest import storage_of


async def count_jobs(db: asyncpg.Connection, queue: Queue) -> int:
    return int(await db.fetchval(f'SELECT count(*) FROM "{queue.schema}".jobs'))


async def test_task_defaults_apply_and_options_override(queue: Queue) -> None:
    @queue.task(
        name="email.send",
        queue="mail",
        priority=5,
        max_attempts=3,
        timeout=9,
        retry=Backoff(base=0.1),
    )
    def send(to: str) -> None: ...

    job = await queue.enqueue("email.send", {"to": "x@y.z"})
    assert (job.queue, job.priority, job.max_attempts, job.timeout) == ("mail", 5, 3, 9)
    other = await queue.enqueue(send, {"to": "x"}, priority=-3, queue="bulk", timeout=None)
    assert (other.queue, other.priority, other.timeout) == ("bulk", -3, None)
    stored = await queue.get_job(other.id)
    assert stored.payload == {"to": "x"} and stored.status is JobStatus.QUEUED


async def test_unknown_task_is_refused_and_nothing_is_written(
    queue: Queue, db: asyncpg.Connection
) -> None:
    with pytest.raises(UnknownTaskError, match="no worker has registered the task nope"):
        await queue.enqueue("nope", {})
    assert await count_jobs(db, queue) == 0


async def test_task_registered_by_a_worker_elsewhere_is_known(
    queue: Queue, database_url: str
) -> None:
    producer = Queue(database_url, schema=queue.schema)
    try:
        with pytest.raises(UnknownTaskError):
            await producer.enqueue("report.generate", {})
        storage = await storage_of(queue)
        await storage.register_tasks([("report.generate", "reports", 7, 2, 30.0)])
        job = await producer.enqueue("report.generate", {})
        # The defaults the worker registered apply to a producer that lacks the task.
        assert (job.task, job.queue, job.priority) == ("report.generate", "reports", 7)
        assert (job.max_attempts, job.timeout) == (2, 30.0)
    finally:
        await producer.close()


async def test_unknown_tasks_can_be_allowed_ahead_of_a_deploy(
    queue: Queue, database_url: str
) -> None:
    ahead = Queue(database_url, schema=queue.schema, allow_unknown_tasks=True)
    try:
        job = await ahead.enqueue("not.deployed.yet", {"a": 1})
        assert job.status is JobStatus.QUEUED
    finally:
        await ahead.close()


@pytest.mark.parametrize(
    ("payload", "options", "message"),
    [
        ({"when": datetime.now(UTC)}, {}, "not JSON-serialisable"),
        ({}, {"priority": 500}, "priority must be between -100 and 100"),
        ({}, {"delay": -5}, "delay must be between 0"),
        ({}, {"delay": 1e12}, "delay must be between 0"),
    ],
)
async def test_bad_input_is_refused_and_nothing_is_written(
    queue: Queue,
    db: asyncpg.Connection,
    payload: dict[str, object],
    options: dict[str, object],
    message: str,
) -> None:
    @queue.task(name="t")
    def t(**_: object) -> None: ...

    with pytest.raises(InvalidJobError, match=message):
        await queue.enqueue("t", payload, **options)  # type: ignore[arg-type]
    assert await count_jobs(db, queue) == 0


async def test_delay_and_run_at_schedule_the_job(queue: Queue) -> None:
    @queue.task(name="t")
    def t() -> None: ...

    delayed = await queue.enqueue("t", delay=60)
    assert delayed.status is JobStatus.SCHEDULED
    assert timedelta(seconds=59) < delayed.run_at - delayed.created_at < timedelta(seconds=61)
    at = datetime.now(UTC) + timedelta(hours=2)
    later = await queue.enqueue("t", run_at=at)
    assert later.status is JobStatus.SCHEDULED and abs(later.run_at - at) < timedelta(seconds=1)
    past = await queue.enqueue("t", run_at=datetime.now(UTC) - timedelta(hours=1))
    assert past.status is JobStatus.QUEUED


async def test_enqueue_many_inserts_thousands_in_one_call(queue: Queue) -> None:
    @queue.task(name="t")
    def t(n: int) -> None: ...

    jobs = await queue.enqueue_many(
        [
            {"type": "t", "payload": {"n": i}, "priority": i % 7, "tags": ["bulk"]}
            for i in range(5000)
        ]
    )
    assert len(jobs) == 5000
    assert [j.payload["n"] for j in jobs] == list(range(5000))
    counts = await queue.counts()
    assert counts["default"]["queued"] == 5000
    page, _ = await queue.list_jobs(tag="bulk", limit=3)
    assert len(page) == 3


async def test_a_large_batch_stores_every_field_as_sent(queue: Queue) -> None:
    # Batches of 100+ plain jobs take the binary COPY path: each field must land intact,
    # whether it comes from the task's defaults or from the job itself.
    @queue.task(name="copy.defaults", queue="slow", priority=-7, max_attempts=2, timeout=1.5)
    def defaults() -> None: ...

    @queue.task(name="copy.own")
    def own() -> None: ...

    payloads = [
        {"i": i, "text": 'héllo ✓ \\ "q" \t', "nested": {"list": [1, 2.5, None, True]}}
        for i in range(150)
    ]
    items = [{"type": "copy.defaults", "payload": p} for p in payloads[:75]] + [
        {
            "type": "copy.own",
            "payload": p,
            "queue": f"q{i % 3}",
            "priority": 100 - i,
            "max_attempts": 1 + i % 4,
            "timeout": None if i % 2 else 0.25 * (i + 1),
            "tags": [] if i % 5 == 0 else ["bulk", f"t{i % 4}", "ünï"],
        }
        for i, p in enumerate(payloads[75:])
    ]
    returned = await queue.enqueue_many(items)
    for item, job in zip(items, returned, strict=True):
        stored = await queue.get_job(job.id)
        assert stored.task == job.task == item["type"]
        assert stored.payload == job.payload == item["payload"]
        assert stored.status is JobStatus.QUEUED and stored.attempts == 0
        assert stored.created_at == job.created_at and stored.run_at == job.run_at
        mine = item["type"] == "copy.own"
        assert (stored.queue, stored.priority, stored.max_attempts, stored.timeout) == (
            (item["queue"], item["priority"], item["max_attempts"], item["timeout"])
            if mine
            else ("slow", -7, 2, 1.5)
        )
        assert stored.tags == job.tags == (item["tags"] if mine else [])


async def test_a_bad_job_deep_in_a_large_batch_writes_nothing(
    queue: Queue, db: asyncpg.Connection
) -> None:
    # Large batches are validated while they stream: job 3,000 fails after thousands of
    # rows have reached the server, and still nothing is written, on either path.
    @queue.task(name="t")
    def t(n: int) -> None: ...

    items: list[dict[str, object]] = [{"type": "t", "payload": {"n": i}} for i in range(5000)]
    items[3000] = {"type": "t", "payload": {"n": float("nan")}}
    with pytest.raises(InvalidJobError, match="job 3000: payload is not JSON-serialisable"):
        await queue.enqueue_many(items)
    assert await count_jobs(db, queue) == 0

    # Inside the caller's transaction: the error propagates, the caller rolls back, and
    # the connection is fit for the next statement.
    with pytest.raises(InvalidJobError, match="job 3000"):
        async with db.transaction():
            await queue.enqueue_many([{"type": "t"}] * 10, connection=db)
            await queue.enqueue_many(items, connection=db)
    assert await count_jobs(db, queue) == 0
    items[3000] = {"type": "t", "payload": {"n": 3000}}
    assert len(await queue.enqueue_many(items, connection=db)) == 5000
    assert await count_jobs(db, queue) == 5000


async def test_enqueue_many_is_all_or_nothing(queue: Queue, db: asyncpg.Connection) -> None:
    @queue.task(name="t")
    def t() -> None: ...

    with pytest.raises(InvalidJobError, match="job 2: priority must be between"):
        await queue.enqueue_many([{"type": "t"}, {"type": "t"}, {"type": "t", "priority": 900}])
    with pytest.raises(InvalidJobError, match="job 1: unknown keys"):
        await queue.enqueue_many([{"type": "t"}, {"type": "t", "colour": "red"}])
    with pytest.raises(InvalidJobError, match=r"'type' .* is required"):
        await queue.enqueue_many([{"payload": {}}])
    assert await count_jobs(db, queue) == 0


async def test_dedupe_key_returns_the_unfinished_holder(queue: Queue) -> None:
    @queue.task(name="t")
    def t(v: int) -> None: ...

    first = await queue.enqueue("t", {"v": 1}, dedupe_key="order-42")
    again = await queue.enqueue("t", {"v": 2}, dedupe_key="order-42")
    assert again.id == first.id and again.deduplicated and not first.deduplicated
    assert again.payload == {"v": 1}
    # Once the holder is finished the key is free again.
    await queue.cancel(first.id)
    third = await queue.enqueue("t", {"v": 3}, dedupe_key="order-42")
    assert third.id != first.id and not third.deduplicated


async def test_dedupe_within_one_batch(queue: Queue) -> None:
    @queue.task(name="t")
    def t() -> None: ...

    jobs = await queue.enqueue_many([{"type": "t", "dedupe_key": "k"}] * 3)
    assert len({j.id for j in jobs}) == 1
    assert [j.deduplicated for j in jobs] == [False, True, True]


async def test_concurrent_enqueues_of_one_dedupe_key_create_one_job(
    queue: Queue, database_url: str, db: asyncpg.Connection
) -> None:
    producers = [
        Queue(
            database_url,
            schema=queue.schema,
            allow_unknown_tasks=True,
            pool_min_size=1,
            pool_max_size=1,
        )
        for _ in range(20)
    ]
    try:
        for p in producers:
            await p.open()
        results = await asyncio.gather(
            *(p.enqueue("t", {"i": i}, dedupe_key="same") for i, p in enumerate(producers))
        )
    finally:
        await asyncio.gather(*(p.close() for p in producers))
    assert len({job.id for job in results}) == 1
    assert sum(not job.deduplicated for job in results) == 1
    assert await count_jobs(db, queue) == 1


async def test_transactional_enqueue_exists_only_if_the_transaction_commits(
    queue: Queue, db: asyncpg.Connection
) -> None:
    @queue.task(name="t")
    def t() -> None: ...

    with pytest.raises(RuntimeError, match="rollback please"):
        async with db.transaction():
            rolled_back = await queue.enqueue("t", connection=db)
            raise RuntimeError("rollback please")
    async with db.transaction():
        committed = await queue.enqueue_many([{"type": "t"}], connection=db)
        # Not visible to others before the commit.
        with pytest.raises(LookupError):
            await queue.get_job(committed[0].id)
    assert (await queue.get_job(committed[0].id)).status is JobStatus.QUEUED
    with pytest.raises(LookupError):
        await queue.get_job(rolled_back.id)
    assert await count_jobs(db, queue) == 1


async def test_list_jobs_pages_newest_first_with_a_stable_cursor(queue: Queue) -> None:
    @queue.task(name="t")
    def t(n: int) -> None: ...

    for i in range(25):
        await queue.enqueue("t", {"n": i})
    page1, cursor = await queue.list_jobs(limit=10)
    assert [j.payload["n"] for j in page1] == list(range(24, 14, -1))
    await queue.enqueue("t", {"n": 99})  # added meanwhile: must not shift the next page
    page2, cursor = await queue.list_jobs(limit=10, cursor=cursor)
    assert [j.payload["n"] for j in page2] == list(range(14, 4, -1))
    page3, cursor = await queue.list_jobs(limit=10, cursor=cursor)
    assert [j.payload["n"] for j in page3] == [4, 3, 2, 1, 0] and cursor is None
    queued, _ = await queue.list_jobs(status="queued", queue="default", task="t", limit=100)
    assert len(queued) == 26


async def test_dedupe_key_clashes_under_churn_never_lose_a_job(
    queue: Queue, database_url: str, db: asyncpg.Connection
) -> None:
    """Enqueuers hammer a few dedupe keys, in batches that list them in different orders
    and repeat one, while the holders keep finishing. Every job asked for comes back:
    written (and then stored as sent) or deduplicated to a holder of its key."""
    keys = [f"key-{n}" for n in range(3)]
    producers = [
        Queue(
            database_url,
            schema=queue.schema,
            allow_unknown_tasks=True,
            pool_min_size=1,
            pool_max_size=1,
        )
        for _ in range(4)
    ]
    written: dict[object, object] = {}  # job id -> the payload it was asked with
    done = asyncio.Event()

    async def finish_holders() -> None:
        # Cancel holders as soon as they appear, so keys keep freeing up mid-enqueue.
        while not done.is_set():
            await db.execute(
                f"UPDATE \"{queue.schema}\".jobs SET status = 'cancelled', finished_at = now()"
                " WHERE dedupe_key = ANY($1) AND status IN ('queued', 'scheduled')",
                keys,
            )

    def check(asked: list[dict[str, Any]], got: list[Job]) -> None:
        assert len(got) == len(asked)
        for ask, job in zip(asked, got, strict=True):
            assert job.dedupe_key == ask["dedupe_key"]
            if not job.deduplicated:
                assert job.payload == ask["payload"] and job.id not in written
                written[job.id] = ask["payload"]

    async def produce(number: int, producer: Queue) -> None:
        for n in range(150):
            one = {"payload": {"ask": f"{number}-{n}"}, "dedupe_key": keys[n % len(keys)]}
            check(
                [one], [await producer.enqueue("t", one["payload"], dedupe_key=one["dedupe_key"])]
            )
            order = keys[number % len(keys) :] + keys[: number % len(keys)]
            batch = [
                {"type": "t", "payload": {"ask": f"{number}-{n}-{i}"}, "dedupe_key": key}
                for i, key in enumerate([*order, order[0]])
            ]
            check(batch, await producer.enqueue_many(batch))

    finisher = asyncio.create_task(finish_holders())
    try:
        await asyncio.gather(*(produce(n, p) for n, p in enumerate(producers)))
    finally:
        done.set()
        await finisher
        await asyncio.gather(*(p.close() for p in producers))
    # The table holds exactly the jobs reported written, as they were asked for.
    stored = await db.fetch(f'SELECT id, payload FROM "{queue.schema}".jobs')
    assert {row["id"]: json.loads(row["payload"]) for row in stored} == written


async def test_an_enqueue_whose_holders_keep_vanishing_is_deduplicated_in_the_end(
    queue: Queue, database_url: str, db: asyncpg.Connection
) -> None:
    """The race behind a second dedupe round, forced eight times in a row: the enqueue
    still returns the job holding its key in the end (it used to give up after five)."""
    enqueue, holder = await _holders_vanish(queue, database_url, db, times=8)
    job = await asyncio.wait_for(enqueue, 30)
    assert job.deduplicated and job.id == holder.id
    assert (await queue.get_job(holder.id)).status is JobStatus.QUEUED
    assert await count_jobs(db, queue) == 1


async def test_an_enqueue_whose_holders_vanish_without_end_is_refused(
    queue: Queue, database_url: str, db: asyncpg.Connection
) -> None:
    """Past SETTLE_ROUNDS such races the enqueue gives up with a clear error, and its job
    is not written."""
    enqueue, holder = await _holders_vanish(queue, database_url, db, times=SETTLE_ROUNDS)
    with pytest.raises(EnqueueConflictError, match=r"holders of dedupe key.* k kept finishing"):
        await asyncio.wait_for(enqueue, 30)
    assert [job.id for job in (await queue.list_jobs())[0]] == [holder.id]


async def _holders_vanish(
    queue: Queue, database_url: str, db: asyncpg.Connection, times: int
) -> tuple[asyncio.Task[Job], Job]:
    """Enqueue a job with a dedupe key while, ``times`` in a row, its insert meets a
    holder, the holder is deleted before the enqueue reads it, and the next holder is
    written before the enqueue inserts again. Returns the enqueue (still running, or
    ended) and the last holder, committed."""

    @queue.task(name="t")
    def t() -> None: ...

    # An insert statement's trigger asks event_watchers whether anyone watches events:
    # a lock on that table holds an insert back after it has met the holder.
    watchers = f'"{queue.schema}".event_watchers'
    writer = await asyncpg.connect(database_url)  # writes each holder, in a transaction
    gate = await asyncpg.connect(database_url)  # holds inserts back in their trigger
    try:
        holder_tx = writer.transaction()
        await holder_tx.start()
        holder = await queue.enqueue("t", dedupe_key="k", connection=writer)
        enqueue = asyncio.create_task(queue.enqueue("t", {"mine": True}, dedupe_key="k"))
        for _ in range(times):
            await _waits(db, enqueue, queue.schema, "transactionid")  # for the holder
            gate_tx = gate.transaction()
            await gate_tx.start()
            lock = f"LOCK TABLE {watchers} IN ACCESS EXCLUSIVE MODE"
            await _run_when_waiting(db, gate, lock, then=holder_tx.commit())
            await _waits(db, enqueue, queue.schema, "relation")  # met the holder: at the gate
            await queue.delete(holder.id)
            holder_tx = writer.transaction()
            await holder_tx.start()
            write = queue.enqueue("t", dedupe_key="k", connection=writer)
            holder = await _run_when_waiting(db, writer, write, then=gate_tx.commit())
        # The enqueue has either given up or meets the last holder, still uncommitted.
        await _waits(db, enqueue, queue.schema, "transactionid", or_end=True)
        await holder_tx.commit()
    finally:
        await writer.close()
        await gate.close()
    return enqueue, holder


async def _waits(
    db: asyncpg.Connection, task: asyncio.Task[Any], schema: str, lock: str, or_end: bool = False
) -> None:
    """Wait until the queue's insert statement waits for a ``lock`` (``task`` runs it),
    or, with ``or_end``, until the task has ended."""
    deadline = asyncio.get_running_loop().time() + 15
    while not await db.fetchval(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event = $1"
        " AND application_name = $2 AND position('INSERT INTO' in query) > 0",
        lock,
        f"equeue:{schema}",
    ):
        if task.done():
            if or_end:
                return
            job = task.result()  # raises what ended the enqueue, if anything did
            raise AssertionError(f"the enqueue ended ({job}) instead of waiting for a {lock}")
        assert asyncio.get_running_loop().time() < deadline, f"no wait for a {lock} lock"
        await asyncio.sleep(0.01)


async def _run_when_waiting(
    db: asyncpg.Connection, connection: asyncpg.Connection, work: Any, *, then: Any
) -> Any:
    """Run ``work`` (a statement, or an awaitable using ``connection``); once it waits for
    a lock, await ``then`` (which frees that lock); returns what ``work`` returned."""
    if isinstance(work, str):
        work = connection.execute(work)
    running = asyncio.ensure_future(work)
    deadline = asyncio.get_running_loop().time() + 15
    while not await db.fetchval(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pid = $1",
        connection.get_server_pid(),
    ):
        assert not running.done(), "the statement ran without waiting"
        assert asyncio.get_running_loop().time() < deadline, "the statement never waited"
        await asyncio.sleep(0.01)
    await then
    return await running
