"""A real API server process (uvicorn) for the battery's scenarios, its pool sized by the
scenario."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.e2e.serving import wait_until_serving
from tests.e2e.test_api_http import free_port

SERVER = """
import os, uvicorn
from equeue import Queue
from equeue.api import ApiSettings, create_app
queue = Queue(os.environ["DSN"], schema=os.environ["SCHEMA"], allow_unknown_tasks=True,
              pool_max_size=int(os.environ["POOL_MAX_SIZE"]),
              pool_wait_seconds=float(os.environ["POOL_WAIT_SECONDS"]))
uvicorn.run(create_app(queue, ApiSettings()), host="127.0.0.1", port=int(os.environ["PORT"]),
            log_level="warning")
"""


@dataclass
class ApiServer:
    url: str
    key: str
    log: Path
    pid: int

    def client(self, timeout: float = 30) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url=self.url, headers={"x-api-key": self.key}, timeout=timeout
        )


@contextmanager
def api_server(
    dsn: str,
    schema: str,
    folder: Path,
    *,
    pool_max_size: int = 10,
    pool_wait: float = 5.0,
    env: dict[str, str] | None = None,
) -> Iterator[ApiServer]:
    """An API server on ``schema`` for the block (its log in ``folder``; ``env``: more of
    its settings), stopped after."""
    port, key = free_port(), f"battery-{uuid.uuid4().hex}"
    log = folder / "api.log"
    environment = {
        **os.environ,
        "DSN": dsn,
        "SCHEMA": schema,
        "PORT": str(port),
        "EQUEUE_API_KEY": key,
        "POOL_MAX_SIZE": str(pool_max_size),
        "POOL_WAIT_SECONDS": str(pool_wait),
        **(env or {}),
    }
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-c", SERVER], env=environment, stdout=output, stderr=output
        )
        try:
            url = f"http://127.0.0.1:{port}"
            wait_until_serving(process, f"{url}/readyz", log=log)
            yield ApiServer(url, key, log, process.pid)
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
