"""The standalone server and the lifespan helper for apps that mount the router."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from starlette.exceptions import HTTPException as StarletteHTTPException

from equeue.api.errors import error_response, http_exception_handler, unexpected_error_handler
from equeue.api.routes import create_router, event_hub
from equeue.api.settings import LOOPBACK_HOSTS, ApiSettings
from equeue.queue import Queue


def lifespan(
    queue: Queue, settings: ApiSettings | None = None
) -> Callable[[Any], contextlib.AbstractAsyncContextManager[None]]:
    """A FastAPI lifespan: ``FastAPI(lifespan=lifespan(queue))``.

    Opens the queue's pool (and applies migrations when ``migrate_on_start`` is set),
    starts the event hub, and on shutdown stops the hub and closes the pool.
    """
    settings = settings or ApiSettings()

    @contextlib.asynccontextmanager
    async def run(_app: Any) -> AsyncIterator[None]:
        await queue.open()
        if settings.migrate_on_start:
            await queue.migrate()
        hub = event_hub(queue, settings)
        await hub.start()
        try:
            yield
        finally:
            await hub.stop()
            await queue.close()

    return run


def create_app(queue: Queue, settings: ApiSettings | None = None) -> FastAPI:
    """The standalone API server (Swagger UI at ``/docs``)."""
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
    origins = settings.cors_origin_list()
    if origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["x-api-key", "authorization", "content-type", "idempotency-key"],
        )
    if settings.auth_disabled:
        app.middleware("http")(_loopback_only)
    app.include_router(create_router(queue, settings))
    return app


async def _loopback_only(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    # Without authentication, a request that reached us on a non-loopback address is
    # refused even if the server was bound wider by mistake.
    server = request.scope.get("server")
    if server and server[0] not in LOOPBACK_HOSTS:
        return error_response(
            403, "forbidden", "authentication is disabled: only loopback is served"
        )
    return await call_next(request)
