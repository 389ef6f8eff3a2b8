"""The standalone server and the lifespan helper for apps that mount the router."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Mapping
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import RedirectResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import HTTPConnection, Request
from starlette.types import ASGIApp, Receive, Scope, Send

from equeue.api.auth import arrived_on_loopback
from equeue.api.errors import error_response, http_exception_handler, unexpected_error_handler
from equeue.api.routes import build_router, event_hub
from equeue.api.routing import Serving
from equeue.api.settings import ApiSettings, is_loopback
from equeue.api.wakeups import claim_wakeups
from equeue.dashboard import DASHBOARD_PATH, create_dashboard_router
from equeue.queue import Queue
from equeue.redact import redact_server_logs


def lifespan(
    queue: Queue, settings: ApiSettings | None = None
) -> Callable[[Any], contextlib.AbstractAsyncContextManager[None]]:
    """A FastAPI lifespan: ``FastAPI(lifespan=lifespan(queue))``.

    Opens the queue's pool (and applies migrations when ``migrate_on_start`` is set),
    starts the event hub, and on shutdown stops the hub (and the wake-ups of waiting
    claims, if any claim waited) and closes the pool.
    """
    settings = settings or ApiSettings()

    @contextlib.asynccontextmanager
    async def run(_app: Any) -> AsyncIterator[None]:
        redact_server_logs()
        await queue.open()
        if settings.migrate_on_start:
            await queue.migrate()
        hub = event_hub(queue, settings)
        await hub.start()
        try:
            yield
        finally:
            await hub.stop()
            await claim_wakeups(queue).stop()
            await queue.close()

    return run


def create_app(
    queue: Queue, settings: ApiSettings | None = None, *, dashboard: bool | Path = True
) -> FastAPI:
    """The standalone API server (Swagger UI at ``/docs``), with the dashboard at
    ``/dashboard/`` (and ``/`` leading there) unless ``dashboard`` is False; a path serves
    the dashboard's bundle from that folder instead of the one shipped in the package."""
    settings = settings or ApiSettings()
    app = FastAPI(
        title="equeue",
        summary="A PostgreSQL-backed job queue",
        version="1",
        lifespan=lifespan(queue, settings),
    )
    app.add_exception_handler(StarletteHTTPException, http_exception_handler)
    app.add_exception_handler(RequestValidationError, http_exception_handler)
    app.add_exception_handler(Exception, unexpected_error_handler)
    origins = list(settings.cors_origins)
    router, state = build_router(queue, settings)
    # Added first, so it runs last of the middleware, just before the routing it skips.
    app.add_middleware(ShortcutDispatch, served=state.served)
    if origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["x-api-key", "authorization", "content-type", "idempotency-key"],
        )
    # Added last, so it runs first: before CORS, routes and the dashboard.
    app.add_middleware(RequestGuard, settings=settings)
    app.include_router(router)
    if dashboard is not False:
        app.include_router(create_dashboard_router(None if dashboard is True else dashboard))

        @app.get("/", include_in_schema=False)
        async def root() -> RedirectResponse:
            return RedirectResponse(DASHBOARD_PATH + "/", status_code=307)

    return app


class ShortcutDispatch:
    """Hands a request for a route with a shortcut (see :func:`~equeue.api.routing.shortcut`)
    straight to that route's :class:`~equeue.api.routing.Serving`, past FastAPI's routing
    and its per-route layers, which cost a small request as much again as its own work.

    What the shortcut cannot answer goes on the usual way, with the body already read and
    the caller already checked (so a key is charged once): the route then answers
    exactly as it would have.
    """

    def __init__(self, app: ASGIApp, served: Mapping[tuple[str, str], Serving]) -> None:
        self.app = app
        self.served = served

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        serving = None
        if scope["type"] == "http":
            serving = self.served.get((scope["method"], scope["path"]))
        if serving is None:
            await self.app(scope, receive, send)
            return
        answer = await serving.respond(Request(scope, receive), None)
        if isinstance(answer, Request):
            # Not answered: the usual way, reading the body again from the one read.
            await self.app(scope, answer.receive, send)
            return
        await answer(scope, receive, send)


class RequestGuard:
    """Refuses, before anything else runs, what must not be served at all.

    - Without authentication, anything that arrived on a non-loopback address (the
      server was bound wider by mistake).
    - On a loopback address, a ``Host`` that is not a loopback name or one of
      ``allowed_hosts``: a browser led there by DNS rebinding sends the attacker's name.
    """

    def __init__(self, app: ASGIApp, settings: ApiSettings) -> None:
        self.app = app
        self.auth_disabled = settings.auth_disabled
        self.allowed_hosts = frozenset(settings.allowed_hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            refusal = self.refusal(HTTPConnection(scope))
            if refusal is not None:
                await self._refuse(scope, receive, send, refusal)
                return
        await self.app(scope, receive, send)

    def refusal(self, connection: HTTPConnection) -> str | None:
        """Why the request is refused, or None."""
        on_loopback = arrived_on_loopback(connection)
        if self.auth_disabled and not on_loopback:
            return "authentication is disabled: only loopback is served"
        host = connection.headers.get("host")
        if on_loopback and host is not None and not self._host_allowed(host):
            return (
                f"the host name {host!r} is not served on this loopback address: use "
                "localhost or 127.0.0.1, or add it to EQUEUE_ALLOWED_HOSTS"
            )
        return None

    def _host_allowed(self, host: str) -> bool:
        name = host.lower()
        # Drop the port: "[::1]:8000" keeps its brackets, "localhost:8000" its name.
        name = name[: name.find("]") + 1] if name.startswith("[") else name.rsplit(":", 1)[0]
        return is_loopback(name) or name.strip("[]") in self.allowed_hosts

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, message: str) -> None:
        if scope["type"] == "websocket":
            # Closing before accepting makes the server answer the handshake with 403.
            await send({"type": "websocket.close", "code": 1008, "reason": ""})
            return
        await error_response(403, "forbidden", message)(scope, receive, send)
