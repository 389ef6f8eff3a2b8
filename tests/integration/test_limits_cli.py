"""``equeue queues limit``: sets, shows and clears a queue's fleet-wide limits, audited;
refuses values that mean nothing."""

from __future__ import annotations

import asyncio
from typing import Any

from equeue import Queue
from equeue.limits import QueueLimits
from tests.integration.test_cli import cli, env  # noqa: F401 (env: a fixture)


def limits_of(settings: dict[str, str]) -> dict[str, QueueLimits]:
    async def read() -> dict[str, QueueLimits]:
        async with Queue(
            settings["EQUEUE_DATABASE_URL"], schema=settings["EQUEUE_SCHEMA"]
        ) as queue:
            return await queue.admin.queue_limits()

    return asyncio.run(read())


def test_limits_are_set_shown_and_cleared(env: dict[str, str]) -> None:  # noqa: F811
    cli(env, "migrate")
    set_ = cli(
        env, "queues", "--json", "limit", "emails", "--concurrency", "4", "--rate", "2.5",
        "--group-concurrency", "1",
    )  # fmt: skip
    assert set_ == {
        "name": "emails",
        "concurrency": 4,
        "rate": 2.5,
        "burst": None,
        "group_concurrency": 1,
    }
    assert limits_of(env) == {"emails": QueueLimits(4, 2.5, None, 1)}
    shown = cli(env, "queues", "limit", "emails", "--rate", "5", "--burst", "2").stdout
    assert "rate 5" in shown and "burst 2" in shown
    assert limits_of(env) == {"emails": QueueLimits(rate=5, burst=2)}
    assert "no limits" in cli(env, "queues", "limit", "emails", "--clear").stdout
    assert limits_of(env) == {}
    assert len(limit_actions(env)) == 3


def test_meaningless_limits_are_usage_errors(env: dict[str, str]) -> None:  # noqa: F811
    cli(env, "migrate")
    for args in (
        ["--concurrency", "0"],
        ["--rate", "0"],
        ["--group-concurrency", "-1"],
        ["--burst", "3"],  # a burst without a rate
        [],  # nothing to set
        ["--clear", "--rate", "3"],
    ):
        cli(env, "queues", "limit", "emails", *args, code=2)
    assert limits_of(env) == {}


def limit_actions(settings: dict[str, str]) -> list[Any]:
    async def read() -> list[Any]:
        dsn, schema = settings["EQUEUE_DATABASE_URL"], settings["EQUEUE_SCHEMA"]
        async with Queue(dsn, schema=schema) as queue:
            records, _ = await queue.admin.audit_log(action="queue.limits")
            return records

    return asyncio.run(read())
