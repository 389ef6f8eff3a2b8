"""Single enqueues beyond the few in flight are written together, and a failure of the
statement they share reaches each of them as its own (equeue.storage.combining).

The writes here are stand-ins that wait on the test's say-so, so what is in flight at any
moment is decided by the test, not by timing; the statements themselves are covered
against PostgreSQL in tests/integration/test_enqueue.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime

import asyncpg
import pytest

from equeue.errors import DatabaseError, DatabaseValueError
from equeue.job import Job, NewJob, new_job
from equeue.storage.combining import IN_FLIGHT, SingleEnqueues
from equeue.storage.rows import job_from_new


def written(new: NewJob) -> Job:
    now = datetime.now(UTC)
    return job_from_new(new, "queued", now, now)


class Writes:
    """Records each statement; each waits until the test releases it."""

    def __init__(self) -> None:
        self.alone: list[NewJob] = []
        self.together: list[list[NewJob]] = []
        self.release = asyncio.Event()
        self.refuse: set[str] = set()  #: tasks whose value PostgreSQL "refuses"
        self.down = False

    async def write_alone(self, new: NewJob) -> Job:
        self.alone.append(new)
        await self.release.wait()
        if new.task in self.refuse:
            raise asyncpg.DataError("unsupported Unicode escape sequence")
        return written(new)

    async def write_together(self, jobs: Sequence[NewJob]) -> list[Job]:
        self.together.append(list(jobs))
        await self.release.wait()
        if self.down:
            raise asyncpg.PostgresConnectionError("connection lost")
        if any(new.task in self.refuse for new in jobs):
            raise asyncpg.DataError("unsupported Unicode escape sequence")
        return [written(new) for new in jobs]


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def start(singles: SingleEnqueues, tasks: list[str]) -> list[asyncio.Task[Job]]:
    started = [asyncio.create_task(singles.insert(new_job(task))) for task in tasks]
    await settle()
    return started


async def test_few_at_once_go_alone_and_the_rest_wait_to_go_together() -> None:
    writes = Writes()
    singles = SingleEnqueues(writes.write_alone, writes.write_together)
    names = [f"t{i}" for i in range(IN_FLIGHT + 5)]
    started = await start(singles, names)
    assert [n.task for n in writes.alone] == names[:IN_FLIGHT]
    assert writes.together == []  # they wait for a statement in flight to finish
    writes.release.set()
    jobs = await asyncio.gather(*started)
    assert [[n.task for n in batch] for batch in writes.together] == [names[IN_FLIGHT:]]
    assert [job.task for job in jobs] == names  # each caller gets its own job back
    assert len({job.id for job in jobs}) == len(names)


async def test_a_value_refused_in_a_shared_statement_fails_only_its_own_job() -> None:
    writes = Writes()
    writes.refuse = {"bad"}
    singles = SingleEnqueues(writes.write_alone, writes.write_together)
    first = await start(singles, ["a"] * IN_FLIGHT)
    waiting = await start(singles, ["ok1", "bad", "ok2"])
    writes.release.set()
    await asyncio.gather(*first)
    ok1, bad, ok2 = await asyncio.gather(*waiting, return_exceptions=True)
    assert isinstance(ok1, Job) and ok1.task == "ok1"
    assert isinstance(ok2, Job) and ok2.task == "ok2"
    assert isinstance(bad, DatabaseValueError)
    # Tried together once, then each alone.
    assert [n.task for n in writes.alone[IN_FLIGHT:]] == ["ok1", "bad", "ok2"]


async def test_a_lost_connection_fails_every_job_that_shared_it_each_with_its_own_error() -> None:
    writes = Writes()
    singles = SingleEnqueues(writes.write_alone, writes.write_together)
    first = await start(singles, ["a"] * IN_FLIGHT)
    waiting = await start(singles, ["b", "c"])
    writes.down = True
    writes.release.set()
    await asyncio.gather(*first)
    errors = await asyncio.gather(*waiting, return_exceptions=True)
    assert all(isinstance(e, DatabaseError) for e in errors)
    assert errors[0] is not errors[1]
    assert len(writes.alone) == IN_FLIGHT  # nothing retried alone: the database is away


async def test_an_enqueue_given_up_before_it_was_sent_is_never_written() -> None:
    writes = Writes()
    singles = SingleEnqueues(writes.write_alone, writes.write_together)
    first = await start(singles, ["a"] * IN_FLIGHT)
    kept, dropped = await start(singles, ["kept", "dropped"])
    dropped.cancel()
    with pytest.raises(asyncio.CancelledError):
        await dropped
    writes.release.set()
    await asyncio.gather(*first)
    assert (await kept).task == "kept"
    assert [[n.task for n in batch] for batch in writes.together] == [["kept"]]
