"""Browsers and bind addresses, against real processes: cross-site requests, DNS
rebinding and authentication turned off where others can reach the server."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import websockets
from websockets.exceptions import InvalidStatus

from tests.e2e.serving import wait_until_serving
from tests.e2e.test_api_http import (
    ADMIN_KEY,
    Server,
    _drop_schema,
    _migrated_schema,
    assert_error,
    free_port,
    stop,
)

pytestmark = pytest.mark.e2e
ALLOWED = "http://dashboard.example"
EVIL = "http://evil.example"

SERVER = """
import os, uvicorn
from equeue import Queue
from equeue.api import ApiSettings, create_app
queue = Queue(os.environ["DSN"], schema=os.environ["SCHEMA"])
uvicorn.run(create_app(queue, ApiSettings()), host=os.environ["HOST"],
            port=int(os.environ["PORT"]), log_level="warning")
"""


def outward_address() -> str:
    """This machine's address on its network (not loopback)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("192.0.2.1", 9))  # no packet is sent: this only picks a route
        address: str = probe.getsockname()[0]
    assert not address.startswith("127."), "this test needs a non-loopback interface"
    return address


def serve(database_url: str, schema: str, host: str, **env: str) -> Server:
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("EQUEUE_")}
    environment |= {"DSN": database_url, "SCHEMA": schema, "HOST": host, "PORT": str(port)}
    process = subprocess.Popen([sys.executable, "-c", SERVER], env=environment | env)
    url = f"http://127.0.0.1:{port}"
    wait_until_serving(process, f"{url}/healthz")
    return Server(url, database_url, schema, process)


@pytest.fixture(scope="module")
def schema(database_url: str) -> Iterator[str]:
    name = f"t_apior_{uuid.uuid4().hex[:12]}"
    asyncio.run(_migrated_schema(database_url, name))
    yield name
    asyncio.run(_drop_schema(database_url, name))


@pytest.fixture(scope="module")
def open_server(database_url: str, schema: str) -> Iterator[Server]:
    """Authentication off, on all addresses (reachable on loopback and beyond)."""
    running = serve(
        database_url, schema, "0.0.0.0", EQUEUE_AUTH_DISABLED="true", EQUEUE_CORS_ORIGINS=ALLOWED
    )
    yield running
    stop(running.process)


@pytest.fixture(scope="module")
def keyed_server(database_url: str, schema: str) -> Iterator[Server]:
    running = serve(
        database_url, schema, "127.0.0.1", EQUEUE_API_KEY=ADMIN_KEY, EQUEUE_CORS_ORIGINS=ALLOWED
    )
    yield running
    stop(running.process)


def port_of(server: Server) -> int:
    return int(server.url.rsplit(":", 1)[1])


async def paused(client: httpx.AsyncClient, name: str) -> bool:
    queues = (await client.get("/v1/queues")).json()["items"]
    return any(q["name"] == name and q["paused"] for q in queues)


async def test_cross_site_requests_cannot_change_anything(open_server: Server) -> None:
    name = f"q{uuid.uuid4().hex[:8]}"
    async with httpx.AsyncClient(base_url=open_server.url, timeout=10) as client:
        for origin in (EVIL, "null", f"http://localhost:{port_of(open_server) + 1}"):
            refused = await client.post(f"/v1/queues/{name}/pause", headers={"origin": origin})
            assert origin in assert_error(refused, 403, "forbidden")
            replay = await client.post("/v1/replay-dlq", headers={"origin": origin})
            assert_error(replay, 403, "forbidden")
        assert not await paused(client, name)
        # Reading is not changing: a cross-site GET gets its answer (CORS hides it).
        assert (await client.get("/v1/queues", headers={"origin": EVIL})).status_code == 200
        for origin in (ALLOWED, open_server.url, None):
            headers = {"origin": origin} if origin else {}
            response = await client.post(f"/v1/queues/{name}/resume", headers=headers)
            assert response.status_code == 200, (origin, response.text)


async def test_a_key_does_not_make_a_cross_site_request_acceptable(keyed_server: Server) -> None:
    async with keyed_server.client() as client:
        refused = await client.post("/v1/queues/keyed/pause", headers={"origin": EVIL})
        assert_error(refused, 403, "forbidden")
        allowed = await client.post("/v1/queues/keyed/resume", headers={"origin": ALLOWED})
        assert allowed.status_code == 200, allowed.text


async def test_cross_site_sockets_are_refused(open_server: Server) -> None:
    url = f"ws://127.0.0.1:{port_of(open_server)}/v1/events"
    with pytest.raises(InvalidStatus) as refused:
        async with websockets.connect(url, origin=EVIL):  # type: ignore[arg-type]
            pass
    assert refused.value.response.status_code == 403
    for origin in (ALLOWED, f"http://127.0.0.1:{port_of(open_server)}", None):
        async with websockets.connect(url, origin=origin) as socket_:  # type: ignore[arg-type]
            await socket_.ping()


async def test_a_rebound_host_name_is_refused_on_loopback(open_server: Server) -> None:
    port = port_of(open_server)
    async with httpx.AsyncClient(base_url=open_server.url, timeout=10) as client:
        for path in ("/v1/queues", "/docs", "/healthz"):
            rebound = await client.get(path, headers={"host": f"evil.example:{port}"})
            assert "evil.example" in assert_error(rebound, 403, "forbidden")
        for host in (
            f"localhost:{port}",
            f"127.0.0.1:{port}",
            "localhost",
            f"app.localhost:{port}",
        ):
            assert (await client.get("/v1/queues", headers={"host": host})).status_code == 200
    with pytest.raises(InvalidStatus) as refused:  # the name in the URL is the Host sent
        async with websockets.connect(
            f"ws://evil.example:{port}/v1/events", host="127.0.0.1", port=port
        ):
            pass
    assert refused.value.response.status_code == 403


async def test_without_authentication_nothing_is_served_beyond_loopback(
    open_server: Server,
) -> None:
    outside = outward_address()
    port = port_of(open_server)
    async with httpx.AsyncClient(base_url=f"http://{outside}:{port}", timeout=10) as client:
        response = await client.get("/v1/queues")
        assert "loopback" in assert_error(response, 403, "forbidden")
    with pytest.raises(InvalidStatus) as refused:
        async with websockets.connect(f"ws://{outside}:{port}/v1/events"):
            pass
    assert refused.value.response.status_code == 403
    async with websockets.connect(f"ws://127.0.0.1:{port}/v1/events") as socket_:
        await socket_.ping()


def test_dev_refuses_to_run_without_authentication_beyond_loopback(
    database_url: str, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EQUEUE_")}
    env["EQUEUE_AUTH_DISABLED"] = "true"
    for host in ("0.0.0.0", outward_address()):
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "equeue.cli",
                "dev",
                "--host",
                host,
                "--port",
                str(free_port()),
                "--database-url",
                database_url,
                "--data-dir",
                str(tmp_path),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert result.returncode == 2, result.stdout + result.stderr
        errors = result.stderr.strip().splitlines()
        assert len(errors) == 1 and "loopback" in errors[0], result.stderr
        assert "equeue dev is running" not in result.stdout
