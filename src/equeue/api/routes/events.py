"""Job events: a token for the socket, and the socket that streams them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
import weakref
from typing import Annotated, Any

from fastapi import APIRouter, Query, WebSocket
from starlette.websockets import WebSocketDisconnect

from equeue.api.auth import Principal
from equeue.api.errors import ApiError, error_responses
from equeue.api.events import EventHub
from equeue.api.models import EventToken
from equeue.api.routing import KEYED, ApiState, ReadKey
from equeue.api.settings import ApiSettings
from equeue.queue import Queue

log = logging.getLogger("equeue.api")

_hubs: weakref.WeakKeyDictionary[Queue, EventHub] = weakref.WeakKeyDictionary()


def event_hub(queue: Queue, settings: ApiSettings) -> EventHub:
    """The event hub of a queue in this process (one, whatever mounts it)."""
    hub = _hubs.get(queue)
    if hub is None:
        hub = EventHub(
            queue.admin,
            batch_seconds=settings.events_batch_seconds,
            buffer=settings.events_client_buffer,
        )
        _hubs[queue] = hub
    return hub


def add_routes(router: APIRouter, state: ApiState) -> None:
    """The routes of job events, on ``router``."""

    @router.post(
        "/v1/events/token",
        response_model=EventToken,
        tags=["events"],
        responses=error_responses(*KEYED, 413),
    )
    async def events_token(principal: ReadKey) -> EventToken:
        """A short-lived signed token for ``WS /v1/events?token=...`` (browsers cannot
        set headers on a WebSocket; never put a key in a URL)."""
        from datetime import UTC, datetime

        token, expires = state.auth.issue_token(principal)
        return EventToken(token=token, expires_at=datetime.fromtimestamp(expires, UTC))

    @router.websocket("/v1/events")
    async def events(
        websocket: WebSocket,
        queue_name: Annotated[str | None, Query(alias="queue")] = None,
        job_id: str | None = None,
        token: str | None = None,
    ) -> None:
        """Job changes as frames of ``[{"job_id", "type", "queue", "status", "at"}]``."""
        principal = await _socket_principal(state, websocket, token)
        try:
            wanted_job = uuid.UUID(job_id) if job_id is not None else None
        except ValueError:
            principal = None
        if principal is None:
            await websocket.close(code=1008)
            return
        hub = event_hub(state.queue, state.settings)
        try:
            await hub.start()
            # Before accepting: once the client is told it is connected, events flow.
            subscription = await hub.subscribe(queue_name, wanted_job)
        except Exception as exc:  # the database is unreachable, or the hub cannot listen
            log.warning("events socket refused: the event hub cannot start (%s)", exc)
            await websocket.close(code=1011)
            return
        try:
            await websocket.accept()
            await _pump(websocket, subscription)
        finally:
            hub.unsubscribe(subscription)


async def _socket_principal(
    state: ApiState, websocket: WebSocket, token: str | None
) -> Principal | None:
    try:
        principal = await state.auth.authenticate_socket(websocket, token)
        principal.require("read")
    except ApiError:
        return None
    return principal


async def _pump(websocket: WebSocket, subscription: Any) -> None:
    """Send frames until the client leaves or falls too far behind.

    A client that stops reading fills its connection's buffers, and then a send waits on
    it for as long as it does not read: frames pile up in its bounded queue meanwhile,
    and once that is full it is dropped. The waiting send is given up then, and the
    socket closed with 1013 ("try again later") and the reason: a client reading again
    sees the code after the frames it had not read yet (one that never reads again is
    cut when the close times out)."""

    async def watch_client() -> None:
        with contextlib.suppress(WebSocketDisconnect):
            while True:
                await websocket.receive_text()

    client = asyncio.create_task(watch_client())
    dropped = asyncio.create_task(subscription.dropped.wait())
    try:
        while True:
            frame = asyncio.create_task(subscription.frames.get())
            if not await _before_the_end(frame, client, dropped):
                break
            sent = asyncio.create_task(websocket.send_json({"events": frame.result()}))
            if not await _before_the_end(sent, client, dropped):
                break
            sent.result()
        if dropped.done():
            log.warning(
                "events client dropped: it fell %d frames behind (events_client_buffer)",
                subscription.frames.maxsize,
            )
            await websocket.close(code=1013, reason="client fell too far behind")
    except (WebSocketDisconnect, RuntimeError, OSError):
        return
    finally:
        client.cancel()
        dropped.cancel()


async def _before_the_end(step: asyncio.Task[Any], *ends: asyncio.Task[Any]) -> bool:
    """Whether ``step`` finished before any of ``ends``; if not, it is cancelled."""
    done, _ = await asyncio.wait({step, *ends}, return_when=asyncio.FIRST_COMPLETED)
    if step in done:
        return True
    step.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await step
    return False
