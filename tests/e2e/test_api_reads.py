"""What the API polls, over HTTP: pages of jobs without their large parts unless asked,
and the health of the tables (as JSON and as metrics)."""

from __future__ import annotations

import asyncpg
import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.test_api_http import Server, assert_error, unique

pytestmark = pytest.mark.e2e
#: About 4 kB of payload per job.
BULKY = {"text": "x" * 4000}


async def test_a_page_carries_no_payload_or_result_unless_asked(api: httpx.AsyncClient) -> None:
    queue = unique("bulky")
    jobs = [{"type": "api.echo", "queue": queue, "payload": BULKY}] * 500
    assert (await api.post("/v1/jobs/batch", json={"jobs": jobs})).status_code == 201
    plain = await api.get("/v1/jobs", params={"queue": queue, "limit": 500})
    items = plain.json()["items"]
    assert len(items) == 500
    assert not any("payload" in item or "result" in item for item in items)
    assert {"id", "type", "queue", "status", "tags", "created_at"} <= set(items[0])
    full = await api.get("/v1/jobs", params={"queue": queue, "limit": 500, "fields": "payload"})
    assert [set(item) for item in full.json()["items"]] == [{"id", "payload"}] * 500
    assert full.json()["items"][0]["payload"] == BULKY
    # 500 jobs of 4 kB each: the page without them is a small fraction of the size.
    assert len(plain.content) < len(full.content) / 5
    assert len(plain.content) < 250_000


async def test_fields_choose_what_each_job_on_a_page_carries(api: httpx.AsyncClient) -> None:
    queue = unique("fields")
    made = (await api.post("/v1/jobs", json={"type": "api.echo", "queue": queue})).json()
    page = await api.get(
        "/v1/jobs", params={"queue": queue, "fields": "status,result,attempt_history"}
    )
    assert page.json()["items"] == [
        {"id": made["id"], "status": "queued", "result": None, "attempt_history": []}
    ]
    message = assert_error(
        await api.get("/v1/jobs", params={"queue": queue, "fields": "status,secret"}), 422
    )
    assert "fields" in message and "payload" in message  # names what may be chosen


async def test_table_health_shows_sizes_rows_and_a_held_snapshot(server: Server) -> None:
    """A transaction holding a snapshot shows: the oldest snapshot is at least as old as
    it (the database is shared, so another may be older still)."""
    holder = await asyncpg.connect(server.dsn)
    try:
        async with holder.transaction(isolation="repeatable_read"):
            await holder.fetchval("SELECT 1")  # the snapshot is taken, and held
            held = await holder.fetchrow(
                "SELECT age(backend_xmin) AS age, extract(epoch FROM now() - xact_start) AS s "
                "FROM pg_stat_activity WHERE pid = pg_backend_pid()"
            )
            async with server.client() as api:
                health = (await api.get("/v1/health/tables")).json()
    finally:
        await holder.close()
    tables = {t["name"]: t for t in health["tables"]}
    assert {"jobs", "job_counts", "job_count_changes", "job_tags"} <= set(tables)
    assert tables["jobs"]["total_bytes"] >= tables["jobs"]["index_bytes"] > 0
    assert tables["jobs"]["partitions"] == []
    horizon = health["vacuum_horizon"]
    assert horizon["oldest_snapshot_age"] >= held["age"]
    assert horizon["oldest_snapshot_seconds"] >= float(held["s"])
    assert isinstance(health["warnings"], list)


async def test_table_health_is_in_the_metrics(api: httpx.AsyncClient) -> None:
    await api.post("/v1/jobs", json={"type": "api.echo", "queue": unique("m")})
    text = (await api.get("/metrics")).text
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    assert samples[("equeue_table_size_bytes", (("table", "jobs"),))] > 0
    assert ("equeue_table_dead_rows", (("table", "jobs"),)) in samples
    assert ("equeue_table_partitions", (("table", "jobs"),)) in samples
    for holder in ("session", "replication_slot", "prepared_transaction"):
        held = ("equeue_vacuum_held_back_transactions", (("holder", holder),))
        assert samples[held] >= 0
    assert samples[("equeue_oldest_snapshot_seconds", ())] >= 0
