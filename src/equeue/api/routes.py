"""The routes: everything under /v1, plus /metrics, /healthz and /readyz."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
import weakref
from collections.abc import Callable, Coroutine
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Path, Query, Request, Response, WebSocket
from fastapi.dependencies.models import Dependant
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocketDisconnect

from equeue.api import keys as api_keys
from equeue.api.auth import Authenticator, Principal, RateLimiter
from equeue.api.errors import (
    ApiError,
    error_response,
    error_responses,
    method_not_allowed,
    response_for,
)
from equeue.api.events import EventHub
from equeue.api.health import Readiness
from equeue.api.metrics import ApiMetrics
from equeue.api.models import (
    Deleted,
    EnqueuedJob,
    EventToken,
    FinishedStatus,
    Health,
    JobBatchIn,
    JobBatchOut,
    JobDetail,
    JobIn,
    JobOut,
    JobPage,
    KeyCreated,
    KeyIn,
    KeyList,
    KeyOut,
    QueueList,
    QueueOut,
    QueueState,
    Replayed,
    TaskList,
    TaskOut,
    WorkerList,
    WorkerOut,
    bounded_inputs,
)
from equeue.api.settings import ApiSettings
from equeue.job import JobStatus
from equeue.queue import Queue

log = logging.getLogger("equeue.api")

#: Window of the per-queue "last minute" rates.
RATE_WINDOW_SECONDS = 60.0
#: Bodies up to this size are taken in whole by the server anyway (uvicorn buffers this
#: much); a refused request with a larger one has its connection closed instead.
_BUFFERED_BODY_BYTES = 64 * 1024
_hubs: weakref.WeakKeyDictionary[Queue, EventHub] = weakref.WeakKeyDictionary()
#: The error answers of every route that checks a key.
_KEYED = (401, 403, 422, 429)
_Endpoint = TypeVar("_Endpoint", bound=Callable[..., Any])


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


class ApiState:
    """What the routes of one router share."""

    def __init__(self, queue: Queue, settings: ApiSettings) -> None:
        self.queue = queue
        self.settings = settings
        self.auth = Authenticator(settings, queue.admin.get_key)
        self.limiter = RateLimiter(settings.rate_limit_per_second, settings.rate_limit_burst)
        self.metrics = ApiMetrics()
        self.inputs = bounded_inputs(queue.limits, self.settings)
        self.readiness = Readiness(queue, settings.ready_cache_seconds)

    async def check(self, request: Request, needed: str) -> Principal:
        """Authenticate, check the ``needed`` scope, and spend a rate-limit token."""
        principal = await self.auth.authenticate(request)
        principal.require(needed)
        self.limiter.take(principal.key_id)
        return principal


_STATE_KEY = "equeue.api"
_PRINCIPAL_KEY = "equeue.api.principal"


def _state_of(request: Request) -> ApiState:
    state: ApiState = request.scope[_STATE_KEY]
    return state


async def _checked(request: Request, needed: str) -> Principal:
    # The route checked the caller before reading the body (see _route_class).
    principal: Principal | None = request.scope.get(_PRINCIPAL_KEY)
    return principal or await _state_of(request).check(request, needed)


async def _require_read(request: Request) -> Principal:
    return await _checked(request, "read")


async def _require_write(request: Request) -> Principal:
    return await _checked(request, "write")


async def _require_admin(request: Request) -> Principal:
    return await _checked(request, "admin")


_SCOPE_OF_DEPENDENCY: dict[Callable[..., Any], str] = {
    _require_read: "read",
    _require_write: "write",
    _require_admin: "admin",
}


ReadKey = Annotated[Principal, Depends(_require_read)]
WriteKey = Annotated[Principal, Depends(_require_write)]
AdminKey = Annotated[Principal, Depends(_require_admin)]


def _needed_scope(dependant: Dependant) -> str | None:
    """The scope a route's key dependency asks for, if it has one."""
    for dependency in dependant.dependencies:
        needed = _SCOPE_OF_DEPENDENCY.get(dependency.call) if dependency.call else None
        if needed is not None:
            return needed
    return None


def _route_class(state: ApiState) -> type[APIRoute]:
    """Routes that check the caller, cap the request body, time themselves and answer
    errors as JSON.

    The caller is checked (key, scope, rate limits) from the headers before the body is
    read: a request that will be refused costs neither its upload nor a JSON parse.
    Inside the route (not as app middleware) so a router mounted in someone else's app
    keeps the same contract.
    """

    # Every method some route serves at each path: Starlette's own 405 names only the
    # methods of the first route of the path, not all of them.
    methods_at: dict[str, set[str]] = {}

    class EqueueRoute(APIRoute):
        def __init__(self, path: str, endpoint: Callable[..., Any], **options: Any) -> None:
            super().__init__(path, endpoint, **options)
            methods_at.setdefault(self.path, set()).update(self.methods or ())

        async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "http" and scope["method"] not in (self.methods or ()):
                allowed = sorted(methods_at[self.path])
                await method_not_allowed(scope["method"], allowed)(scope, receive, send)
                return
            await super().handle(scope, receive, send)

        def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
            handler = super().get_route_handler()
            limit = (
                state.settings.max_batch_request_bytes
                if self.path.endswith("/batch")
                else state.settings.max_request_bytes
            )
            route = self.path
            needed = _needed_scope(self.dependant)

            async def handle(request: Request) -> Response:
                started = time.perf_counter()
                request.scope[_STATE_KEY] = state
                admitted = needed is None
                try:
                    if needed is not None:
                        request.scope[_PRINCIPAL_KEY] = await state.check(request, needed)
                        admitted = True
                    response = await handler(await _capped(request, limit))
                except Exception as exc:
                    known = response_for(exc)
                    if known is None:
                        raise
                    response = known
                    if not admitted and _large_body_ahead(request):
                        # A caller refused before its body was read: end the connection
                        # rather than receive an upload nobody will look at.
                        response.headers["connection"] = "close"
                state.metrics.request_seconds.labels(
                    request.method, route, str(response.status_code)
                ).observe(time.perf_counter() - started)
                return response

            return handle

    return EqueueRoute


def _annotate(**annotations: object) -> Callable[[_Endpoint], _Endpoint]:
    """Give an endpoint's parameters types built from this router's bounds.

    The module's annotations are strings FastAPI resolves in the module's globals, where a
    router's own bounds are not; these replace them as objects.
    """

    def apply(endpoint: _Endpoint) -> _Endpoint:
        endpoint.__annotations__.update(annotations)
        return endpoint

    return apply


def _large_body_ahead(request: Request) -> bool:
    """Whether the request announced a body larger than the server buffers by itself."""
    if "transfer-encoding" in request.headers:
        return True
    declared = request.headers.get("content-length", "0")
    return not declared.isdigit() or int(declared) > _BUFFERED_BODY_BYTES


async def _capped(request: Request, limit: int) -> Request:
    """The request with its body read, refused with 413 beyond ``limit`` bytes."""
    if request.method not in ("POST", "PUT", "PATCH"):
        return request
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ApiError(413, "too_large", f"request body is larger than the limit of {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(
                413, "too_large", f"request body is larger than the limit of {limit} bytes"
            )
        chunks.append(chunk)
    body = b"".join(chunks)

    async def replay() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    return Request(request.scope, replay)


def create_router(queue: Queue, settings: ApiSettings | None = None) -> APIRouter:
    """The API as a router: ``app.include_router(create_router(queue))``.

    Pair it with :func:`equeue.api.lifespan` so the pool opens and the event hub stops
    with the app.
    """
    state = ApiState(queue, settings or ApiSettings())
    router = APIRouter(route_class=_route_class(state))
    _job_routes(router, state)
    _admin_routes(router, state)
    _fleet_routes(router, state)
    _event_routes(router, state)
    _ops_routes(router, state)
    return router


JobId = Annotated[uuid.UUID, Path(description="the job's id")]


def _job_routes(router: APIRouter, state: ApiState) -> None:
    queue, inputs = state.queue, state.inputs

    @router.post(
        "/v1/jobs",
        status_code=201,
        response_model=EnqueuedJob,
        tags=["jobs"],
        responses={
            200: {"model": EnqueuedJob, "description": "an unfinished job held the key"},
            # 409: the key's holders kept vanishing as it was settled (see docs/api.md).
            **error_responses(400, *_KEYED, 409, 413),
        },
    )
    @_annotate(body=inputs.job, idempotency_key=inputs.idempotency_key)
    async def enqueue(
        body: JobIn,
        response: Response,
        _: WriteKey,
        idempotency_key: str | None = None,
    ) -> EnqueuedJob:
        """Enqueue a job. A dedupe key (or ``Idempotency-Key``) held by an unfinished job
        returns that job with 200 and ``deduplicated: true``."""
        options = body.model_dump(exclude_unset=True, exclude={"type", "payload"})
        if idempotency_key is not None and options.get("dedupe_key") is None:
            options["dedupe_key"] = idempotency_key
        job = await queue.enqueue(body.type, body.payload, **options)
        if job.deduplicated:
            response.status_code = 200
        else:
            state.metrics.enqueued.labels(job.queue, job.task).inc()
        return EnqueuedJob.of(job)

    @router.post(
        "/v1/jobs/batch",
        status_code=201,
        response_model=JobBatchOut,
        tags=["jobs"],
        responses=error_responses(400, *_KEYED, 409, 413),
    )
    @_annotate(body=inputs.batch)
    async def enqueue_batch(body: JobBatchIn, _: WriteKey) -> JobBatchOut:
        """Enqueue up to ``max_batch_size`` jobs, all or nothing."""
        jobs = await queue.enqueue_many(j.model_dump(exclude_unset=True) for j in body.jobs)
        for job in jobs:
            if not job.deduplicated:
                state.metrics.enqueued.labels(job.queue, job.task).inc()
        return JobBatchOut(items=[EnqueuedJob.of(job) for job in jobs])

    @router.get(
        "/v1/jobs/{job_id:uuid}",
        response_model=JobDetail,
        tags=["jobs"],
        responses=error_responses(*_KEYED, 404),
    )
    async def get_job(job_id: JobId, _: ReadKey) -> JobDetail:
        """One job, with its attempt history."""
        return JobDetail.of(await queue.get_job(job_id))

    @router.get(
        "/v1/jobs", response_model=JobPage, tags=["jobs"], responses=error_responses(*_KEYED)
    )
    @_annotate(
        queue_name=inputs.queue_filter,
        task=inputs.task_filter,
        tag=inputs.tag_filter,
        limit=inputs.page_limit,
    )
    async def list_jobs(
        _: ReadKey,
        status: JobStatus | None = None,
        queue_name: str | None = None,
        task: str | None = None,
        tag: str | None = None,
        limit: int = 50,
        cursor: uuid.UUID | None = None,
    ) -> JobPage:
        """Jobs newest first; pass ``next_cursor`` back as ``cursor`` for the next page."""
        jobs, next_cursor = await queue.list_jobs(
            status=status,
            queue=queue_name,
            task=task,
            tag=tag,
            limit=limit,
            cursor=str(cursor) if cursor else None,
        )
        return JobPage(items=[JobOut.of(job) for job in jobs], next_cursor=next_cursor)

    @router.post(
        "/v1/jobs/{job_id:uuid}/cancel",
        response_model=JobOut,
        tags=["jobs"],
        responses=error_responses(*_KEYED, 404, 409, 413),
    )
    async def cancel(job_id: JobId, _: WriteKey) -> JobOut:
        """Cancel a job: a waiting one at once, a running one when its worker stops it
        (``cancel_requested: true`` meanwhile). 409 when it has finished."""
        return JobOut.of(await queue.cancel(job_id))

    @router.post(
        "/v1/jobs/{job_id:uuid}/retry",
        response_model=JobOut,
        tags=["jobs"],
        responses=error_responses(*_KEYED, 404, 409, 413),
    )
    async def retry(job_id: JobId, _: WriteKey) -> JobOut:
        """Send a failed or cancelled job back to the queue. 409 otherwise."""
        return JobOut.of(await queue.retry(job_id))

    @router.delete(
        "/v1/jobs/{job_id:uuid}",
        status_code=204,
        tags=["jobs"],
        responses=error_responses(*_KEYED, 404, 409),
    )
    async def delete(job_id: JobId, _: AdminKey) -> Response:
        """Delete a job. 409 while it runs."""
        await queue.delete(job_id)
        return Response(status_code=204)

    @router.delete(
        "/v1/jobs", response_model=Deleted, tags=["jobs"], responses=error_responses(*_KEYED)
    )
    @_annotate(queue_name=inputs.queue_filter, task=inputs.task_filter)
    async def purge(
        _: AdminKey,
        status: Annotated[list[FinishedStatus], Query()] = [JobStatus.SUCCEEDED],  # noqa: B006
        queue_name: str | None = None,
        task: str | None = None,
    ) -> Deleted:
        """Delete finished jobs by filter (never unfinished ones)."""
        return Deleted(deleted=await queue.purge(statuses=status, queue=queue_name, task=task))


def _admin_routes(router: APIRouter, state: ApiState) -> None:
    queue, inputs = state.queue, state.inputs

    @router.post(
        "/v1/replay-dlq",
        response_model=Replayed,
        tags=["jobs"],
        responses=error_responses(*_KEYED, 413),
    )
    @_annotate(queue_name=inputs.queue_filter, task=inputs.task_filter)
    async def replay_dlq(
        _: AdminKey,
        limit: Annotated[int, Query(ge=1, le=100_000)] = 1000,
        queue_name: str | None = None,
        task: str | None = None,
    ) -> Replayed:
        """Send failed jobs back to ``queued``, their attempt history kept."""
        return Replayed(
            replayed=await queue.replay_failed(queue=queue_name, task=task, limit=limit)
        )

    @router.post(
        "/v1/queues/{name}/pause",
        response_model=QueueState,
        tags=["queues"],
        responses=error_responses(*_KEYED, 413),
    )
    @_annotate(name=inputs.queue_name)
    async def pause(name: str, _: AdminKey) -> QueueState:
        """Stop workers claiming from this queue; running jobs go on."""
        await queue.pause_queue(name)
        return QueueState(name=name, paused=True)

    @router.post(
        "/v1/queues/{name}/resume",
        response_model=QueueState,
        tags=["queues"],
        responses=error_responses(*_KEYED, 413),
    )
    @_annotate(name=inputs.queue_name)
    async def resume(name: str, _: AdminKey) -> QueueState:
        """Let workers claim from this queue again."""
        await queue.resume_queue(name)
        return QueueState(name=name, paused=False)

    @router.get(
        "/v1/keys", response_model=KeyList, tags=["keys"], responses=error_responses(*_KEYED)
    )
    async def list_keys(_: AdminKey) -> KeyList:
        """Every API key (ids and scopes; the keys themselves are never stored)."""
        return KeyList(items=[KeyOut.of(k) for k in await api_keys.list_keys(queue)])

    @router.post(
        "/v1/keys",
        status_code=201,
        response_model=KeyCreated,
        tags=["keys"],
        responses=error_responses(400, *_KEYED, 413),
    )
    async def create_key(body: KeyIn, _: AdminKey) -> KeyCreated:
        """Create a key; the answer holds it once."""
        key_id, raw = await api_keys.create_key(queue, body.scopes, body.name)
        [info] = [k for k in await api_keys.list_keys(queue) if k.id == key_id]
        return KeyCreated(**KeyOut.of(info).model_dump(), key=raw)

    @router.delete(
        "/v1/keys/{key_id}",
        status_code=204,
        tags=["keys"],
        responses=error_responses(*_KEYED, 404),
    )
    async def revoke_key(key_id: str, _: AdminKey) -> Response:
        """Revoke a key."""
        if not await api_keys.revoke_key(queue, key_id):
            raise ApiError(404, "not_found", f"no active API key {key_id!r}")
        return Response(status_code=204)


def _fleet_routes(router: APIRouter, state: ApiState) -> None:
    alive = state.settings.worker_alive_seconds

    @router.get(
        "/v1/queues", response_model=QueueList, tags=["queues"], responses=error_responses(*_KEYED)
    )
    async def list_queues(_: ReadKey) -> QueueList:
        """Every queue: counts by status, paused flag, oldest waiting job, recent rates."""
        stats = await state.queue.admin.queue_stats(RATE_WINDOW_SECONDS)
        return QueueList(items=[QueueOut.of(s, RATE_WINDOW_SECONDS) for s in stats])

    @router.get(
        "/v1/workers",
        response_model=WorkerList,
        tags=["fleet"],
        responses=error_responses(*_KEYED),
    )
    async def list_workers(_: ReadKey) -> WorkerList:
        """Workers that sent a heartbeat recently."""
        rows = await state.queue.admin.live_workers(alive)
        return WorkerList(
            items=[WorkerOut(**{**row, "last_heartbeat": row["last_seen"]}) for row in rows]
        )

    @router.get(
        "/v1/tasks", response_model=TaskList, tags=["fleet"], responses=error_responses(*_KEYED)
    )
    async def list_tasks(_: ReadKey) -> TaskList:
        """Task names workers have registered, with their defaults."""
        rows = await state.queue.admin.tasks()
        return TaskList(items=[TaskOut(**row) for row in rows])


def _event_routes(router: APIRouter, state: ApiState) -> None:

    @router.post(
        "/v1/events/token",
        response_model=EventToken,
        tags=["events"],
        responses=error_responses(*_KEYED, 413),
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
    """Send frames until the client leaves or falls too far behind."""

    async def watch_client() -> None:
        with contextlib.suppress(WebSocketDisconnect):
            while True:
                await websocket.receive_text()

    client = asyncio.create_task(watch_client())
    dropped = asyncio.create_task(subscription.dropped.wait())
    try:
        while True:
            frame = asyncio.create_task(subscription.frames.get())
            done, _ = await asyncio.wait(
                {frame, client, dropped}, return_when=asyncio.FIRST_COMPLETED
            )
            if frame not in done:
                frame.cancel()
                if dropped in done:
                    await websocket.close(code=1013, reason="client fell too far behind")
                return
            await websocket.send_json({"events": frame.result()})
    except (WebSocketDisconnect, RuntimeError):
        return
    finally:
        client.cancel()
        dropped.cancel()


def _ops_routes(router: APIRouter, state: ApiState) -> None:

    @router.get(
        "/metrics",
        tags=["ops"],
        response_class=Response,
        responses={
            200: {"content": {"text/plain": {"schema": {"type": "string"}}}},
            **error_responses(*_KEYED),
        },
    )
    async def metrics(_: ReadKey) -> Response:
        """Prometheus metrics (text format)."""
        admin = state.queue.admin
        body = state.metrics.render(
            await admin.stats_totals(),
            await state.queue.counts(),
            await admin.count_live_workers(state.settings.worker_alive_seconds),
        )
        return Response(body, media_type="text/plain; version=0.0.4; charset=utf-8")

    @router.get("/healthz", response_model=Health, tags=["ops"])
    async def healthz() -> Health:
        """The process is up."""
        return Health(status="ok")

    @router.get("/readyz", response_model=Health, tags=["ops"], responses=error_responses(503))
    async def readyz() -> Response:
        """The database answers and every migration is applied (asked at most once per
        ``ready_cache_seconds``; the reason for a 503 is in the server log)."""
        problem = await state.readiness.problem()
        if problem is not None:
            return error_response(503, "unavailable", f"not ready: {problem}")
        return JSONResponse({"status": "ready"})
