"""``equeue schedules``: the table with next runs, ``--json``, pause, resume and delete,
each audited; a missing schedule is an error with a message."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from equeue import Queue
from equeue.periodic import ScheduleSpec
from tests.integration.test_audit_cli import audit_of
from tests.integration.test_cli import cli, env  # noqa: F401  (the fixture)


def make_schedules(env: dict[str, str]) -> None:  # noqa: F811
    async def go() -> None:
        async with Queue(
            env["EQUEUE_DATABASE_URL"], schema=env["EQUEUE_SCHEMA"], allow_unknown_tasks=True
        ) as queue:
            await queue.migrate()
            spec = ScheduleSpec("nightly", "report.build", "0 3 * * *", timezone="Europe/Paris")
            await queue.admin.schedules.create(spec)

    asyncio.run(go())


def test_schedules_are_listed_with_their_next_run_and_paused_resumed_deleted(
    env: dict[str, str],  # noqa: F811
) -> None:
    make_schedules(env)

    [listed] = cli(env, "schedules", "--json")["schedules"]
    table = cli(env, "schedules").stdout
    paused = cli(env, "schedules", "--json", "pause", "nightly")
    resumed = cli(env, "schedules", "resume", "nightly").stdout
    deleted = cli(env, "schedules", "--json", "delete", "nightly")
    missing = cli(env, "schedules", "pause", "nightly", code=1)

    assert (listed["name"], listed["cron"], listed["timezone"]) == (
        "nightly",
        "0 3 * * *",
        "Europe/Paris",
    )
    next_run = datetime.fromisoformat(listed["next_run_at"])
    assert next_run > datetime.now(UTC)
    assert "nightly" in table and next_run.strftime("%Y-%m-%d %H:%M:%S") in table
    assert paused["paused"] is True
    assert "schedule nightly resumed; next run" in resumed
    assert deleted == {"name": "nightly", "deleted": True}
    assert "no schedule named 'nightly'" in missing.stderr
    assert [(r.action, r.target) for r in audit_of(env)] == [
        ("schedule.pause", {"schedule": "nightly"}),
        ("schedule.resume", {"schedule": "nightly"}),
        ("schedule.delete", {"schedule": "nightly"}),
    ]
    assert cli(env, "schedules", "--json", "list") == {"schedules": []}
