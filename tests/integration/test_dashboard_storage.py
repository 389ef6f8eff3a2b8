"""What the dashboard's API reads and does, against a real PostgreSQL: sign-in codes and
expiring keys, dead-letter groups, actions on many jobs, the filters of the job list and
the workers' liveness."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest

from equeue import Queue
from equeue.api.auth import Authenticator
from equeue.api.keys import create_sign_in_code, exchange_sign_in_code, hash_secret
from equeue.api.settings import ApiSettings
from equeue.job import JobStatus
from tests.conftest import running_worker, storage_of, wait_until


async def _failed(queue: Queue, errors: dict[str, str], name: str = "default") -> dict[str, str]:
    """Jobs that failed for good, each with its error (task -> error); returns id -> task.
    They fail the way a worker over HTTP fails them: claimed under a lease, then reported."""
    ids = {}
    for task in errors:
        job = await queue.enqueue(task, queue=name, max_attempts=1)
        ids[str(job.id)] = task
    leased = await queue.admin.claim_jobs("w-test", "127.0.0.1", name, len(errors), 30)
    for job in leased:
        status = await queue.admin.fail_job(
            job.id, job.lease_token, errors[ids[str(job.id)]], "", 0
        )
        assert status == "failed"
    return ids


# --- sign-in codes and the keys they give ------------------------------------------------


async def test_a_sign_in_code_gives_one_key_with_its_scopes_once(queue: Queue) -> None:
    code, expires_at = await create_sign_in_code(queue, ["write", "read"])
    assert len(code) >= 43  # 256 random bits, URL-safe
    exchanged = await exchange_sign_in_code(queue, code)
    assert exchanged is not None
    info, raw = exchanged
    assert info.scopes == ["read", "write"]
    assert info.expires_at is not None and info.expires_at > expires_at
    auth = Authenticator(ApiSettings(), queue.admin.get_key)
    principal = await auth.check_key(raw)
    assert principal is not None and principal.scopes == {"read", "write"}
    assert await exchange_sign_in_code(queue, code) is None  # used
    assert await exchange_sign_in_code(queue, "never-issued") is None
    listed = {k.id: k for k in await queue.admin.list_keys()}
    assert listed[info.id].expires_at == info.expires_at


async def test_racing_exchanges_of_one_code_give_a_single_key(queue: Queue) -> None:
    code, _ = await create_sign_in_code(queue, ["admin"])
    before = len(await queue.admin.list_keys())
    results = await asyncio.gather(*(exchange_sign_in_code(queue, code) for _ in range(8)))
    assert len([r for r in results if r is not None]) == 1
    assert len(await queue.admin.list_keys()) == before + 1


async def test_an_expired_code_gives_nothing(
    queue: Queue, db: asyncpg.Connection, schema_name: str
) -> None:
    code, _ = await create_sign_in_code(queue, ["read"])
    await db.execute(
        f"UPDATE \"{schema_name}\".sign_in_codes SET expires_at = now() - interval '1 second'"
    )
    assert await exchange_sign_in_code(queue, code) is None


async def test_a_key_past_its_expiry_is_refused_even_while_cached(queue: Queue) -> None:
    code, _ = await create_sign_in_code(queue, ["read"])
    info = await queue.admin.exchange_sign_in_code(
        hash_secret(code), "shortlived01", hash_secret("s3cret"), "test", 1.0
    )
    assert info is not None
    raw = "eqk_shortlived01_s3cret"
    # Cached for a minute: only the key's own expiry can end it sooner.
    auth = Authenticator(ApiSettings(key_cache_seconds=60), queue.admin.get_key)
    assert await auth.check_key(raw) is not None

    async def refused() -> bool:
        return await auth.check_key(raw) is None

    await wait_until(refused, timeout=5)
    fresh = Authenticator(ApiSettings(), queue.admin.get_key)
    assert await fresh.check_key(raw) is None
    assert await queue.admin.get_key("shortlived01") is None


async def test_maintenance_forgets_spent_sign_ins_and_old_steps(
    queue: Queue, db: asyncpg.Connection, schema_name: str
) -> None:
    from equeue.worker.maintenance import Maintenance, MaintenanceSettings

    schema = f'"{schema_name}"'
    old_code, _ = await create_sign_in_code(queue, ["read"])
    exchanged = await exchange_sign_in_code(queue, old_code)
    assert exchanged is not None
    await create_sign_in_code(queue, ["read"])  # fresh: kept
    storage = await storage_of(queue)
    await storage.add_job_stats([("q", "t", "succeeded", float("inf"), 1, 0.0)], shard=0)
    await db.execute(
        f"UPDATE {schema}.sign_in_codes SET expires_at = now() - interval '2 days'"
        f" WHERE key_id IS NOT NULL;"
        f"UPDATE {schema}.api_keys SET expires_at = now() - interval '2 days';"
        f"UPDATE {schema}.job_stats_steps SET at = at - interval '2 hours';"
    )
    await storage.add_job_stats([("q", "t", "succeeded", float("inf"), 2, 0.0)], shard=0)
    await Maintenance(storage, MaintenanceSettings()).run_once()
    assert await db.fetchval(f"SELECT count(*) FROM {schema}.sign_in_codes") == 1
    assert await db.fetchval(f"SELECT count(*) FROM {schema}.api_keys") == 0
    assert await db.fetch(f"SELECT n FROM {schema}.job_stats_steps") == [(2,)]
    # The totals are not the steps: they keep everything.
    assert await db.fetchval(f"SELECT sum(n) FROM {schema}.job_stats") == 3


# --- statistics per step ------------------------------------------------------------------


async def test_a_flush_lands_in_the_current_step_of_its_queue(queue: Queue) -> None:
    from equeue.api.series import COUNTERS, TIMINGS, StepTotals, totals_per_step
    from equeue.worker.stats import JobStats

    stats = JobStats()
    for _ in range(100):
        stats.observe("mail", "send", "run_seconds", 0.3)  # bucket (0.25, 0.5]
        stats.count("mail", "send", "succeeded")
    stats.count("other", "x", "failed")
    storage = await storage_of(queue)
    await storage.add_job_stats(stats.take(), shard=5)
    await storage.add_job_stats([("mail", "send", "succeeded", float("inf"), 2, 0.0)], shard=9)

    async def steps(name: str | None) -> list[StepTotals]:
        rows = await queue.admin.stats_steps(10, 6, name, [*COUNTERS, *TIMINGS])
        totals = totals_per_step(rows)
        assert len(totals) == 6
        return totals

    def summed(totals: list[StepTotals]) -> dict[str, int]:
        # Two flushes at the turn of a step land in two steps: count over the window.
        return {c: sum(t.counts[c] for t in totals) for c in COUNTERS}

    mail = await steps("mail")
    assert summed(mail) == {"succeeded": 102, "failed": 0}
    [timed] = [t for t in mail if t.buckets["run_seconds"]]  # one flush: one step
    assert timed.percentiles("run_seconds")[0.5] == pytest.approx(0.375)
    assert summed(await steps(None)) == {"succeeded": 102, "failed": 1}


# --- dead letters ------------------------------------------------------------------------


async def test_dead_letters_group_by_task_and_first_error_line(queue: Queue) -> None:
    queue.allow_unknown_tasks = True
    await _failed(
        queue,
        {"mail.send": "SMTPError: 550 no such user\n  more detail", "mail.send2": "X: y"},
    )
    await _failed(queue, {"mail.send": "SMTPError: 550 no such user\nother detail"}, "other")
    await _failed(queue, {"mail.send": "TimeoutError: 30s"})
    groups, total = await queue.admin.dead_letter_groups(None, 200)
    assert total == 4
    summary = [(g.task, g.error, g.count, g.queues) for g in groups]
    assert summary == [
        ("mail.send", "SMTPError: 550 no such user", 2, ["default", "other"]),
        ("mail.send", "TimeoutError: 30s", 1, ["default"]),
        ("mail.send2", "X: y", 1, ["default"]),
    ]
    first = groups[0]
    assert first.first_failed_at is not None and first.last_failed_at is not None
    assert first.first_failed_at <= first.last_failed_at
    sample = await queue.get_job(first.sample_job_id)
    assert sample.queue == "other"  # the newest of the group
    only_other, total_other = await queue.admin.dead_letter_groups("other", 200)
    assert [(g.task, g.count) for g in only_other] == [("mail.send", 1)] and total_other == 1
    limited, total_all = await queue.admin.dead_letter_groups(None, 1)
    assert len(limited) == 1 and total_all == 4


async def test_a_replay_can_take_one_dead_letter_group(queue: Queue) -> None:
    queue.allow_unknown_tasks = True
    ids = await _failed(queue, {"a.one": "KeyError: 'x'\ntrace", "a.two": "KeyError: 'y'"})
    wrong = await queue.replay_failed(error="KeyError")
    assert wrong == 0  # the whole first line, not a prefix
    assert await queue.replay_failed(error="KeyError: 'x'") == 1
    statuses = {ids[str(j.id)]: j.status for j in (await queue.list_jobs())[0]}
    assert statuses == {"a.one": JobStatus.QUEUED, "a.two": JobStatus.FAILED}


# --- actions on many jobs -----------------------------------------------------------------


async def test_bulk_actions_check_each_job_and_say_why_they_skip(queue: Queue) -> None:
    queue.allow_unknown_tasks = True
    waiting = await queue.enqueue("b.task", queue="b")
    failed_id = uuid.UUID(next(iter(await _failed(queue, {"b.task": "E: x"}, "f"))))
    running = await queue.enqueue("b.task", queue="r")
    [held] = await queue.admin.claim_jobs("w-bulk", "127.0.0.1", "r", 1, 30)
    assert held.id == running.id
    unknown = uuid.uuid4()

    retried = await queue.admin.bulk(
        "retry", [waiting.id, failed_id, running.id, unknown, failed_id]
    )
    assert retried.done == [failed_id]
    assert dict(retried.skipped) == {
        waiting.id: "job is queued: only failed or cancelled jobs can be retried",
        running.id: "job is running: only failed or cancelled jobs can be retried",
        unknown: "not found",
    }
    assert (await queue.get_job(failed_id)).status == JobStatus.QUEUED

    cancelled = await queue.admin.bulk("cancel", [waiting.id, running.id, unknown])
    assert cancelled.done == [waiting.id, running.id]
    assert cancelled.skipped == [(unknown, "not found")]
    assert (await queue.get_job(waiting.id)).status == JobStatus.CANCELLED
    flagged = await queue.get_job(running.id)
    assert (flagged.status, flagged.cancel_requested) == (JobStatus.RUNNING, True)
    again = await queue.admin.bulk("cancel", [waiting.id])
    assert again.skipped == [(waiting.id, "job has already finished (cancelled)")]

    deleted = await queue.admin.bulk("delete", [waiting.id, running.id])
    assert deleted.done == [waiting.id]
    assert deleted.skipped == [(running.id, "job is running: cancel it first")]
    assert [j.id for j in (await queue.list_jobs(job_id=waiting.id))[0]] == []
    cells = await queue.admin.stats_totals()
    assert [(c.queue, c.n) for c in cells if c.metric == "cancelled"] == [("b", 1)]


async def test_the_dashboards_reads_of_jobs_use_their_indexes(
    queue: Queue, db: asyncpg.Connection, schema_name: str
) -> None:
    """Among many succeeded jobs, grouping the dead letters and finding one job by id must
    not walk them all."""
    await db.execute(
        f"""INSERT INTO "{schema_name}".jobs (id, task, queue, status, max_attempts,
                  finished_at)
           SELECT gen_random_uuid(), 't', 'default', 'succeeded', 5, now()
             FROM generate_series(1, 20000)"""
    )
    await db.execute(f'ANALYZE "{schema_name}".jobs')
    q = (await storage_of(queue)).q

    async def plan(query: str, *args: object) -> str:
        return "\n".join(r[0] for r in await db.fetch("EXPLAIN " + q[query], *args))

    assert "jobs_failed_or_cancelled" in await plan("dead_letter_groups", None, 200)
    # Pages of jobs: $1-$6 filters, size and cursor; $7-$9 details; $10 id; $11 dedupe key.
    by_id = await plan(
        "list_jobs_by_id", *[None] * 4, 50, None, False, False, False, uuid.uuid4(), None
    )
    assert "jobs_pkey" in by_id and "Seq Scan" not in by_id


# --- the job list's filters ---------------------------------------------------------------


async def test_the_id_and_dedupe_key_filters_combine_with_the_others(queue: Queue) -> None:
    queue.allow_unknown_tasks = True
    keyed = await queue.enqueue("f.task", queue="f1", dedupe_key="order-1")
    other = await queue.enqueue("f.task", queue="f2", dedupe_key="order-2")
    await queue.enqueue("f.task", queue="f1")

    async def ids(**filters: object) -> list[uuid.UUID]:
        return [j.id for j in (await queue.list_jobs(**filters))[0]]  # type: ignore[arg-type]

    assert await ids(job_id=keyed.id) == [keyed.id]
    assert await ids(job_id=keyed.id, queue="f2") == []
    assert await ids(job_id=keyed.id, status="failed") == []
    assert await ids(dedupe_key="order-2") == [other.id]
    assert await ids(dedupe_key="order-2", queue="f1") == []
    assert await ids(dedupe_key="order-1", job_id=keyed.id, task="f.task") == [keyed.id]
    assert await ids(dedupe_key="order-1", status="queued") == [keyed.id]
    assert await ids(job_id=uuid.uuid4()) == []


# --- workers ------------------------------------------------------------------------------


async def test_workers_show_their_jobs_and_turn_stale_past_their_lease(queue: Queue) -> None:
    queue.allow_unknown_tasks = True
    storage = await storage_of(queue)
    await storage.register_worker("w-quick", "h", 1, ["s"], 2, lease_seconds=0.5)
    job = await queue.enqueue("s.task", queue="s")
    [claimed] = await storage.claim("w-quick", ["s"], 5, 30)
    assert claimed.id == job.id
    [row] = await queue.admin.live_workers(60)
    assert row["running_jobs"] == [job.id]
    assert 0 <= row["heartbeat_age_seconds"] < 5

    async def stale() -> bool:
        [listed] = await queue.admin.live_workers(60)
        return bool(listed["stale"])

    await wait_until(stale, timeout=5)


async def test_a_worker_states_its_lease_and_keeps_it_as_it_beats(
    queue: Queue, db: asyncpg.Connection, schema_name: str
) -> None:
    @queue.task(name="w.noop")
    async def noop() -> None: ...

    async with running_worker(queue, lease_seconds=9, heartbeat_interval=0.1) as worker:

        async def beaten_twice() -> bool:
            rows = await queue.admin.live_workers(60)
            return any(r["id"] == worker.id for r in rows) and await db.fetchval(
                f"SELECT last_seen > started_at + interval '0.15 seconds' FROM \"{schema_name}\""
                ".workers WHERE id = $1",
                worker.id,
            )

        await wait_until(beaten_twice)
        lease = await db.fetchval(
            f'SELECT lease_seconds FROM "{schema_name}".workers WHERE id = $1', worker.id
        )
        assert lease == 9
        [row] = [r for r in await queue.admin.live_workers(60) if r["id"] == worker.id]
        assert (row["stale"], row["running_jobs"]) == (False, [])
