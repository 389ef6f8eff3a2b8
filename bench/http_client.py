"""A minimal keep-alive HTTP/1.1 client for the benchmark's HTTP rows.

On two cores a full client library costs more CPU per request than the server does, and
the figures would be the library's.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

HOST = "127.0.0.1"
ONE_JOB = json.dumps({"type": "bench.noop"}).encode()


class Connection:
    """One keep-alive HTTP/1.1 connection, one request at a time."""

    def __init__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, headers: bytes
    ) -> None:
        self._reader = reader
        self._writer = writer
        self._headers = headers

    @classmethod
    async def open(cls, port: int, key: str) -> Connection:
        reader, writer = await asyncio.open_connection(HOST, port)
        return cls(reader, writer, f"host: {HOST}:{port}\r\nx-api-key: {key}\r\n".encode())

    async def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        """The response's status and body."""
        head = f"{method} {path} HTTP/1.1\r\n".encode() + self._headers
        if body:
            head += b"content-type: application/json\r\ncontent-length: %d\r\n" % len(body)
        self._writer.write(head + b"\r\n" + body)
        try:
            received = await self._reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:
            raise RuntimeError(f"{method} {path}: the server closed the connection") from None
        status_line, *lines = received.decode("latin-1").split("\r\n")
        length = 0
        for line in lines:
            name, _, value = line.partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "transfer-encoding":
                raise RuntimeError(f"{method} {path}: unexpected transfer-encoding {value}")
        return int(status_line.split()[1]), await self._reader.readexactly(length)

    async def post_json(self, path: str, body: bytes) -> Any:
        """POST and the decoded answer; anything but 201 is an error."""
        status, answer = await self.request("POST", path, body)
        if status != 201:
            raise RuntimeError(f"POST {path} answered {status}: {answer[:500]!r}")
        return json.loads(answer)

    async def post_job(self) -> str:
        """Enqueue one no-op job; its id."""
        return str((await self.post_json("/v1/jobs", ONE_JOB))["id"])

    async def close(self) -> None:
        self._writer.close()
        with contextlib.suppress(OSError):
            await self._writer.wait_closed()
