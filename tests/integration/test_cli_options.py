"""The options every command shares, given before the command or after it."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
from typer.testing import CliRunner

from equeue.cli import app

runner = CliRunner()


@pytest.fixture
async def schema(database_url: str) -> AsyncIterator[str]:
    name = f"t_{uuid.uuid4().hex[:16]}"
    yield name
    connection = await asyncpg.connect(database_url)
    try:
        await connection.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
    finally:
        await connection.close()


def test_shared_options_before_the_command(database_url: str, schema: str) -> None:
    given = ["--database-url", database_url, "--schema", schema, "--json"]
    result = runner.invoke(app, [*given, "migrate"], env={"EQUEUE_DATABASE_URL": ""})
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["schema"] == schema

    paused = runner.invoke(app, [*given, "queues", "pause", "emails"])
    assert paused.exit_code == 0, paused.stderr
    assert json.loads(paused.stdout) == {"name": "emails", "paused": True}


def test_the_option_nearer_the_command_wins(database_url: str, schema: str) -> None:
    result = runner.invoke(
        app,
        ["--schema", "not_this_one", "migrate", "--database-url", database_url, "--schema", schema],
    )
    assert result.exit_code == 0, result.stderr
    assert f"to schema {schema}" in result.stdout


def test_worker_flags_reach_every_worker_setting() -> None:
    result = runner.invoke(
        app,
        ["worker", "equeue.demo:queue", "--database-url", "postgresql://x/y", "--claim-batch", "0"],
    )
    assert result.exit_code == 2
    assert "claim_batch: Input should be greater than or equal to 1" in result.stderr
