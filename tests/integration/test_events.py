"""Job-change events leave the database only while an events client is being served
(migration 0003); waking workers never depends on it (real PostgreSQL)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

import asyncpg

from equeue import Queue
from equeue.api.events import decode
from equeue.storage.api import events_channel
from equeue.storage.sql import channel_name
from tests.conftest import storage_of


async def _heard(
    db: asyncpg.Connection, queue: Queue, action: Awaitable[object]
) -> dict[str, list[str]]:
    """What the events and the jobs channels carried while ``action`` ran."""
    heard: dict[str, list[str]] = {"events": [], "jobs": []}
    channels = {events_channel(queue.schema): "events", channel_name(queue.schema): "jobs"}

    def listen(_c: object, _pid: int, channel: str, payload: object) -> None:
        heard[channels[channel]].append(str(payload))

    for channel in channels:
        await db.add_listener(channel, listen)
    try:
        await action
        await asyncio.sleep(0.3)  # notifications arrive after the commit, asynchronously
    finally:
        for channel in channels:
            await db.remove_listener(channel, listen)
    return heard


async def _enqueue_then_claim(queue: Queue) -> None:
    await queue.enqueue_many([{"type": "t"}] * 150)  # the COPY path
    await queue.enqueue("t")  # the INSERT path
    await (await storage_of(queue)).claim("w", None, 1000, 30.0)


async def test_events_are_sent_only_while_someone_watches(
    queue: Queue, db: asyncpg.Connection
) -> None:
    @queue.task(name="t")
    def t() -> None: ...

    api = queue.admin

    unwatched = await _heard(db, queue, _enqueue_then_claim(queue))
    assert unwatched["events"] == []
    assert "q:default" in unwatched["jobs"]  # workers are woken all the same

    await api.watch_events("api-1", 30)
    watched = await _heard(db, queue, _enqueue_then_claim(queue))
    changes = [change for payload in watched["events"] for change in decode(payload)]
    assert sorted(status for _, status in changes) == ["queued"] * 151 + ["running"] * 151
    assert "q:default" in watched["jobs"]

    await api.unwatch_events("api-1")
    assert (await _heard(db, queue, _enqueue_then_claim(queue)))["events"] == []


async def test_a_lapsed_watch_stops_the_events(queue: Queue, db: asyncpg.Connection) -> None:
    # An API process that dies without saying so stops costing events when its lease ends.
    @queue.task(name="t")
    def t() -> None: ...

    await queue.admin.watch_events("api-gone", 0.2)
    await asyncio.sleep(0.4)
    assert (await _heard(db, queue, queue.enqueue("t")))["events"] == []
