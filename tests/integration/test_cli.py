"""Every CLI command against a real PostgreSQL, run in-process, ``--json`` parsed back."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from typing import Any

import asyncpg
import pytest
from typer.testing import CliRunner

from equeue import Queue, Worker, WorkerSettings
from equeue.cli import app
from equeue.demo import register_demo_tasks

runner = CliRunner()


@pytest.fixture
def env(database_url: str) -> Iterator[dict[str, str]]:
    """Environment pointing the CLI at a fresh schema (dropped afterwards)."""
    schema = f"t_{uuid.uuid4().hex[:16]}"
    yield {"EQUEUE_DATABASE_URL": database_url, "EQUEUE_SCHEMA": schema}

    async def drop() -> None:
        connection = await asyncpg.connect(database_url)
        try:
            await connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        finally:
            await connection.close()

    asyncio.run(drop())


def cli(env: dict[str, str], *args: str, code: int = 0) -> Any:
    """Run ``equeue *args``; check the exit code; return parsed JSON when --json was given."""
    result = runner.invoke(app, list(args), env=env)
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    if "--json" in args and code == 0:
        return json.loads(result.stdout)
    return result


def run_demo_worker_until(env: dict[str, str], job_ids: list[str], *statuses: str) -> None:
    """Run a demo-task worker in this thread until every job reaches one of ``statuses``."""

    async def go() -> None:
        queue = register_demo_tasks(
            Queue(env["EQUEUE_DATABASE_URL"], schema=env["EQUEUE_SCHEMA"], pool_max_size=3)
        )
        worker = Worker(queue, WorkerSettings(poll_interval=0.1, concurrency=20))
        task = asyncio.create_task(worker.run())
        try:
            deadline = asyncio.get_running_loop().time() + 30
            while True:
                jobs = [await queue.get_job(i) for i in job_ids]
                if all(j.status in statuses for j in jobs):
                    return
                assert asyncio.get_running_loop().time() < deadline, jobs
                await asyncio.sleep(0.05)
        finally:
            worker.stop()
            await asyncio.wait_for(task, 30)
            await queue.close()

    asyncio.run(go())


def test_migrate_applies_then_reports_up_to_date(env: dict[str, str]) -> None:
    first = cli(env, "migrate", "--json")
    assert first["applied"]
    assert first["schema"] == env["EQUEUE_SCHEMA"]
    assert cli(env, "migrate", "--json")["applied"] == []
    assert "up to date" in cli(env, "migrate").stdout


def test_enqueue_list_show_cancel_retry_delete(env: dict[str, str]) -> None:
    cli(env, "migrate")
    job = cli(
        env,
        "enqueue",
        "report.generate",
        "--payload",
        '{"name": "weekly"}',
        "--queue",
        "reports",
        "--priority",
        "7",
        "--tag",
        "a",
        "--tag",
        "b",
        "--delay",
        "3600",
        "--allow-unknown",
        "--json",
    )
    assert job["type"] == "report.generate"
    assert job["payload"] == {"name": "weekly"}
    assert (job["queue"], job["priority"], job["tags"]) == ("reports", 7, ["a", "b"])
    assert job["status"] == "scheduled"

    listed = cli(env, "jobs", "list", "--status", "scheduled", "--json")
    assert [item["id"] for item in listed["items"]] == [job["id"]]
    assert cli(env, "jobs", "list", "--status", "queued", "--json")["items"] == []
    assert "report.generate" in cli(env, "jobs", "list").stdout

    shown = cli(env, "jobs", "show", job["id"], "--json")
    assert shown["id"] == job["id"]
    assert shown["attempt_history"] == []
    assert "weekly" in cli(env, "jobs", "show", job["id"]).stdout

    assert cli(env, "jobs", "cancel", job["id"], "--json")["status"] == "cancelled"
    again = cli(env, "jobs", "cancel", job["id"], code=1)
    assert "already finished" in again.stderr
    assert cli(env, "jobs", "retry", job["id"], "--json")["status"] == "queued"
    refused = cli(env, "jobs", "retry", job["id"], code=1)
    assert "only failed or cancelled" in refused.stderr
    assert cli(env, "jobs", "delete", job["id"], "--json") == {"deleted": job["id"]}
    gone = cli(env, "jobs", "show", job["id"], code=1)
    assert "no job" in gone.stderr


def test_dedupe_key_returns_the_holder(env: dict[str, str]) -> None:
    cli(env, "migrate")
    args = ("enqueue", "email.send", "--dedupe-key", "welcome-1", "--allow-unknown", "--json")
    first = cli(env, *args)
    second = cli(env, *args)
    assert second["id"] == first["id"]
    assert second["deduplicated"] is True


def test_bad_input_is_a_usage_error_with_a_message(env: dict[str, str]) -> None:
    cli(env, "migrate")
    unknown = cli(env, "enqueue", "no.such.task", code=2)
    assert "no worker has registered the task no.such.task" in unknown.stderr
    assert "not valid JSON" in cli(env, "enqueue", "x", "--payload", "{nope", code=2).stderr
    assert "JSON object" in cli(env, "enqueue", "x", "--payload", "[1]", code=2).stderr
    too_high = cli(env, "enqueue", "x", "--priority", "500", "--allow-unknown", code=2)
    assert "priority must be between -100 and 100" in too_high.stderr
    assert "not a UUID" in cli(env, "jobs", "show", "123", code=2).stderr
    assert "only finished" in cli(env, "jobs", "purge", "--status", "queued", code=2).stderr
    assert cli(env, "jobs", "list", "--json")["items"] == []  # nothing was written
    bad_env = {**env, "EQUEUE_PORT": "not-a-port"}
    assert "port" in cli(bad_env, "migrate", code=2).stderr
    # Brackets in a message are text, not terminal markup to be swallowed.
    bracketed = cli(env, "enqueue", "x", "--queue", "q[embedded]", "--allow-unknown", code=2)
    assert "'q[embedded]'" in bracketed.stderr


def test_printed_values_keep_their_brackets(env: dict[str, str]) -> None:
    cli(env, "migrate")
    args = ("enqueue", "x", "--payload", '{"note": "[bold]kept[/bold]"}', "--allow-unknown")
    job = cli(env, *args, "--json")
    assert "[bold]kept[/bold]" in cli(env, "jobs", "show", job["id"]).stdout


def test_no_database_or_unreachable_database(env: dict[str, str]) -> None:
    missing = cli({"EQUEUE_DATABASE_URL": ""}, "jobs", "list", code=2)
    assert "no database" in missing.stderr
    unreachable = cli(
        {"EQUEUE_DATABASE_URL": "postgresql://postgres@127.0.0.1:1/postgres"},
        "queues",
        code=1,
    )
    assert "cannot reach the database" in unreachable.stderr
    assert "Traceback" not in unreachable.stdout + unreachable.stderr


def test_bulk_enqueue_counts_and_purge(env: dict[str, str]) -> None:
    cli(env, "migrate")
    bulk = cli(env, "enqueue", "sms.send", "--count", "2500", "--allow-unknown", "--json")
    assert bulk["enqueued"] == 2500
    assert len(set(bulk["ids"])) == 2500
    queues = cli(env, "queues", "--json")["queues"]
    assert queues == [
        {
            "name": "default",
            "paused": False,
            "counts": {
                "scheduled": 0,
                "queued": 2500,
                "running": 0,
                "retrying": 0,
                "succeeded": 0,
                "failed": 0,
                "cancelled": 0,
            },
        }
    ]
    assert "2500" in cli(env, "queues").stdout
    page = cli(env, "jobs", "list", "--limit", "1000", "--json")
    assert len(page["items"]) == 1000
    assert page["next_cursor"]
    rest = cli(env, "jobs", "list", "--limit", "1000", "--cursor", page["next_cursor"], "--json")
    assert not {i["id"] for i in rest["items"]} & {i["id"] for i in page["items"]}


def test_worker_results_replay_and_purge(env: dict[str, str]) -> None:
    cli(env, "migrate")
    reverse = cli(
        env,
        "enqueue",
        "text.reverse",
        "--payload",
        '{"text": "hello"}',
        "--allow-unknown",
        "--json",
    )
    failing = [
        cli(env, "enqueue", "demo.fail", "--max-attempts", "1", "--allow-unknown", "--json")["id"]
        for _ in range(3)
    ]
    run_demo_worker_until(env, [reverse["id"], *failing], "succeeded", "failed")
    done = cli(env, "jobs", "show", reverse["id"], "--json")
    assert (done["status"], done["result"]) == ("succeeded", "olleh")
    assert done["attempt_history"][0]["outcome"] == "succeeded"
    failed = cli(env, "jobs", "show", failing[0], "--json")
    assert failed["status"] == "failed"
    assert "DemoFailure" in failed["last_error"]

    assert cli(env, "replay-dlq", "--error", "DemoFailure", "--json") == {"replayed": 0}
    group = failed["last_error"].splitlines()[0]
    assert cli(env, "replay-dlq", "--limit", "2", "--error", group, "--json") == {"replayed": 2}
    assert cli(env, "replay-dlq", "--json") == {"replayed": 1}
    assert cli(env, "replay-dlq", "--json") == {"replayed": 0}
    replayed = cli(env, "jobs", "show", failing[0], "--json")
    assert replayed["status"] == "queued"
    assert len(replayed["attempt_history"]) == 1

    assert cli(env, "jobs", "purge", "--json") == {"deleted": 1}
    assert cli(env, "jobs", "list", "--status", "succeeded", "--json")["items"] == []


def test_pause_and_resume_a_queue(env: dict[str, str]) -> None:
    cli(env, "migrate")
    assert cli(env, "queues", "--json", "pause", "emails") == {"name": "emails", "paused": True}
    assert cli(env, "queues", "--json")["queues"][0]["paused"] is True
    assert "resumed" in cli(env, "queues", "resume", "emails").stdout
    assert cli(env, "queues", "--json")["queues"][0]["paused"] is False


def test_api_keys_create_list_revoke(env: dict[str, str]) -> None:
    created = cli(env, "keys", "create", "--scope", "write", "--name", "ci", "--json")
    assert created["key"]
    assert created["scopes"] == ["write"]
    listed = cli(env, "keys", "list", "--json")["items"]
    assert [(k["id"], k["name"], k["revoked_at"]) for k in listed] == [(created["id"], "ci", None)]
    assert created["key"] not in json.dumps(listed)
    assert cli(env, "keys", "revoke", created["id"], "--json") == {"revoked": created["id"]}
    assert cli(env, "keys", "list", "--json")["items"][0]["revoked_at"] is not None
    assert "no active key" in cli(env, "keys", "revoke", created["id"], code=1).stderr
    assert cli(env, "keys", "create", "--scope", "root", code=2).stderr


def test_keys_sign_in_link_makes_a_one_time_link_for_the_scopes_given(
    env: dict[str, str],
) -> None:
    from equeue.api.keys import exchange_sign_in_code

    made = cli(
        env, "keys", "sign-in-link", "--scope", "write", "--url", "https://q.example/", "--json"
    )
    assert made["url"].startswith("https://q.example/dashboard/sign-in?code=")
    assert made["scopes"] == ["write"]
    code = made["url"].split("code=", 1)[1]

    async def exchange() -> list[str] | None:
        queue = Queue(env["EQUEUE_DATABASE_URL"], schema=env["EQUEUE_SCHEMA"])
        async with queue:
            exchanged = await exchange_sign_in_code(queue, code)
            return exchanged[0].scopes if exchanged else None

    assert asyncio.run(exchange()) == ["write"]
    assert asyncio.run(exchange()) is None  # once only
    [key] = cli(env, "keys", "list", "--json")["items"]
    assert key["name"] == "dashboard sign-in" and key["expires_at"] is not None
    assert "expires" in cli(env, "keys", "list").stdout
    plain = cli(env, "keys", "sign-in-link").stdout
    assert plain.startswith("http://127.0.0.1:8000/dashboard/sign-in?code=")
    assert "read" in plain
    assert cli(env, "keys", "sign-in-link", "--scope", "root", code=2).stderr
    assert "--url" in cli(env, "keys", "sign-in-link", "--url", "q.example", code=2).stderr


def test_settings_from_a_config_file(env: dict[str, str], tmp_path: Any) -> None:
    config = tmp_path / "equeue.toml"
    config.write_text(f'[equeue]\nschema = "{env["EQUEUE_SCHEMA"]}"\n')
    only_url = {"EQUEUE_DATABASE_URL": env["EQUEUE_DATABASE_URL"]}
    assert (
        cli(only_url, "migrate", "--config", str(config), "--json")["schema"]
        == env["EQUEUE_SCHEMA"]
    )
    config.write_text("[equeue]\nshema = 'x'\n")
    assert (
        "unknown settings shema" in cli(only_url, "migrate", "--config", str(config), code=2).stderr
    )
