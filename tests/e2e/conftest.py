"""Fixtures of the end-to-end tests: a real API server per test module."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from tests.e2e.test_api_http import Server, _drop_schema, _migrated_schema, start_server, stop


@pytest.fixture(scope="module")
def server(database_url: str) -> Iterator[Server]:
    schema = f"t_api_{uuid.uuid4().hex[:12]}"
    asyncio.run(_migrated_schema(database_url, schema))
    running = start_server(database_url, schema)
    try:
        yield running
    finally:
        stop(running.process)
        asyncio.run(_drop_schema(database_url, schema))


@pytest.fixture
async def api(server: Server) -> AsyncIterator[httpx.AsyncClient]:
    async with server.client() as client:
        yield client
