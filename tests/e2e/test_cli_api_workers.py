"""``equeue api --workers N``: N server processes on one port, supervised and restarted."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import psutil
import pytest
import websockets
from bench.pgbouncer import free_port

from equeue import Queue
from tests.e2e.serving import wait_until_serving

pytestmark = pytest.mark.e2e
KEY = "workers-test-key-" + uuid.uuid4().hex


def environment(queue: Queue, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EQUEUE_")}
    env.update(
        EQUEUE_DATABASE_URL=database_url,
        EQUEUE_SCHEMA=queue.schema,
        EQUEUE_API_KEY=KEY,
        EQUEUE_ALLOW_UNKNOWN_TASKS="true",
    )
    return env


def listening_on(parent: psutil.Process, port: int) -> set[int]:
    """The children of ``parent`` listening on ``port``."""
    found = set()
    for child in parent.children():
        try:
            sockets = child.net_connections(kind="tcp")
        except psutil.NoSuchProcess:
            continue
        if any(s.status == psutil.CONN_LISTEN and s.laddr.port == port for s in sockets):
            found.add(child.pid)
    return found


def until_listening(parent: psutil.Process, port: int, count: int, not_: set[int]) -> set[int]:
    deadline = time.monotonic() + 60
    while len(pids := listening_on(parent, port) - not_) < count:
        assert time.monotonic() < deadline, pids
        time.sleep(0.1)
    return pids


async def enqueue_over_new_connections(url: str, count: int) -> set[int]:
    statuses = set()
    for n in range(count):
        # A connection each: the kernel spreads new connections over the processes.
        async with httpx.AsyncClient(base_url=url, headers={"x-api-key": KEY}) as client:
            answer = await client.post("/v1/jobs", json={"type": "any.task", "payload": {"n": n}})
            statuses.add(answer.status_code)
    return statuses


async def a_token_from_one_process_opens_the_events_socket_of_each(url: str) -> None:
    async with httpx.AsyncClient(base_url=url, headers={"x-api-key": KEY}) as client:
        token = (await client.post("/v1/events/token")).json()["token"]
    socket_url = url.replace("http", "ws") + f"/v1/events?token={token}"
    for _ in range(12):  # a connection each, spread over both processes
        async with websockets.connect(socket_url) as events:
            await events.ping()


async def test_several_api_processes_share_one_port_and_are_restarted(
    queue: Queue, database_url: str, tmp_path: Path
) -> None:
    port = free_port()
    log = tmp_path / "api.log"
    with log.open("wb") as out:
        supervisor = subprocess.Popen(
            [sys.executable, "-m", "equeue", "api", "--workers", "2", "--port", str(port)],
            env=environment(queue, database_url),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    parent = psutil.Process(supervisor.pid)
    try:
        wait_until_serving(supervisor, f"{url}/readyz", log=log)
        first = until_listening(parent, port, 2, set())
        assert await enqueue_over_new_connections(url, 20) == {201}
        await a_token_from_one_process_opens_the_events_socket_of_each(url)

        victim = psutil.Process(min(first))
        victim.kill()
        victim.wait(10)
        # The other one serves meanwhile, and a new one takes the place of the dead one.
        assert await enqueue_over_new_connections(url, 5) == {201}
        replaced = until_listening(parent, port, 2, {victim.pid})
        assert max(first) in replaced
        assert await enqueue_over_new_connections(url, 10) == {201}
        assert len((await queue.list_jobs(limit=100))[0]) == 35

        children = [psutil.Process(pid) for pid in replaced]
        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(30) == 0
        _, alive = psutil.wait_procs(children, timeout=10)
        assert alive == []
        assert "restarting" in log.read_text()
    finally:
        if supervisor.poll() is None:
            for child in parent.children(recursive=True):
                child.kill()
            supervisor.kill()
            supervisor.wait(10)


def test_several_api_processes_refuse_a_port_taken_by_another_program(
    queue: Queue, database_url: str
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "equeue", "api", "--workers", "2", "--port", str(port)],
            env=environment(queue, database_url),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 2
    assert "in use" in result.stderr
