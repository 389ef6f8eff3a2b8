"""What real ``equeue api`` and ``equeue dev`` processes print: never a key, an event
token or a database password."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest
import websockets

from equeue import Queue
from tests.e2e.serving import wait_until_serving
from tests.e2e.test_api_http import _drop_schema, free_port
from tests.e2e.test_dev import DevStack

pytestmark = pytest.mark.e2e


def exercise_secrets(base: str, key: str) -> str:
    """Use a key and an event token the ways a client may; returns the token."""
    headers = {"x-api-key": key}
    token = httpx.post(f"{base}/v1/events/token", headers=headers, timeout=10).json()["token"]

    async def listen() -> None:
        socket_url = base.replace("http://", "ws://") + f"/v1/events?queue=default&token={token}"
        async with websockets.connect(socket_url) as events:
            await events.ping()

    asyncio.run(listen())
    # Secrets put in a URL by mistake are refused, and must not be written down either.
    for query in (f"api_key={key}", f"key={key}&limit=5", f"token={token}", f"access_token={key}"):
        assert httpx.get(f"{base}/v1/jobs?{query}", timeout=10).status_code == 401
    return token


def test_the_api_server_logs_no_key_or_token(
    queue: Queue, database_url: str, tmp_path: Path
) -> None:
    key = f"secret-admin-{uuid.uuid4().hex}"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("EQUEUE_")}
    env.update(EQUEUE_DATABASE_URL=database_url, EQUEUE_SCHEMA=queue.schema, EQUEUE_API_KEY=key)
    log = tmp_path / "api.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "equeue.cli", "api", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(server, f"{base}/healthz", log=log)
        token = exercise_secrets(base, key)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
    output = log.read_text()
    # The requests were logged, with their secrets blanked out.
    assert "/v1/events?queue=default&token=[redacted]" in output, output
    assert "/v1/jobs?key=[redacted]&limit=5" in output, output
    assert token not in output
    assert token.split(".")[0] not in output
    assert key not in output


def test_dev_prints_no_database_password_or_token(tmp_path: Path, database_url: str) -> None:
    password = f"pw-{uuid.uuid4().hex}"
    scheme, rest = database_url.split("://", 1)
    user, host = rest.split("@", 1)
    user = user.split(":")[0]
    schema = f"t_devlog_{uuid.uuid4().hex[:12]}"
    stack = DevStack(
        tmp_path / "data",
        free_port(),
        tmp_path / "dev.log",
        "--database-url",
        f"{scheme}://{user}:{password}@{host}",
        env={"EQUEUE_SCHEMA": schema},
    )
    try:
        key = stack.wait_ready()
        token = exercise_secrets(stack.base, key)
        assert stack.stop() == 0
    finally:
        if stack.process.poll() is None:
            stack.process.kill()
            stack.process.wait(10)
        asyncio.run(_drop_schema(database_url, schema))
    output = stack.output()
    assert f"{scheme}://{user}:***@{host}" in output, output
    assert password not in output
    assert token not in output
