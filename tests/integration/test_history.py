"""Finished jobs move to job_history (migration 0017): every read and action on jobs works
on them as before, the counts do not change as they move, and retention drops whole
daily partitions."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import asyncpg
import pytest

from equeue import Queue
from equeue.errors import JobStateError
from equeue.storage import Storage
from equeue.worker.maintenance import Maintenance, MaintenanceSettings
from tests.conftest import storage_of

DAY = timedelta(days=1)
FINISHED = ("succeeded", "failed", "cancelled")
HISTORY_MIGRATION = 17


@pytest.fixture
async def storage(queue: Queue) -> Storage:
    @queue.task(name="t")
    def t() -> None: ...

    @queue.task(name="m", queue="mail")
    def m() -> None: ...

    return await storage_of(queue)


def maintenance(storage: Storage, **settings: Any) -> Maintenance:
    return Maintenance(storage, MaintenanceSettings(archive_after_seconds=0, **settings))


async def finish(
    queue: Queue,
    db: asyncpg.Connection,
    count: int,
    status: str,
    age: timedelta = timedelta(0),
    *,
    on: str = "default",
    **job: Any,
) -> list[uuid.UUID]:
    """Enqueue ``count`` jobs on queue ``on`` and end them ``status`` ``age`` ago; their
    ids, oldest first."""
    jobs = await queue.enqueue_many([{"type": "t", "queue": on, **job}] * count)
    ids = [j.id for j in jobs]
    await db.execute(
        f'UPDATE "{queue.schema}".jobs SET status = $2, finished_at = now() - $3::interval,'
        " last_error = CASE WHEN $2 = 'failed' THEN 'boom\nat line 3' END,"
        """ history = '[{"number": 1, "outcome": "failed"}]'"""
        " WHERE id = ANY($1)",
        ids,
        status,
        age,
    )
    return ids


async def archived_ids(db: asyncpg.Connection, queue: Queue) -> set[uuid.UUID]:
    return {r["id"] for r in await db.fetch(f'SELECT id FROM "{queue.schema}".job_history')}


async def hot_ids(db: asyncpg.Connection, queue: Queue) -> set[uuid.UUID]:
    return {r["id"] for r in await db.fetch(f'SELECT id FROM "{queue.schema}".jobs')}


async def every_state(queue: Queue, db: asyncpg.Connection) -> dict[str, list[uuid.UUID]]:
    """Jobs in every status, finished ones of several queues, tasks and tags."""
    jobs: dict[str, list[uuid.UUID]] = {}
    for status in FINISHED:
        jobs[status] = await finish(queue, db, 4, status, tags=["vip"])
        jobs[status] += await finish(queue, db, 3, status, on="mail", type="m")
    jobs["queued"] = [j.id for j in await queue.enqueue_many([{"type": "t"}] * 3)]
    jobs["scheduled"] = [(await queue.enqueue("t", delay=3600)).id]
    storage = await storage_of(queue)
    jobs["running"] = [c.id for c in await storage.claim("w1", None, 1, 300.0)]
    jobs["queued"] = [i for i in jobs["queued"] if i not in jobs["running"]]
    retrying = await storage.claim("w1", None, 1, 300.0)
    await db.execute(
        f"UPDATE \"{queue.schema}\".jobs SET status = 'retrying', lease_token = NULL,"
        " lease_expires_at = NULL, run_at = now() + interval '1 hour' WHERE id = $1",
        retrying[0].id,
    )
    jobs["retrying"] = [retrying[0].id]
    jobs["queued"] = [i for i in jobs["queued"] if i != retrying[0].id]
    return jobs


async def test_finished_jobs_move_to_history_and_the_counts_stay(
    queue: Queue, storage: Storage, db: asyncpg.Connection
) -> None:
    jobs = await every_state(queue, db)
    counts = await queue.counts()

    moved = await maintenance(storage).archive()

    finished = {i for s in FINISHED for i in jobs[s]}
    assert moved == len(finished)
    assert await archived_ids(db, queue) == finished
    assert await hot_ids(db, queue) == {i for s, ids in jobs.items() for i in ids} - finished
    assert await queue.counts() == counts
    for status, ids in jobs.items():
        for job_id in ids:
            assert (await queue.get_job(job_id)).status == status


async def test_a_job_moves_only_once_it_has_been_finished_for_a_while(
    queue: Queue, storage: Storage, db: asyncpg.Connection
) -> None:
    old = await finish(queue, db, 2, "succeeded", timedelta(minutes=1))
    await finish(queue, db, 2, "succeeded")

    await Maintenance(storage, MaintenanceSettings(archive_after_seconds=30)).archive()

    assert await archived_ids(db, queue) == set(old)


async def test_pages_merge_both_tables_newest_first_under_every_filter(
    queue: Queue, storage: Storage, db: asyncpg.Connection
) -> None:
    early = await every_state(queue, db)
    await maintenance(storage).archive()
    late = await every_state(queue, db)  # finished ones still in jobs
    every = {s: early[s] + late[s] for s in early}
    job = {i: await queue.get_job(i) for ids in every.values() for i in ids}
    assert await archived_ids(db, queue) and await hot_ids(db, queue)

    async def pages(**where: Any) -> list[uuid.UUID]:
        seen: list[uuid.UUID] = []
        cursor = None
        while True:
            page, cursor = await queue.list_jobs(limit=3, cursor=cursor, **where)
            seen += [j.id for j in page]
            if cursor is None:
                return seen

    def expected(keep: Any) -> list[uuid.UUID]:
        return sorted((i for i, j in job.items() if keep(j)), reverse=True)

    assert await pages() == expected(lambda j: True)
    for status in every:
        assert await pages(status=status) == expected(lambda j, s=status: j.status == s)
    assert await pages(queue="mail") == expected(lambda j: j.queue == "mail")
    assert await pages(task="m", status="failed") == expected(
        lambda j: j.task == "m" and j.status == "failed"
    )
    assert await pages(tag="vip") == expected(lambda j: "vip" in j.tags)
    assert await pages(tag="vip", status="cancelled") == expected(
        lambda j: "vip" in j.tags and j.status == "cancelled"
    )
    archived = early["failed"][0]
    assert await pages(job_id=archived) == [archived]
    assert await pages(job_id=archived, status="succeeded") == []
    page, _ = await queue.list_jobs(job_id=archived)
    assert [(a.number, a.outcome) for a in page[0].history] == [(1, "failed")]
    assert page[0].last_error == "boom\nat line 3"


async def test_a_dedupe_key_lists_its_archived_holders(
    queue: Queue, storage: Storage, db: asyncpg.Connection
) -> None:
    first = await finish(queue, db, 1, "succeeded", dedupe_key="k")
    await maintenance(storage).archive()
    second = await finish(queue, db, 1, "failed", dedupe_key="k")
    live = await queue.enqueue("t", dedupe_key="k")

    page, _ = await queue.list_jobs(dedupe_key="k")

    assert [j.id for j in page] == [live.id, *second, *first]


async def test_retrying_an_archived_job_brings_it_back_with_its_history(
    queue: Queue, storage: Storage, db: asyncpg.Connection
) -> None:
    failed = await finish(queue, db, 2, "failed", tags=["vip"])
    cancelled = await finish(queue, db, 1, "cancelled")
    succeeded = await finish(queue, db, 1, "succeeded")
    await maintenance(storage).archive()
    counts = await queue.counts()
    enqueued = await enqueued_total(queue)

    job = await queue.retry(failed[0])
    result = await queue.admin.bulk("retry", [failed[1], cancelled[0], succeeded[0]])

    assert job.status == "queued" and job.attempts == 0 and job.finished_at is None
    assert [(a.number, a.outcome) for a in job.history] == [(1, "failed")]
    assert sorted(result.done) == sorted([failed[1], cancelled[0]])
    assert [i for i, _ in result.skipped] == succeeded
    assert await archived_ids(db, queue) == set(succeeded)
    assert (await queue.counts())["default"] == {
        **counts["default"],
        "failed": 0,
        "cancelled": 0,
        "queued": 3,
    }
    assert await enqueued_total(queue) == enqueued  # a retry is no new enqueue
    page, _ = await queue.list_jobs(tag="vip", status="queued")
    assert sorted(j.id for j in page) == sorted(failed)
    with pytest.raises(JobStateError):
        await queue.retry(succeeded[0])


async def enqueued_total(queue: Queue) -> int:
    cells = await queue.admin.stats_totals()
    return sum(c.n for c in cells if c.metric == "enqueued")


async def test_replay_takes_the_oldest_dead_letters_from_both_tables(
    queue: Queue, storage: Storage, db: asyncpg.Connection
) -> None:
    oldest = await finish(queue, db, 3, "failed", timedelta(hours=2))
    await maintenance(storage).archive()
    newer = await finish(queue, db, 3, "failed", timedelta(hours=1))

    assert await queue.replay_failed(limit=4) == 4

    requeued = {j.id for j in (await queue.list_jobs(status="queued"))[0]}
    assert requeued == {*oldest, newer[0]}
    assert await queue.replay_failed(error="boom") == 2
    assert await archived_ids(db, queue) == set()
    assert (await queue.counts())["default"]["queued"] == 6


async def test_archived_jobs_can_be_deleted_and_purged(
    queue: Queue, storage: Storage, db: asyncpg.Connection
) -> None:
    succeeded = await finish(queue, db, 3, "succeeded")
    failed = await finish(queue, db, 2, "failed")
    mail = await finish(queue, db, 2, "succeeded", on="mail")
    await maintenance(storage).archive()
    hot = await finish(queue, db, 1, "succeeded")

    await queue.delete(succeeded[0])
    result = await queue.admin.bulk("delete", [succeeded[1], failed[0]])
    purged = await queue.purge(statuses=["succeeded"], queue="default")

    assert sorted(result.done) == sorted([succeeded[1], failed[0]])
    assert purged == 2  # succeeded[2] archived, hot[0] not
    assert await archived_ids(db, queue) == {failed[1], *mail}
    assert hot[0] not in await hot_ids(db, queue)
    assert await queue.counts() == {
        "default": {**zero(), "failed": 1},
        "mail": {**zero(), "succeeded": 2},
    }


def zero() -> dict[str, int]:
    return dict.fromkeys(("scheduled", "queued", "running", "retrying", *FINISHED), 0)


async def test_dead_letters_stats_and_events_see_archived_jobs(
    queue: Queue, storage: Storage, db: asyncpg.Connection
) -> None:
    failed = await finish(queue, db, 3, "failed")
    await maintenance(storage).archive()
    await finish(queue, db, 2, "failed")

    groups, total = await queue.admin.dead_letter_groups(None, 10)
    stats = await queue.admin.queue_stats(3600)
    named = await queue.admin.event_jobs(failed)

    assert total == 5 and [(g.error, g.count) for g in groups] == [("boom", 5)]
    assert [(s.name, s.failed_recent) for s in stats] == [("default", 5)]
    assert set(named) == set(failed)


async def test_retention_drops_expired_partitions_whole_and_keeps_the_rest(
    queue: Queue, storage: Storage, db: asyncpg.Connection
) -> None:
    """Policy: a daily partition goes once its whole day is past retention; a job of the
    day that retention cuts through stays until that day has passed too."""
    expired = await finish(queue, db, 5, "succeeded", 9 * DAY, tags=["vip"])
    expired += await finish(queue, db, 5, "failed", 8 * DAY + timedelta(hours=1))
    cut = await finish(queue, db, 3, "succeeded")
    # Past retention, in the day retention cuts through: halfway from its start.
    await db.execute(
        f'UPDATE "{queue.schema}".jobs SET finished_at = h - (h - date_bin('
        "'1 day', h, timestamptz '2000-01-01 00:00+00')) / 2"
        " FROM (SELECT now() - interval '7 days' AS h) AS horizon WHERE id = ANY($1)",
        cut,
    )
    recent = await finish(queue, db, 4, "succeeded", 2 * DAY, tags=["vip"])
    await maintenance(storage, retention_seconds=10 * 86400).archive()
    assert await archived_ids(db, queue) == {*expired, *cut, *recent}
    before = await partitions(db, queue)

    dropped = await maintenance(storage, retention_seconds=7 * 86400).drop_expired_history()

    assert dropped == len(expired)
    assert await archived_ids(db, queue) == {*cut, *recent}
    gone = before - await partitions(db, queue)
    assert {await day_of(db, 9), await day_of(db, 8)} <= gone
    assert gone == {p for p in before if p < await day_of(db, 7)}  # the empty ones too
    assert (await queue.counts())["default"] == {**zero(), "succeeded": 7}
    page, _ = await queue.list_jobs(tag="vip")
    assert [j.id for j in page] == sorted(recent, reverse=True)


async def partitions(db: asyncpg.Connection, queue: Queue) -> set[str]:
    rows = await db.fetch(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
        " WHERE i.inhparent = $1::regclass AND c.relname ~ '^job_history_p'",
        f'"{queue.schema}".job_history',
    )
    return {r["relname"] for r in rows}


async def day_of(db: asyncpg.Connection, days_ago: int) -> str:
    """The partition of the UTC day of ``days_ago`` days (and an hour) ago."""
    day: str = await db.fetchval(
        "SELECT 'job_history_p' || to_char((now() - make_interval(days => $1, hours => 1))"
        " AT TIME ZONE 'UTC', 'YYYYMMDD')",
        days_ago,
    )
    return day


async def test_an_expired_partition_takes_no_newer_job_with_it(
    queue: Queue, storage: Storage, db: asyncpg.Connection
) -> None:
    old = await finish(queue, db, 3, "failed", 30 * DAY)
    new = await finish(queue, db, 3, "failed", DAY)
    await maintenance(storage, retention_seconds=40 * 86400).archive()

    dropped = await maintenance(storage, retention_seconds=7 * 86400).drop_expired_history()

    assert dropped == 3
    assert await archived_ids(db, queue) == set(new)
    assert {j.id for j in (await queue.list_jobs(status="failed"))[0]} == set(new)
    assert (await queue.counts())["default"]["failed"] == 3
    assert not set(old) & {r["id"] for r in await db.fetch(
        f'SELECT id FROM "{queue.schema}".any_jobs')}  # fmt: skip


async def test_jobs_and_history_have_the_same_columns_in_the_same_order(
    queue: Queue, db: asyncpg.Connection
) -> None:
    """A migration that adds a column to jobs must add it to job_history (and recreate
    the any_jobs view): a job moves between them with SELECT *."""

    async def columns(table: str) -> list[tuple[str, str]]:
        rows = await db.fetch(
            "SELECT attname, format_type(atttypid, atttypmod) AS type FROM pg_attribute"
            " WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped"
            " ORDER BY attnum",
            f'"{queue.schema}".{table}',
        )
        return [(r["attname"], r["type"]) for r in rows]

    jobs = await columns("jobs")
    assert await columns("job_history") == jobs
    assert await columns("any_jobs") == jobs
    assert await columns("job_history_default") == jobs


async def test_an_existing_install_upgrades_with_jobs_in_every_state(
    database_url: str, schema_name: str, db: asyncpg.Connection
) -> None:
    """Migrated to every migration before 0017, holding jobs in every status: after 0017
    every job reads as before, the counts are the same, and the archive duty then moves
    the finished ones without changing either."""
    from equeue.migrations import migrate

    await migrate(db, schema_name, until=HISTORY_MIGRATION - 1)
    queue = Queue(database_url, schema=schema_name, pool_max_size=5)
    try:
        storage = await storage_of(queue)
        await storage.pool.execute(
            f'INSERT INTO "{schema_name}".tasks (name, queue, priority, max_attempts)'
            " VALUES ('t', 'default', 0, 3), ('m', 'mail', 0, 3)"
        )
        jobs = await every_state(queue, db)
        counts = await queue.counts()

        assert await queue.migrate() == [HISTORY_MIGRATION]

        for status, ids in jobs.items():
            assert [(await queue.get_job(i)).status for i in ids] == [status] * len(ids)
        assert await queue.counts() == counts
        assert await maintenance(storage).archive() == sum(len(jobs[s]) for s in FINISHED)
        assert await queue.counts() == counts
        listed = {j.id: j.status for j in (await queue.list_jobs(limit=1000))[0]}
        assert listed == {i: s for s, ids in jobs.items() for i in ids}
        assert len((await queue.list_jobs(tag="vip", limit=100))[0]) == 12
    finally:
        await queue.close()
        await db.execute(f'DROP SCHEMA IF EXISTS "{schema_name}" CASCADE')


async def test_truncating_either_table_keeps_the_counts_of_the_other(
    queue: Queue, storage: Storage, db: asyncpg.Connection
) -> None:
    await finish(queue, db, 3, "succeeded", tags=["vip"])
    await maintenance(storage).archive()
    await finish(queue, db, 2, "failed", tags=["vip"])

    await db.execute(f'TRUNCATE "{queue.schema}".jobs')
    assert (await queue.counts())["default"] == {**zero(), "succeeded": 3}
    assert len((await queue.list_jobs(tag="vip"))[0]) == 3

    await db.execute(f'TRUNCATE "{queue.schema}".job_history')
    assert await queue.counts() == {}
    assert (await queue.list_jobs(tag="vip"))[0] == []


async def test_table_health_sums_the_partitions_of_the_history(
    queue: Queue, storage: Storage, db: asyncpg.Connection
) -> None:
    await finish(queue, db, 200, "succeeded", payload={"text": "x" * 2000})
    await maintenance(storage).archive()

    health = await queue.admin.table_health()

    history = next(t for t in health.tables if t.name == "job_history")
    assert history.partitions == len(history.partition_list) >= 4  # 3 days and the default
    assert history.total_bytes >= sum(p.total_bytes for p in history.partition_list) > 0
    assert history.index_bytes > 0
