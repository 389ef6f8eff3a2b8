"""An idempotency key names the one job its first request created: a repeat of that
request gets that job back, finished or not, and never writes a second; a different
request under the same key is refused; keys go with the jobs' retention."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest

from equeue import Queue
from equeue.errors import IdempotencyKeyReusedError, IdempotentJobGoneError
from equeue.worker.maintenance import Maintenance, MaintenanceSettings
from tests.conftest import storage_of


@pytest.fixture(autouse=True)
def task(queue: Queue) -> None:
    @queue.task(name="t")
    def t(n: int = 0) -> None: ...


@pytest.fixture
def key() -> str:
    return f"k-{uuid.uuid4().hex}"


async def count_jobs(db: asyncpg.Connection, queue: Queue) -> int:
    return int(await db.fetchval(f'SELECT count(*) FROM "{queue.schema}".jobs'))


async def test_a_repeat_returns_the_first_job_even_once_it_finished(
    queue: Queue, db: asyncpg.Connection, key: str
) -> None:
    first = await queue.enqueue("t", {"a": 1, "b": 2}, idempotency_key=key)
    assert not first.deduplicated
    await queue.cancel(first.id)  # finished: a dedupe key would be free again
    again = await queue.enqueue("t", {"b": 2, "a": 1}, idempotency_key=key)
    assert again.id == first.id and again.deduplicated and again.status == "cancelled"
    assert await count_jobs(db, queue) == 1


async def test_a_different_request_under_a_taken_key_is_refused(
    queue: Queue, db: asyncpg.Connection, key: str
) -> None:
    first = await queue.enqueue("t", {"n": 1}, idempotency_key=key)
    for other in ({"payload": {"n": 2}}, {"payload": {"n": 1}, "priority": 5}):
        with pytest.raises(IdempotencyKeyReusedError, match="different contents") as refused:
            await queue.enqueue("t", idempotency_key=key, **other)  # type: ignore[arg-type]
        assert refused.value.job_id == first.id
        assert str(first.id) in str(refused.value)
    assert await count_jobs(db, queue) == 1


async def test_the_key_of_a_deleted_job_writes_nothing(
    queue: Queue, db: asyncpg.Connection, key: str
) -> None:
    first = await queue.enqueue("t", idempotency_key=key)
    await queue.cancel(first.id)
    await queue.delete(first.id)
    with pytest.raises(IdempotentJobGoneError, match=f"{first.id}.*deleted"):
        await queue.enqueue("t", idempotency_key=key)
    assert await count_jobs(db, queue) == 0


async def test_fifty_concurrent_repeats_write_one_job(
    queue: Queue, db: asyncpg.Connection, key: str
) -> None:
    jobs = await asyncio.gather(
        *(queue.enqueue("t", {"n": 1}, idempotency_key=key) for _ in range(50))
    )
    assert len({job.id for job in jobs}) == 1
    assert sum(not job.deduplicated for job in jobs) == 1
    assert await count_jobs(db, queue) == 1


async def test_a_key_taken_in_a_transaction_that_rolls_back_stays_free(
    queue: Queue, db: asyncpg.Connection, key: str
) -> None:
    storage = await storage_of(queue)
    async with storage.pool.acquire() as conn:
        transaction = conn.transaction()
        await transaction.start()
        await queue.enqueue("t", idempotency_key=key, connection=conn)
        await transaction.rollback()
    job = await queue.enqueue("t", {"n": 2}, idempotency_key=key)
    assert not job.deduplicated
    assert await count_jobs(db, queue) == 1


async def test_with_a_dedupe_key_the_key_names_the_holder(
    queue: Queue, db: asyncpg.Connection, key: str
) -> None:
    holder = await queue.enqueue("t", dedupe_key="d")
    job = await queue.enqueue("t", dedupe_key="d", idempotency_key=key)
    assert job.id == holder.id and job.deduplicated
    await queue.cancel(holder.id)
    again = await queue.enqueue("t", dedupe_key="d", idempotency_key=key)
    assert again.id == holder.id
    assert await count_jobs(db, queue) == 1


async def test_maintenance_forgets_keys_past_the_retention(
    queue: Queue, db: asyncpg.Connection
) -> None:
    keys = [f"k{i}" for i in range(12)]
    for k in keys:
        await queue.enqueue("t", idempotency_key=k)
    await db.execute(
        f"UPDATE \"{queue.schema}\".idempotency_keys SET created_at = now() - interval '8 days'"
        " WHERE key <> 'k0'"
    )
    settings = MaintenanceSettings(prune_batch_size=5)  # three batches in one round
    await Maintenance(await storage_of(queue), settings).run_once()
    left = await db.fetch(f'SELECT key FROM "{queue.schema}".idempotency_keys')
    assert [row["key"] for row in left] == ["k0"]
