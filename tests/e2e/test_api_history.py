"""Over HTTP, a job that has moved to job_history (migration 0017) is read, listed,
retried and deleted as before, and its audit record still leads to it."""

from __future__ import annotations

import httpx
import pytest

from equeue import Queue
from equeue.worker.maintenance import Maintenance, MaintenanceSettings
from tests.conftest import storage_of
from tests.e2e.test_api_http import Server, unique

pytestmark = pytest.mark.e2e


async def archive(server: Server) -> int:
    """One round of the archive duty, moving every finished job; how many moved."""
    queue = Queue(server.dsn, schema=server.schema, pool_max_size=2)
    try:
        storage = await storage_of(queue)
        return await Maintenance(storage, MaintenanceSettings(archive_after_seconds=0)).archive()
    finally:
        await queue.close()


async def test_an_archived_job_is_read_listed_retried_and_deleted(
    server: Server, api: httpx.AsyncClient
) -> None:
    queue = unique("archived")
    made = (await api.post("/v1/jobs", json={"type": "api.echo", "queue": queue})).json()
    job = f"/v1/jobs/{made['id']}"
    assert (await api.post(f"{job}/cancel")).json()["status"] == "cancelled"
    assert await archive(server) >= 1

    assert (await api.get(job)).json()["status"] == "cancelled"
    page = await api.get("/v1/jobs", params={"queue": queue, "status": "cancelled"})
    assert [item["id"] for item in page.json()["items"]] == [made["id"]]
    audited = await api.get("/v1/audit", params={"action": "job.cancel"})
    linked = [r["job_ids"] for r in audited.json()["items"] if made["id"] in r["job_ids"]]
    assert linked and (await api.get(f"/v1/jobs/{linked[0][0]}")).status_code == 200

    retried = await api.post(f"{job}/retry")
    assert retried.status_code == 200 and retried.json()["status"] == "queued"
    assert (await api.post(f"{job}/cancel")).json()["status"] == "cancelled"
    assert await archive(server) >= 1
    assert (await api.delete(job)).status_code in (200, 204)
    assert (await api.get(job)).status_code == 404
