"""Waiting for a server process the test started."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import httpx


def wait_until_serving(
    process: subprocess.Popen[bytes],
    url: str,
    *,
    log: Path | None = None,
    timeout: float = 30.0,
) -> None:
    """Until ``GET url`` answers 200; fails at once should ``process`` exit, showing its
    ``log`` when there is one."""
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise AssertionError(f"server exited at start:\n{log.read_text() if log else ''}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            process.kill()
            raise AssertionError(f"{url} did not answer:\n{log.read_text() if log else ''}")
        time.sleep(0.1)
