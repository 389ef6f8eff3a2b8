"""The API server of the benchmark's HTTP rows: ``equeue api`` as an operator runs it
(``--workers N`` for N processes on one port), in a process of its own.

Its settings are the defaults, but for the per-key rate limit (lifted, so the figures are
the server's, not the limiter's) and the log level (WARNING: no access log line per
request; a deployment that keeps one pays for it in every request).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import signal
import sys
import time
from dataclasses import dataclass

from bench.http_client import Connection
from bench.pgbouncer import free_port


@dataclass
class ApiServer:
    """``equeue api`` with ``workers`` processes, and the admin key it accepts."""

    process: asyncio.subprocess.Process
    port: int
    key: str
    workers: int

    @classmethod
    async def start(
        cls, dsn: str, schema: str, *, workers: int = 1, env: dict[str, str] | None = None
    ) -> ApiServer:
        """``env`` adds settings (``EQUEUE_*``), e.g. those of a connection pooler."""
        port = free_port()
        key = secrets.token_urlsafe(24)
        environment = {
            **{k: v for k, v in os.environ.items() if not k.startswith("EQUEUE_")},
            "EQUEUE_DATABASE_URL": dsn,
            "EQUEUE_SCHEMA": schema,
            "EQUEUE_API_KEY": key,
            "EQUEUE_RATE_LIMIT_PER_SECOND": "1000000000",
            "EQUEUE_RATE_LIMIT_BURST": "1000000000",
            "EQUEUE_LOG_LEVEL": "WARNING",
            **(env or {}),
        }
        command = ["-m", "equeue", "api", "--port", str(port), "--workers", str(workers)]
        process = await asyncio.create_subprocess_exec(sys.executable, *command, env=environment)
        server = cls(process, port, key, workers)
        try:
            await server._wait_ready()
        except BaseException:
            await server.stop()
            raise
        return server

    async def _wait_ready(self, timeout: float = 60.0) -> None:
        """Until it answers, and every one of its processes listens (connections made
        before would all go to the first)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.returncode is not None:
                raise RuntimeError(f"API server exited at start ({self.process.returncode})")
            if listening_processes(self.port) >= self.workers:
                with contextlib.suppress(OSError, RuntimeError):
                    connection = await self.connect()
                    try:
                        if (await connection.request("GET", "/readyz"))[0] == 200:
                            return
                    finally:
                        await connection.close()
            await asyncio.sleep(0.05)
        raise RuntimeError(f"API server not ready within {timeout:g} s")

    async def connect(self) -> Connection:
        return await Connection.open(self.port, self.key)

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 30)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


def listening_processes(port: int) -> int:
    """How many processes hold a listening TCP socket on ``port`` (Linux's /proc)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(table) as lines:
            for line in list(lines)[1:]:
                fields = line.split()
                if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                    inodes.add(f"socket:[{fields[9]}]")
    found = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        with contextlib.suppress(OSError):
            fds = os.listdir(f"/proc/{pid}/fd")
            if any(_link(f"/proc/{pid}/fd/{fd}") in inodes for fd in fds):
                found += 1
    return found


def _link(path: str) -> str:
    try:
        return os.readlink(path)
    except OSError:
        return ""
