"""schemathesis against the API's own OpenAPI schema: nothing a client sends gives a 5xx."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.test_api_http import (
    ADMIN_KEY,
    Server,
    _drop_schema,
    _migrated_schema,
    start_server,
    stop,
)

pytestmark = pytest.mark.e2e


@pytest.fixture
def fuzz_server(database_url: str) -> Iterator[Server]:
    schema = f"t_apifz_{uuid.uuid4().hex[:12]}"
    asyncio.run(_migrated_schema(database_url, schema))
    running = start_server(
        database_url,
        schema,
        EQUEUE_RATE_LIMIT_PER_SECOND="100000",
        EQUEUE_RATE_LIMIT_BURST="100000",
    )
    try:
        yield running
    finally:
        stop(running.process)
        asyncio.run(_drop_schema(database_url, schema))


def test_no_input_produces_a_server_error(fuzz_server: Server, tmp_path: Path) -> None:
    cli = Path(sys.executable).with_name("schemathesis")
    result = subprocess.run(
        [
            str(cli),
            "run",
            f"{fuzz_server.url}/openapi.json",
            "--checks",
            "not_a_server_error",
            "--max-examples",
            "15",
            "--seed",
            "1",
            "--phases",
            "examples,coverage,fuzzing",
            "-H",
            f"x-api-key: {ADMIN_KEY}",
        ],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
