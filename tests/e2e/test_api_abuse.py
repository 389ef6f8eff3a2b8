"""Traffic without a valid key, against a real uvicorn process: large keyless bodies,
unknown keys and ``/readyz`` must cost the server (and its database) next to nothing."""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import httpx
import psutil
import pytest

from tests.e2e.test_api_http import (
    ADMIN_KEY,
    Server,
    _drop_schema,
    _migrated_schema,
    assert_error,
    start_server,
    stop,
)

pytestmark = pytest.mark.e2e
MIB = 1024 * 1024
ROOT = Path(__file__).resolve().parents[2]
#: One job of the batch bodies sent; small, so the server's JSON parse of a body is dear.
_ITEM = b'{"type":"api.echo","payload":{"n":1,"s":"abcdefgh"}},'
_ITEMS_PER_CHUNK = 64 * 1024 // len(_ITEM)


@pytest.fixture
def server(database_url: str) -> Iterator[Server]:
    schema = f"t_apiab_{uuid.uuid4().hex[:12]}"
    asyncio.run(_migrated_schema(database_url, schema))
    running = start_server(
        database_url,
        schema,
        EQUEUE_AUTH_FAILURE_BURST="5",
        EQUEUE_AUTH_FAILURE_RATE_PER_SECOND="0.01",
        EQUEUE_RATE_LIMIT_BURST="100000",  # the measuring calls are many, and quick
    )
    try:
        yield running
    finally:
        stop(running.process)
        asyncio.run(_drop_schema(database_url, schema))


def batch_body(size: int) -> tuple[int, Iterator[bytes]]:
    """A valid ``{"jobs": [...]}`` of about ``size`` bytes: its exact length, and its
    chunks, made as they are sent so the test never holds the body."""
    head, tail = b'{"jobs":[', b'{"type":"api.echo"}]}'
    items = (size - len(head) - len(tail)) // len(_ITEM)
    chunks, rest = divmod(items, _ITEMS_PER_CHUNK)

    def parts() -> Iterator[bytes]:
        yield head
        block = _ITEM * _ITEMS_PER_CHUNK
        for _ in range(chunks):
            yield block
        yield _ITEM * rest + tail

    return len(head) + items * len(_ITEM) + len(tail), parts()


async def keyless_uploads(port: int, count: int, size: int) -> list[str]:
    """POST ``count`` batches of ``size`` bytes at once without a key, streamed; returns
    each answer's status, or "closed" when the server ended the connection instead of
    taking the body. Says "started" on stdout once every request has begun."""
    length, _ = batch_body(size)
    connections = [await asyncio.open_connection("127.0.0.1", port) for _ in range(count)]
    for _, writer in connections:
        writer.write(
            f"POST /v1/jobs/batch HTTP/1.1\r\nhost: 127.0.0.1:{port}\r\n"
            f"content-type: application/json\r\ncontent-length: {length}\r\n\r\n".encode()
        )
    print("started", flush=True)
    return list(await asyncio.gather(*(_upload(r, w, size) for r, w in connections)))


async def _upload(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, size: int) -> str:
    status_line = asyncio.create_task(reader.readline())
    try:
        for part in batch_body(size)[1]:
            writer.write(part)
            await writer.drain()
        line = await asyncio.wait_for(status_line, timeout=120)
    except ConnectionError:
        if status_line.done() and status_line.exception() is None and status_line.result():
            return status_line.result().split()[1].decode()
        status_line.cancel()
        return "closed"
    finally:
        writer.close()
    return line.split()[1].decode()


#: The uploads run in a process of their own, so that sending them does not slow down
#: the test's own calls, which measure the server.
FLOOD = """
import asyncio, sys
from tests.e2e.test_api_abuse import keyless_uploads
port, count, size = map(int, sys.argv[1:])
print(*asyncio.run(keyless_uploads(port, count, size)), flush=True)
"""


class PeakRss:
    """Samples a process's resident memory in a thread until stopped; keeps the peak."""

    def __init__(self, pid: int) -> None:
        self.process = psutil.Process(pid)
        self.peak = self.process.memory_info().rss
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._done.wait(0.005):
            self.peak = max(self.peak, self.process.memory_info().rss)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._done.set()
        self._thread.join()


async def timed_call(client: httpx.AsyncClient) -> float:
    started = time.perf_counter()
    response = await client.get(f"/v1/jobs/{uuid.uuid4()}")
    assert response.status_code == 404, response.text
    return time.perf_counter() - started


async def test_large_keyless_bodies_are_refused_unread(server: Server) -> None:
    port = int(server.url.rsplit(":", 1)[1])
    async with server.client() as client:
        for _ in range(3):  # warm up: imports, prepared statements, the pool
            await timed_call(client)
        assert await keyless_uploads(port, 1, 32 * 1024) == ["401"]
        baseline = [await timed_call(client) for _ in range(50)]
        with PeakRss(server.process.pid) as rss:
            before = rss.peak
            flood = subprocess.Popen(
                [sys.executable, "-c", FLOOD, str(port), "6", str(27 * MIB)],
                stdout=subprocess.PIPE,
                text=True,
                cwd=ROOT,
            )
            try:
                assert flood.stdout is not None
                assert await asyncio.to_thread(flood.stdout.readline) == "started\n"
                during = []
                while flood.poll() is None:
                    during.append(await timed_call(client))
            finally:
                flood.kill()
                statuses = flood.communicate()[0].split()
    assert len(statuses) == 6 and set(statuses) <= {"401", "429", "closed"}, statuses
    assert len(during) >= 5, "the uploads ended too soon to measure anything"
    growth = (rss.peak - before) / MIB
    # Against the calls made without the uploads: what the machine itself may add to a
    # call is not the server's doing. The typical call (the median) must not slow down; a
    # single call may meet a busy moment of a shared machine, but no upload may hold one.
    typical = statistics.median(during) - statistics.median(baseline)
    delay = max(during) - max(baseline)
    print(f"server RSS growth {growth:.1f} MiB; slowest call {max(during) * 1000:.1f} ms")
    print(
        f"({delay * 1000:.1f} ms over the slowest without uploads, median +"
        f"{typical * 1000:.1f} ms); {len(during)} calls"
    )
    assert growth < 50, f"the server grew by {growth:.0f} MiB"
    assert typical < 0.05, f"the typical authenticated call waited {typical * 1000:.0f} ms longer"
    assert delay < 0.5, f"an authenticated call waited {delay * 1000:.0f} ms longer"


async def test_a_keyless_upload_is_refused_before_its_body_is_sent(server: Server) -> None:
    # A client that asks before sending (Expect: 100-continue) is answered at once.
    port = int(server.url.rsplit(":", 1)[1])
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(
            f"POST /v1/jobs/batch HTTP/1.1\r\nhost: 127.0.0.1:{port}\r\n"
            f"content-type: application/json\r\ncontent-length: {27 * MIB}\r\n"
            "expect: 100-continue\r\n\r\n".encode()
        )
        status = await asyncio.wait_for(reader.readline(), timeout=10)
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=10)
    finally:
        writer.close()
    assert status.split()[1] == b"401", status
    assert b"connection: close" in head.lower(), head


async def test_an_authenticated_body_over_the_limit_is_refused(database_url: str) -> None:
    schema = f"t_apiab_{uuid.uuid4().hex[:12]}"
    await _migrated_schema(database_url, schema)
    running = await asyncio.to_thread(
        start_server, database_url, schema, EQUEUE_MAX_BATCH_REQUEST_BYTES=str(MIB)
    )
    try:
        async with running.client() as client:
            length, parts = batch_body(2 * MIB)
            declared = await client.post(
                "/v1/jobs/batch",
                content=streamed(parts),
                headers={"content-type": "application/json", "content-length": str(length)},
            )
            assert f"{MIB} bytes" in assert_error(declared, 413, "too_large")
            # Chunked, so no length is declared: still stopped at the limit.
            chunked = await client.post(
                "/v1/jobs/batch",
                content=streamed(batch_body(2 * MIB)[1]),
                headers={"content-type": "application/json"},
            )
            assert_error(chunked, 413, "too_large")
    finally:
        stop(running.process)
        await _drop_schema(database_url, schema)


async def streamed(parts: Iterator[bytes]) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


# --- unknown keys and /readyz: what reaches the database --------------------------------


async def lock_waiters(db: asyncpg.Connection, table: str) -> int:
    """Statements now waiting for a lock on ``table`` (held by the test)."""
    found: int = await db.fetchval(
        "SELECT count(*) FROM pg_locks WHERE relation = to_regclass($1) AND NOT granted", table
    )
    return found


async def wait_for_waiters(db: asyncpg.Connection, table: str, count: int) -> None:
    deadline = time.monotonic() + 15
    while await lock_waiters(db, table) < count:
        assert time.monotonic() < deadline, f"fewer than {count} statements reached {table}"
        await asyncio.sleep(0.02)


def unknown_key() -> str:
    return f"eqk_{uuid.uuid4().hex[:12]}_{uuid.uuid4().hex}"


async def test_unknown_keys_reach_the_database_only_within_the_budget(
    server: Server, db: asyncpg.Connection
) -> None:
    table = f"{server.schema}.api_keys"
    async with server.client(None) as client:
        # The key table is locked: a request that looks a key up waits, visibly, on it.
        transaction = db.transaction()
        await transaction.start()
        await db.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
        try:
            looking = [
                asyncio.create_task(client.get("/v1/queues", headers={"x-api-key": unknown_key()}))
                for _ in range(3)
            ]
            await wait_for_waiters(db, table, 3)
            # The budget is 5 failures: the 3 lookups took 3, two keyless requests the rest.
            spending = [(await client.get("/v1/queues")).status_code for _ in range(3)]
            assert spending == [401, 401, 429]
            floods = [{"x-api-key": unknown_key()} for _ in range(40)]
            floods += [{}] * 20 + [{"x-api-key": "not-a-key"}] * 20
            answers = await asyncio.wait_for(
                asyncio.gather(*(client.get("/v1/queues", headers=h) for h in floods)), 15
            )
            assert [a.status_code for a in answers] == [429] * len(floods)
            assert await lock_waiters(db, table) == 3
            assert "retry in" in assert_error(answers[0], 429, "rate_limited")
            assert int(answers[0].headers["Retry-After"]) >= 1
        finally:
            await transaction.rollback()
            looked = await asyncio.gather(*looking)
        for answer in looked:
            assert_error(answer, 401, "unauthorized")
    # A key that needs no lookup still works from the same address.
    async with server.client(ADMIN_KEY) as client:
        assert (await client.get("/v1/queues")).status_code == 200


async def test_readyz_is_shared_and_tells_no_internals(
    database_url: str, db: asyncpg.Connection
) -> None:
    name = f"t_ready_{uuid.uuid4().hex[:10]}"
    await db.execute(f'CREATE DATABASE "{name}"')
    own_url = database_url.rsplit("/", 1)[0] + f"/{name}"
    await _migrated_schema(own_url, "equeue")
    running = await asyncio.to_thread(start_server, own_url, "equeue")
    try:
        own = await asyncpg.connect(own_url)
        try:
            await _hammer_readyz_while_locked(running, own)
        finally:
            await own.close()
        # The database goes away: readyz says so, without the database's own words.
        await db.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        async with running.client(None) as client:
            deadline = time.monotonic() + 15
            while (answer := await client.get("/readyz")).status_code == 200:
                assert time.monotonic() < deadline, "readyz stayed ready"
                await asyncio.sleep(0.05)
        message = assert_error(answer, 503, "unavailable")
        assert name not in message and "does not exist" not in message, message
    finally:
        stop(running.process)
        await db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _hammer_readyz_while_locked(server: Server, own: asyncpg.Connection) -> None:
    # The migrations table is locked: a readiness probe waits, visibly, on it.
    table = "equeue.migrations"
    async with server.client(None) as client:
        assert (await client.get("/readyz")).json() == {"status": "ready"}
        transaction = own.transaction()
        await transaction.start()
        await own.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
        most, answers = 0, []
        calls: asyncio.Future[list[httpx.Response]] | None = None
        try:
            deadline = time.monotonic() + 30
            # Rounds of 50 at once, until the answer (cached a moment) becomes "not ready".
            while not any(a.status_code == 503 for a in answers):
                calls = asyncio.gather(*(client.get("/readyz") for _ in range(50)))
                while not calls.done():
                    most = max(most, await lock_waiters(own, table))
                    assert most <= 1, f"{most} readiness probes reached the database at once"
                    assert time.monotonic() < deadline, "readyz did not answer"
                    await asyncio.sleep(0.01)
                answers = await calls
        finally:
            await transaction.rollback()
            if calls is not None:
                await asyncio.gather(calls, return_exceptions=True)
        assert most == 1, "no probe reached the database"
        # A round may straddle the end of the cached "ready"; the rest waited for the probe.
        assert {a.status_code for a in answers} <= {200, 503}
        refused = next(a for a in answers if a.status_code == 503)
        assert "in time" in assert_error(refused, 503, "unavailable")
        deadline = time.monotonic() + 15
        while (await client.get("/readyz")).status_code != 200:
            assert time.monotonic() < deadline, "readyz did not recover"
            await asyncio.sleep(0.05)
