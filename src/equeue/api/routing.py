"""What every route shares: the router's state, the key dependencies, and the route class
that checks the caller, caps the body, times the request and answers errors as JSON."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.types import Receive, Scope, Send

from equeue.api.audit import AuditTrail
from equeue.api.auth import Authenticator, Principal, RateLimiter
from equeue.api.errors import ApiError, method_not_allowed, response_for
from equeue.api.health import Readiness
from equeue.api.metrics import ApiMetrics
from equeue.api.models import bounded_inputs
from equeue.api.settings import ApiSettings
from equeue.audit import Actor
from equeue.queue import Queue

#: Bodies up to this size are taken in whole by the server anyway (uvicorn buffers this
#: much); a refused request with a larger one has its connection closed instead.
_BUFFERED_BODY_BYTES = 64 * 1024
#: The error answers of every route that checks a key (which may need the database).
KEYED = (401, 403, 422, 429, 503)
_Endpoint = TypeVar("_Endpoint", bound=Callable[..., Any])
#: A route's fast answer to the requests it expects most: a response, or None to let
#: FastAPI's own handler (validation, dependencies, serialisation) answer instead.
Shortcut = Callable[[Request], Awaitable[Response | None]]
Handler = Callable[[Request], Coroutine[Any, Any, Response]]


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
        #: Endpoint -> its shortcut (see :func:`shortcut`).
        self.shortcuts: dict[Callable[..., Any], Shortcut] = {}
        #: (method, path) -> the serving of each route that has a shortcut.
        self.served: dict[tuple[str, str], Serving] = {}

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
    # The route checked the caller before reading the body (see route_class).
    principal: Principal | None = request.scope.get(_PRINCIPAL_KEY)
    return principal or await _state_of(request).check(request, needed)


async def _require_read(request: Request) -> Principal:
    return await _checked(request, "read")


async def _require_write(request: Request) -> Principal:
    return await _checked(request, "write")


async def _require_admin(request: Request) -> Principal:
    return await _checked(request, "admin")


async def _require_work(request: Request) -> Principal:
    return await _checked(request, "work")


_SCOPE_OF_DEPENDENCY: dict[Callable[..., Any], str] = {
    _require_read: "read",
    _require_write: "write",
    _require_admin: "admin",
    _require_work: "work",
}


ReadKey = Annotated[Principal, Depends(_require_read)]
WriteKey = Annotated[Principal, Depends(_require_write)]
AdminKey = Annotated[Principal, Depends(_require_admin)]
#: A worker over HTTP: claims jobs and reports on them (admin keys may too).
WorkKey = Annotated[Principal, Depends(_require_work)]


def _audit_trail(request: Request) -> AuditTrail:
    # The route class checked the caller before the route's dependencies run.
    principal: Principal | None = request.scope.get(_PRINCIPAL_KEY)
    if principal is None:
        raise RuntimeError("an audited route must take a key (ReadKey, WriteKey, AdminKey)")
    source = request.client.host if request.client else "unknown"
    return AuditTrail(_state_of(request).queue.admin, Actor(principal.key_id, None, source))


#: What a route records its action with, once done: ``await audit(Action.JOB_RETRY,
#: job_ids=[job_id])`` (see :mod:`equeue.api.audit`).
Audit = Annotated[AuditTrail, Depends(_audit_trail)]


def _needed_scope(dependant: Dependant) -> str | None:
    """The scope a route's key dependency asks for, if it has one."""
    for dependency in dependant.dependencies:
        needed = _SCOPE_OF_DEPENDENCY.get(dependency.call) if dependency.call else None
        if needed is not None:
            return needed
    return None


class Serving:
    """What one route does around its endpoint: check the caller (key, scope, rate limits)
    from the headers before the body is read, so a request that will be refused costs
    neither its upload nor a JSON parse; cap the body; answer through the route's
    shortcut, if it has one and can; answer errors as JSON; time the request."""

    def __init__(self, state: ApiState, route: str, needed: str | None, fast: Shortcut | None):
        self.state = state
        self.route = route
        self.needed = needed
        self.fast = fast
        self.limit = (
            state.settings.max_batch_request_bytes
            if route.endswith("/batch")
            else state.settings.max_request_bytes
        )

    async def respond(self, request: Request, full: Handler | None) -> Response | Request:
        """The response, by the shortcut or else by ``full``. Without ``full``, when the
        shortcut cannot answer: the request, its body read (and capped) and its caller
        admitted, to go the usual way (nothing was timed yet)."""
        started = time.perf_counter()
        state, needed = self.state, self.needed
        request.scope[_STATE_KEY] = state
        admitted = needed is None
        try:
            if needed is not None:
                # A request handed on by ShortcutDispatch was checked (and charged) once.
                principal = request.scope.get(_PRINCIPAL_KEY)
                if principal is None:
                    request.scope[_PRINCIPAL_KEY] = await state.check(request, needed)
                admitted = True
            request = await _capped(request, self.limit)
            response = None if self.fast is None else await self.fast(request)
            if response is None:
                if full is None:
                    return request
                response = await full(request)
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
            request.method, self.route, str(response.status_code)
        ).observe(time.perf_counter() - started)
        return response


def route_class(state: ApiState) -> type[APIRoute]:
    """Routes that check the caller, cap the request body, time themselves and answer
    errors as JSON (see :class:`Serving`).

    Inside the route (not as app middleware) so a router mounted in someone else's app
    keeps the same contract. Routes with a shortcut are listed in ``state.served`` by
    method and path, for :class:`~equeue.api.app.ShortcutDispatch`.
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

        def get_route_handler(self) -> Handler:
            handler = super().get_route_handler()
            fast = state.shortcuts.get(self.endpoint)
            serving = Serving(state, self.path, _needed_scope(self.dependant), fast)
            if fast is not None:
                for method in self.methods or ():
                    state.served[(method, self.path)] = serving

            async def handle(request: Request) -> Response:
                response = await serving.respond(request, handler)
                assert isinstance(response, Response)  # with a full handler, always
                return response

            return handle

    return EqueueRoute


def shortcut(state: ApiState, fast: Shortcut) -> Callable[[_Endpoint], _Endpoint]:
    """Give an endpoint a shortcut: ``fast`` answers the requests it knows to be well
    formed (after the caller's key and the body's size were checked, as for any request),
    and hands every other one, by returning None, to FastAPI's handler, which then words
    the errors exactly as for any route. Apply it below the route decorator.

    FastAPI's per-request work (resolving dependencies, validating and serialising
    through its field models) costs more than the rest of a small request together; the
    busiest route does without it.
    """

    def register(endpoint: _Endpoint) -> _Endpoint:
        state.shortcuts[endpoint] = fast
        return endpoint

    return register


def annotate(**annotations: object) -> Callable[[_Endpoint], _Endpoint]:
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
