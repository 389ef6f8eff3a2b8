"""Queue and its administration façade: the only way above the engine into the database,
speaking equeue's errors, never the driver's."""

from __future__ import annotations

import uuid

import pytest

from equeue import Queue
from equeue.errors import DatabaseError, DatabaseUnavailableError, DatabaseValueError
from tests.conftest import running_worker, wait_until


async def test_opening_a_queue_hands_out_no_storage(queue: Queue) -> None:
    assert await queue.open() is None
    async with queue as opened:
        assert opened is queue


async def test_an_unreachable_database_is_an_equeue_error_and_still_an_os_error() -> None:
    queue = Queue("postgresql://postgres@127.0.0.1:1/postgres")
    with pytest.raises(DatabaseUnavailableError) as caught:
        await queue.open()
    assert isinstance(caught.value, OSError)  # callers that caught OSError still do
    assert isinstance(caught.value.__cause__, OSError)  # the driver's, kept for the logs


async def test_a_value_the_database_refuses_is_an_equeue_error(queue: Queue) -> None:
    with pytest.raises(DatabaseValueError) as caught:
        await queue.admin.revoke_key("nul\x00")
    assert caught.value.sqlstate is not None and caught.value.sqlstate.startswith("22")
    with pytest.raises(DatabaseValueError):
        await queue.pause_queue("nul\x00")


async def test_a_missing_schema_is_an_equeue_error(database_url: str) -> None:
    queue = Queue(database_url, schema=f"t_{uuid.uuid4().hex[:16]}")
    try:
        with pytest.raises(DatabaseError) as caught:
            await queue.admin.list_keys()  # its tables were never created
        assert caught.value.sqlstate == "42P01"  # undefined_table
        assert await queue.admin.pending_migrations() != []
    finally:
        await queue.close()


async def test_the_facade_reads_what_the_engine_wrote(queue: Queue) -> None:
    assert await queue.admin.pending_migrations() == []
    await queue.pause_queue("mail")
    assert await queue.admin.queue_flags() == {"mail": True}

    @queue.task(name="admin.noop", queue="mail", priority=3)
    async def noop() -> None: ...

    async with running_worker(queue) as worker:

        async def listed() -> bool:
            return [w["id"] for w in await queue.admin.live_workers(60)] == [worker.id]

        await wait_until(listed)
        assert [w["id"] for w in await queue.admin.workers()] == [worker.id]
        assert await queue.admin.count_live_workers(60) == 1
        [task] = await queue.admin.tasks()
        assert (task["name"], task["queue"], task["priority"]) == ("admin.noop", "mail", 3)
