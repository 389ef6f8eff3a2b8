"""The audit trail of the command line: each action recorded once, as the operating
system's user on this machine; a refused command records nothing."""

from __future__ import annotations

import asyncio
import getpass
import socket
from typing import Any

from equeue import Queue
from tests.integration.test_cli import cli, env

__all__ = ["env"]  # the fixture, shared with the CLI's own tests


def audit_of(env: dict[str, str]) -> list[Any]:
    async def read() -> list[Any]:
        async with Queue(env["EQUEUE_DATABASE_URL"], schema=env["EQUEUE_SCHEMA"]) as queue:
            records, _ = await queue.admin.audit_log(limit=100)
            return list(reversed(records))

    return asyncio.run(read())


def test_each_command_is_recorded_once_as_the_os_user(env: dict[str, str]) -> None:
    cli(env, "migrate")
    job = cli(env, "enqueue", "t", "--queue", "cli-q", "--allow-unknown", "--json")["id"]
    cli(env, "jobs", "cancel", job, "--json")
    cli(env, "jobs", "retry", job, "--json")
    cli(env, "jobs", "retry", job, code=1)  # refused: queued, not failed
    cli(env, "jobs", "cancel", job, "--json")
    cli(env, "jobs", "cancel", job, code=1)  # refused: finished
    cli(env, "jobs", "purge", "--status", "cancelled", "--queue", "cli-q", "--json")
    cli(env, "replay-dlq", "--queue", "cli-q", "--json")
    cli(env, "queues", "pause", "cli-q")
    cli(env, "queues", "resume", "cli-q")
    key = cli(env, "keys", "create", "--scope", "read", "--name", "dash", "--json")["id"]
    cli(env, "keys", "revoke", key, "--json")
    cli(env, "keys", "revoke", key, code=1)  # refused: revoked already

    records = audit_of(env)
    assert [r.action for r in records] == [
        "job.cancel",
        "job.retry",
        "job.cancel",
        "jobs.purge",
        "jobs.replay",
        "queue.pause",
        "queue.resume",
        "key.create",
        "key.revoke",
    ]
    user = getpass.getuser()
    assert {(r.actor, r.actor_name, r.source) for r in records} == {
        ("cli", user, f"cli:{user}@{socket.gethostname()}")
    }
    assert [str(i) for i in records[0].job_ids] == [job]
    purge = records[3]
    assert (purge.target["status"], purge.target["queue"], purge.affected) == (
        ["cancelled"],
        "cli-q",
        1,
    )
    assert records[7].target == {"key": key, "name": "dash", "scopes": ["read"]}


def test_deleting_a_job_is_recorded(env: dict[str, str]) -> None:
    cli(env, "migrate")
    job = cli(env, "enqueue", "t", "--delay", "60", "--allow-unknown", "--json")["id"]
    cli(env, "jobs", "delete", job, "--json")
    cli(env, "jobs", "delete", job, code=1)  # refused: gone
    assert [(r.action, [str(i) for i in r.job_ids]) for r in audit_of(env)] == [
        ("job.delete", [job])
    ]
