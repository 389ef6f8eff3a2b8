"""schemathesis against the API's own OpenAPI schema: the schema tells the truth.

Every check, in every phase (examples, coverage, fuzzing, stateful), against a real
uvicorn server on a real PostgreSQL: no input gives a 5xx, every answer's status, headers
and body are the documented ones, input the schema allows is accepted, input it forbids is
refused, undeclared methods get 405 with an ``Allow`` naming the path's methods.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
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
HOOKS = Path(__file__).with_name("schemathesis_hooks.py")
#: Fixed, so a run is the same run every time; examples per operation kept small enough
#: for the whole run to take well under a minute.
SEED, EXAMPLES = "1", "50"


@pytest.fixture
def fuzz_server(database_url: str) -> Iterator[Server]:
    schema = f"t_apifz_{uuid.uuid4().hex[:12]}"
    asyncio.run(_migrated_schema(database_url, schema))
    running = start_server(
        database_url,
        schema,
        EQUEUE_RATE_LIMIT_PER_SECOND="100000",
        EQUEUE_RATE_LIMIT_BURST="100000",
        # Which task names exist is the workers' registry, state the schema cannot carry:
        # without this, every generated task name would be refused as unknown.
        EQUEUE_ALLOW_UNKNOWN_TASKS="true",
        # A claim of an empty queue waits up to the declared bound: kept short, so that
        # the run's many claims cost well under a second each.
        EQUEUE_CLAIM_MAX_WAIT_SECONDS="0.2",
        EQUEUE_JOB_MAX_WAIT_SECONDS="0.2",  # the same for a read of a job with a wait
    )
    try:
        yield running
    finally:
        stop(running.process)
        asyncio.run(_drop_schema(database_url, schema))


def _operation_count(url: str) -> int:
    paths = httpx.get(f"{url}/openapi.json", timeout=10).json()["paths"]
    return sum(len(methods) for methods in paths.values())


def test_every_check_passes_in_every_phase(fuzz_server: Server, tmp_path: Path) -> None:
    cli = Path(sys.executable).with_name("schemathesis")
    result = subprocess.run(
        [
            str(cli),
            "run",
            f"{fuzz_server.url}/openapi.json",
            "--checks",
            "all",
            "--phases",
            "examples,coverage,fuzzing,stateful",
            "--seed",
            SEED,
            "--max-examples",
            EXAMPLES,
            "--workers",
            "1",
            "--generation-database",
            "none",
            "--no-color",
            "-H",
            f"x-api-key: {ADMIN_KEY}",
        ],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=tmp_path,
        env={**os.environ, "SCHEMATHESIS_HOOKS": str(HOOKS)},
    )
    report = result.stdout
    assert result.returncode == 0, report[-12000:] + result.stderr[-2000:]
    operations = _operation_count(fuzz_server.url)
    assert f"Tested: {operations}" in report, report[-3000:]
    assert "✅ Stateful" in report, report[-3000:]
