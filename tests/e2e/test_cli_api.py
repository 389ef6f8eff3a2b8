"""``equeue api`` as a real server process, and ``equeue bench`` delegating to the
benchmark's own command line."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from equeue import Queue
from tests.e2e.serving import wait_until_serving

pytestmark = pytest.mark.e2e


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_api_command_serves_the_api(queue: Queue, database_url: str, tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("EQUEUE_")}
    env.update(
        EQUEUE_DATABASE_URL=database_url,
        EQUEUE_SCHEMA=queue.schema,
        EQUEUE_API_KEY="test-admin-key",
        EQUEUE_ALLOW_UNKNOWN_TASKS="true",
    )
    log = tmp_path / "api.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "equeue.cli", "api", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_serving(server, f"{base}/readyz", log=log)
        headers = {"x-api-key": "test-admin-key"}
        created = httpx.post(
            f"{base}/v1/jobs", json={"type": "report.generate"}, headers=headers, timeout=5
        )
        assert created.status_code == 201, created.text
        assert httpx.get(f"{base}/v1/jobs", timeout=5).status_code == 401
        assert httpx.get(f"{base}/docs", timeout=5).status_code == 200
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(30) == 0, log.read_text()


def test_api_refuses_to_serve_without_auth_beyond_loopback() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EQUEUE_")}
    env.update(EQUEUE_DATABASE_URL="postgresql://x@127.0.0.1:1/x", EQUEUE_AUTH_DISABLED="true")
    result = subprocess.run(
        [sys.executable, "-m", "equeue.cli", "api", "--host", "0.0.0.0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "loopback" in result.stderr
    assert "Traceback" not in result.stderr


def test_bench_delegates_to_the_benchmark() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "equeue.cli", "bench", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "usage: equeue bench" in result.stdout
    assert "--scenario" in result.stdout
