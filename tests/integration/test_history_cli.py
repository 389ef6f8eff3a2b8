"""The command line on a job that has moved to job_history (migration 0017): shown,
listed, retried (back to the queue) and deleted as before."""

from __future__ import annotations

import asyncio

from equeue import Queue
from equeue.worker.maintenance import Maintenance, MaintenanceSettings
from tests.conftest import storage_of
from tests.integration.test_cli import cli, env

__all__ = ["env"]  # the fixture, used by name


def archive(env: dict[str, str]) -> int:
    """Run the archive duty once, moving every finished job; how many moved."""

    async def go() -> int:
        queue = Queue(env["EQUEUE_DATABASE_URL"], schema=env["EQUEUE_SCHEMA"], pool_max_size=2)
        try:
            storage = await storage_of(queue)
            settings = MaintenanceSettings(archive_after_seconds=0)
            return await Maintenance(storage, settings).archive()
        finally:
            await queue.close()

    return asyncio.run(go())


def test_an_archived_job_is_shown_listed_retried_and_deleted(env: dict[str, str]) -> None:
    cli(env, "migrate")
    job = cli(env, "enqueue", "report.generate", "--tag", "weekly", "--allow-unknown", "--json")
    cli(env, "jobs", "cancel", job["id"], "--json")
    assert archive(env) == 1

    assert cli(env, "jobs", "show", job["id"], "--json")["status"] == "cancelled"
    listed = cli(env, "jobs", "list", "--status", "cancelled", "--json")
    assert [item["id"] for item in listed["items"]] == [job["id"]]
    assert cli(env, "jobs", "retry", job["id"], "--json")["status"] == "queued"
    assert archive(env) == 0  # back in the queue: unfinished jobs never move
    cli(env, "jobs", "cancel", job["id"], "--json")
    assert archive(env) == 1
    assert cli(env, "jobs", "delete", job["id"], "--json") == {"deleted": job["id"]}
    assert "no job" in cli(env, "jobs", "show", job["id"], code=1).stderr
