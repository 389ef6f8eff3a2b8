"""A TCP proxy between a worker and PostgreSQL (or a client and the API server) that the
test can cut and restore: the network partition of one process, and only that one. It
can also decide the fate of each new connection: forwarded, cut before the request is
passed on, or cut once the server answers (the answer lost on its way back)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

#: What becomes of one connection: forwarded both ways; cut when the client's first
#: bytes arrive, nothing passed on; or cut when the server's first bytes arrive, the
#: request passed on and served but its answer lost.
Fate = Literal["forward", "cut_request", "lose_answer"]


class CuttableProxy:
    """Forwards connections to ``target_url``'s server until :meth:`cut`, which aborts
    every open connection and refuses new ones until :meth:`restore`."""

    def __init__(self, target_url: str) -> None:
        self._target = urlsplit(target_url)
        self._server: asyncio.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self.is_cut = False
        self.cuts = 0
        #: The fate of the n-th connection (from 0); every one forwarded when unset.
        self.fate: Callable[[int], Fate] = lambda _n: "forward"
        self.fates: list[Fate] = []  #: the fate each connection met, in order

    async def start(self, port: int = 0) -> None:
        """Listen on ``port`` (0: any free one)."""
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", port)

    @property
    def url(self) -> str:
        """The target's URL, through the proxy."""
        assert self._server is not None
        port = self._server.sockets[0].getsockname()[1]
        auth = f"{self._target.username}@" if self._target.username else ""
        return urlunsplit(self._target._replace(netloc=f"{auth}127.0.0.1:{port}"))

    def cut(self) -> None:
        self.is_cut = True
        self.cuts += 1
        for writer in list(self._open):
            writer.transport.abort()

    def restore(self) -> None:
        self.is_cut = False

    async def close(self) -> None:
        self.cut()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        for task in list(self._tasks):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.is_cut:
            writer.transport.abort()
            return
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(
                self._target.hostname, self._target.port or 5432
            )
        except OSError:
            writer.transport.abort()
            return
        self._open |= {writer, upstream_writer}
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        fate = self.fate(len(self.fates))
        self.fates.append(fate)
        to_server, to_client = (reader, upstream_writer), (upstream_reader, writer)
        try:
            await asyncio.gather(
                self._pipe(*to_server, cut_first=fate == "cut_request"),
                self._pipe(*to_client, cut_first=fate == "lose_answer"),
            )
        finally:
            self._open -= {writer, upstream_writer}
            self._tasks.discard(task)

    @staticmethod
    async def _pipe(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, cut_first: bool
    ) -> None:
        try:
            while data := await reader.read(65536):
                if cut_first:  # dropped: aborting ``writer`` (below) ends both sides
                    return
                writer.write(data)
                await writer.drain()
        except OSError:
            pass
        finally:
            writer.transport.abort()
