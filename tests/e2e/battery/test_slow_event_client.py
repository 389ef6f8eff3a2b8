"""Bounded memory in the API server: a WebSocket client that stops reading while 50,000
job events are produced. Its connection's buffers fill, its frames pile up in its
bounded queue, and it is dropped: the server's memory stays flat, a client that reads
along receives every event, and the slow one, reading again, finds the socket closed with
1013 and the reason after the frames it had not read."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
import struct
import time
from functools import partial
from pathlib import Path

import psutil
import pytest
import websockets

from equeue import Queue
from tests.conftest import wait_until
from tests.e2e.battery.api_server import ApiServer, api_server

pytestmark = pytest.mark.battery

EVENTS, BATCH = 150_000, 2_000
CLIENT_BUFFER = 100  #: frames a client may fall behind by (events_client_buffer, the default)
GROWTH_LIMIT_MB = 120  #: the reader's frames in flight, the hub's batches, and the bound


async def test_a_client_that_stops_reading_is_dropped_and_memory_stays_flat(
    battery_queue: Queue, tmp_path: Path
) -> None:
    url, schema = battery_queue.dsn, battery_queue.schema
    env = {"EQUEUE_EVENTS_CLIENT_BUFFER": str(CLIENT_BUFFER)}
    with api_server(url, schema, tmp_path, env=env) as server:
        process = psutil.Process(server.pid)
        slow = _silent_socket(server)
        ws_url = server.url.replace("http", "ws") + "/v1/events"
        headers = {"x-api-key": server.key}
        async with websockets.connect(ws_url, additional_headers=headers, max_queue=None) as fast:
            before = process.memory_info().rss
            started = time.monotonic()
            reading = asyncio.create_task(_read_events(fast, EVENTS))
            peak = before
            for _ in range(EVENTS // BATCH):
                await battery_queue.enqueue_many([{"type": "battery.work"}] * BATCH)
                peak = max(peak, process.memory_info().rss)
            while not reading.done():
                peak = max(peak, process.memory_info().rss)
                await asyncio.wait({reading}, timeout=0.05)
            received = reading.result()
            took = time.monotonic() - started
        await wait_until(partial(_said, server.log, "events client dropped"), timeout=15)
        with slow:
            code, reason, unread = _read_until_closed(slow)
    growth = (peak - before) / 2**20
    print(
        f"BATTERY slow event client: events={EVENTS} delivered to the reader in {took:.1f}s; "
        f"the silent client dropped after {unread} unread events, closed {code} ({reason}); "
        f"server memory +{growth:.0f} MB at most"
    )
    assert received == EVENTS
    assert (code, reason) == (1013, "client fell too far behind")
    assert 0 < unread < EVENTS  # dropped before the end: it was not sent everything
    assert growth < GROWTH_LIMIT_MB


async def _read_events(socket_: websockets.ClientConnection, count: int) -> int:
    """Read frames until ``count`` events came; how many did."""
    received = 0
    while received < count:
        received += len(json.loads(await socket_.recv(decode=True))["events"])
    return received


def _silent_socket(server: ApiServer) -> socket.socket:
    """A WebSocket to the events stream (its handshake done by hand) that reads nothing
    more until told, with the smallest receive buffer the system allows."""
    host, port = server.url.removeprefix("http://").split(":")
    conn = socket.socket()
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    conn.connect((host, int(port)))
    key = base64.b64encode(os.urandom(16)).decode()
    conn.sendall(
        f"GET /v1/events HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
        f"x-api-key: {server.key}\r\n\r\n".encode()
    )
    head = b""
    while not head.endswith(b"\r\n\r\n"):
        head += conn.recv(1)
    assert head.startswith(b"HTTP/1.1 101"), head
    return conn


def _read_until_closed(conn: socket.socket) -> tuple[int, str, int]:
    """Read frames until the close frame: its code, its reason, and the events before."""
    conn.settimeout(10)
    events = 0
    while True:
        first, length = _exactly(conn, 2)
        length &= 0x7F
        if length == 126:
            (length,) = struct.unpack("!H", _exactly(conn, 2))
        elif length == 127:
            (length,) = struct.unpack("!Q", _exactly(conn, 8))
        data = _exactly(conn, length)
        if first & 0x0F == 0x8:  # close
            return struct.unpack("!H", data[:2])[0], data[2:].decode(), events
        if first & 0x0F == 0x1:  # text
            events += len(json.loads(data)["events"])


def _exactly(conn: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        assert chunk, "the server ended the connection without a close frame"
        data += chunk
    return data


async def _said(log: Path, words: str) -> bool:
    return words in log.read_text(errors="replace")
