"""The example app: a job enqueued inside the app's own transaction commits or rolls back
with it, and a worker then runs it."""

from __future__ import annotations

import importlib
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from types import ModuleType

import asyncpg
import httpx
import pytest

from tests.conftest import running_worker, wait_for_status

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "fastapi_app"


@pytest.fixture
async def example(
    database_url: str, schema_name: str, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[ModuleType, ModuleType, str]]:
    """The example's modules, imported fresh against a schema of this test's own."""
    monkeypatch.setenv("EQUEUE_DATABASE_URL", database_url)
    monkeypatch.setenv("EQUEUE_SCHEMA", schema_name)
    monkeypatch.syspath_prepend(str(EXAMPLE))
    for name in ("tasks", "app"):
        sys.modules.pop(name, None)
    tasks = importlib.import_module("tasks")
    app_module = importlib.import_module("app")
    app_schema = f"app_{uuid.uuid4().hex[:12]}"
    try:
        yield tasks, app_module, app_schema
    finally:
        await tasks.queue.close()
        for name in ("tasks", "app"):
            sys.modules.pop(name, None)
        connection = await asyncpg.connect(database_url)
        try:
            for schema in (schema_name, app_schema):
                await connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        finally:
            await connection.close()


async def test_transactional_enqueue_commits_and_rolls_back(
    example: tuple[ModuleType, ModuleType, str], database_url: str
) -> None:
    tasks, app_module, app_schema = example
    app = app_module.create_app(database_url, app_schema)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://example") as client:
            ok = await client.post("/signup", json={"email": "ada@example.com"})
            assert ok.status_code == 201, ok.text
            refused = await client.post(
                "/signup", json={"email": "bob@example.com", "referral": "NOPE"}
            )
            assert refused.status_code == 400
            taken = await client.post("/signup", json={"email": "ada@example.com"})
            assert taken.status_code == 409

        queue = tasks.queue
        jobs, _ = await queue.list_jobs()
        # Only the committed signup left a job; the refused one took its job back with it.
        assert [str(j.id) for j in jobs] == [ok.json()["welcome_job"]]
        assert jobs[0].payload == {"user_id": ok.json()["user_id"], "email": "ada@example.com"}
        connection = await asyncpg.connect(database_url)
        try:
            emails = await connection.fetch(f"SELECT email FROM {app_schema}.users")
        finally:
            await connection.close()
        assert [r["email"] for r in emails] == ["ada@example.com"]

        async with running_worker(queue):
            done = await wait_for_status(queue, jobs[0].id, "succeeded")
        assert done.result == {"sent_to": "ada@example.com", "user_id": ok.json()["user_id"]}
