"""What operators poll is read from counters and index ranges, never by walking the jobs
table: each polled statement's plan, on a table whose history dwarfs its live jobs and
whose statistics say so, has no sequential scan of jobs (or of job_tags) and reads a
bounded number of job rows. Checked for the plan made for the values given, and for the
generic plan a connection may cache for the statement instead: PostgreSQL switches to it
after five runs when its estimated cost is no higher than the custom plans' were, so a
generic plan estimated far costlier is never used and is not checked.

Not timed: the plan's shape and the rows it reads are what a later change could spoil."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import asyncpg
import pytest

from equeue import Queue
from equeue.storage import JobFilter, Storage
from tests.conftest import storage_of

HISTORY = 150_000
#: Of the history, the finished jobs moved to job_history (migration 0017); the rest are
#: still in jobs, as finished jobs are until the archive duty moves them.
ARCHIVED = 100_000
#: Finished minutes ago and archived already (beyond the history above).
RECENT = 20_000
#: Rows of jobs a polled statement may read: a page of 51 from each of the ~40 (queue,
#: task, status) ranges at most, a twenty-fifth of the history.
MOST_ROWS_READ = 6_000
#: A generic plan estimated costlier than this many times the custom plan is never
#: chosen by PostgreSQL's plan cache (which also charges custom plans their planning).
CACHEABLE_COST = 1.5


@pytest.fixture(scope="module")
def history_schema(database_url: str) -> Iterator[str]:
    """A schema holding a long history of finished jobs and a few live ones, built once
    for the module."""
    schema = f"t_plans_{uuid.uuid4().hex[:12]}"
    asyncio.run(_build(database_url, schema))
    try:
        yield schema
    finally:
        asyncio.run(_drop(database_url, schema))


async def _build(dsn: str, schema: str) -> None:
    queue = Queue(dsn, schema=schema, allow_unknown_tasks=True)
    table = f'"{schema}".jobs'
    async with queue:
        await queue.migrate()
        live = await storage_of(queue)
        await live.pool.execute(finished_jobs(table, 1, HISTORY, "1 day"))
        await queue.enqueue_many([{"type": "mail.send", "tags": ["vip"]} for _ in range(1200)])
        await queue.enqueue_many([{"type": "report.build", "queue": "mail", "delay": 600}] * 50)
        await queue.enqueue("mail.send", dedupe_key="key-live")
        await live.claim("w1", None, 40, 300.0)
        await live.run_duty("partitions", "add_history_partitions", 7 * 86400.0, 2, "2s")
        await live.run_duty("archive", "archive_finished_jobs", 0.0, 7 * 86400.0, ARCHIVED)
        # Archived minutes ago, in the newest partition: what "recent outcomes" read.
        await live.pool.execute(
            finished_jobs(f'"{schema}".job_history', HISTORY + 1, HISTORY + RECENT, "2 minutes")
        )
        await live.pool.execute(f"VACUUM ANALYZE {table}")
        for analyzed in ("job_tags", "job_history", "job_history_tags"):
            await live.pool.execute(f'ANALYZE "{schema}".{analyzed}')


def finished_jobs(table: str, first: int, last: int, ago: str) -> str:
    """An insert of the finished jobs ``first`` to ``last`` into ``table``, finished
    ``ago``: of several queues, tasks, outcomes, tags and dedupe keys. Ids are ordered
    like uuid7 and older than any live job's, as history's would be."""
    return f"""INSERT INTO {table} (id, task, queue, status, attempts, max_attempts,
                       run_at, created_at, finished_at, tags, dedupe_key)
                SELECT lpad(to_hex(g), 32, '0')::uuid,
                       (ARRAY['mail.send', 'report.build', 'image.resize'])[1 + g % 3],
                       CASE WHEN g % 50 = 0 THEN 'rare' WHEN g % 7 = 0 THEN 'mail'
                            ELSE 'default' END,
                       CASE WHEN g % 97 = 0 THEN 'failed' WHEN g % 89 = 0 THEN 'cancelled'
                            ELSE 'succeeded' END,
                       1, 5, now() - interval '2 days', now() - interval '2 days',
                       now() - interval '{ago}',
                       CASE WHEN g % 40 = 0 THEN ARRAY['vip']
                            ELSE ARRAY['customer-' || g % 500] END,
                       CASE WHEN g % 1000 = 0 THEN 'key-' || g END
                  FROM generate_series({first}, {last}) AS g"""


async def _drop(dsn: str, schema: str) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        await connection.close()


@pytest.fixture
async def storage(database_url: str, history_schema: str) -> AsyncIterator[Storage]:
    queue = Queue(database_url, schema=history_schema)
    async with queue:
        yield await storage_of(queue)


def filters(history_id: uuid.UUID, live_id: uuid.UUID) -> list[JobFilter]:
    """Every kind of filter and combination a page may be asked for, including ones that
    match nothing (the case that used to walk the whole table)."""
    return [
        JobFilter(),
        JobFilter(status="succeeded"),
        JobFilter(status="failed"),
        JobFilter(status="cancelled"),
        JobFilter(status="queued"),
        JobFilter(status="running"),
        JobFilter(status="scheduled"),
        JobFilter(queue="mail"),
        JobFilter(queue="rare", status="failed"),
        JobFilter(queue="no-such-queue"),
        JobFilter(task="image.resize"),
        JobFilter(task="report.build", queue="default", status="cancelled"),
        JobFilter(task="no.such.task", status="succeeded"),
        JobFilter(tag="vip"),
        JobFilter(tag="vip", status="failed", queue="mail"),
        JobFilter(tag="no-such-tag"),
        JobFilter(job_id=history_id),
        JobFilter(job_id=live_id, status="running"),
        JobFilter(dedupe_key="key-5000"),
        JobFilter(dedupe_key="key-live", queue="default"),
    ]


def list_arguments(where: JobFilter, before: uuid.UUID | None) -> tuple[Any, ...]:
    return (
        where.status, where.queue, where.task, where.tag, 51, before,
        False, False, False, where.job_id, where.dedupe_key,
    )  # fmt: skip


def nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from nodes(child)


def of_jobs(relation: str | None) -> bool:
    """Whether a scanned relation holds jobs: jobs, or job_history or one of its
    partitions."""
    name = relation or ""
    return name == "jobs" or (name.startswith("job_history") and "tags" not in name)


def rows_read(node: dict[str, Any]) -> int:
    return int(
        (node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0))
        * node.get("Actual Loops", 1)
    )


def job_rows_read(plan: dict[str, Any]) -> int:
    """Rows of jobs the plan's scans produced or threw away, over all their loops."""
    return sum(rows_read(node) for node in nodes(plan) if of_jobs(node.get("Relation Name")))


def literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


async def explained(
    conn: asyncpg.Connection, statement: str, args: tuple[Any, ...], generic: bool
) -> dict[str, Any]:
    """EXPLAIN ANALYZE of the statement as a custom plan, or as its generic plan (the one
    a prepared statement falls back to after a few runs), rolled back."""
    async with conn.transaction():
        if generic:
            await conn.execute(f"PREPARE polled AS {statement}")
            await conn.execute("SET LOCAL plan_cache_mode = force_generic_plan")
            values = ", ".join(map(literal, args))
            execute = f"EXECUTE polled({values})" if args else "EXECUTE polled"
            raw = await conn.fetchval(f"EXPLAIN (ANALYZE, FORMAT JSON) {execute}")
            await conn.execute("DEALLOCATE polled")
        else:
            raw = await conn.fetchval(f"EXPLAIN (ANALYZE, FORMAT JSON) {statement}", *args)
        plan: dict[str, Any] = json.loads(raw)[0]["Plan"]
        raise _RolledBack(plan)


class _RolledBack(Exception):
    def __init__(self, plan: dict[str, Any]) -> None:
        self.plan = plan


async def plan_of(
    storage: Storage, statement: str, args: tuple[Any, ...], generic: bool
) -> dict[str, Any]:
    async with storage.pool.acquire() as conn:  # the engine's session settings
        try:
            await explained(conn, statement, args, generic)
        except _RolledBack as done:
            return done.plan
    raise AssertionError("unreachable")


def problems(plan: dict[str, Any]) -> list[str]:
    found = [
        f"sequential scan of {node['Relation Name']}"
        for node in nodes(plan)
        if node["Node Type"] == "Seq Scan"
        and (
            node.get("Relation Name") in ("jobs", "job_tags")
            # A partition of the history read whole (an empty one may be: it costs nothing).
            or (of_jobs(node.get("Relation Name")) and rows_read(node) > 0)
        )
    ]
    read = job_rows_read(plan)
    if read > MOST_ROWS_READ:
        found.append(f"{read} job rows read")
    return found


async def test_polled_reads_use_counters_and_index_ranges_not_the_history(
    storage: Storage,
) -> None:
    table = f'"{storage.schema}".jobs'
    pool = storage.pool
    history_id = await pool.fetchval(
        f'SELECT id FROM "{storage.schema}".job_history ORDER BY id LIMIT 1'
    )
    hot_finished_id = await pool.fetchval(
        f"SELECT id FROM {table} WHERE status = 'succeeded' ORDER BY id LIMIT 1"
    )
    live_id = await pool.fetchval(
        f"SELECT id FROM {table} WHERE status = 'running' ORDER BY id DESC LIMIT 1"
    )
    deep = await pool.fetchval(
        f'SELECT id FROM "{storage.schema}".any_jobs'
        " WHERE queue = 'default' ORDER BY id OFFSET 1000 LIMIT 1"
    )
    q = storage.q
    polled: list[tuple[str, str, tuple[Any, ...]]] = [
        ("queue stats", q["queue_stats"], (60.0,)),
        ("counts", q["count_jobs"], ()),
        ("dead-letter groups", q["dead_letter_groups"], (None, 50)),
        ("fold", q["fold_job_counts"], ("plans:counts",)),
        ("tables", q["table_health"], ()),
        ("horizon", q["vacuum_horizon"], ()),
    ]
    for where in [*filters(history_id, live_id), JobFilter(job_id=hot_finished_id)]:
        for before in (None, deep):
            label = f"{where.statement()} {where} before={before}"
            polled.append((label, q[where.statement()], list_arguments(where, before)))
    found: dict[str, list[str]] = {}
    for label, statement, args in polled:
        custom = await plan_of(storage, statement, args, generic=False)
        generic = await plan_of(storage, statement, args, generic=True)
        found[label] = problems(custom)
        if generic["Total Cost"] <= custom["Total Cost"] * CACHEABLE_COST:
            found[label] += [f"generic plan: {p}" for p in problems(generic)]
    bad = {label: p for label, p in found.items() if p}
    print("\n".join(f"{k}: {v}" for k, v in bad.items()))
    assert bad == {}


async def test_the_check_sees_a_statement_that_walks_the_history(storage: Storage) -> None:
    """The same check on a GROUP BY over jobs (how counts were read before) fails."""
    walk = f'SELECT queue, status, count(*) FROM "{storage.schema}".jobs GROUP BY 1, 2'
    assert problems(await plan_of(storage, walk, (), generic=False))
