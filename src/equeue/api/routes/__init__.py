"""The routes: everything under /v1, plus /metrics, /healthz and /readyz, one module per
group of resources. What they share (state, key checks, the route class) is in
:mod:`equeue.api.routing`."""

from __future__ import annotations

from fastapi import APIRouter

from equeue.api.routes import (
    audit,
    chords,
    events,
    fleet,
    insight,
    jobs,
    keys,
    limits,
    ops,
    queues,
    schedules,
    work,
)
from equeue.api.routes.events import event_hub
from equeue.api.routing import ApiState, route_class
from equeue.api.settings import ApiSettings
from equeue.queue import Queue

__all__ = ["build_router", "create_router", "event_hub"]


def create_router(queue: Queue, settings: ApiSettings | None = None) -> APIRouter:
    """The API as a router: ``app.include_router(create_router(queue))``.

    Pair it with :func:`equeue.api.lifespan` so the pool opens and the event hub stops
    with the app.
    """
    return build_router(queue, settings)[0]


def build_router(queue: Queue, settings: ApiSettings | None = None) -> tuple[APIRouter, ApiState]:
    """The router and the state its routes share."""
    state = ApiState(queue, settings or ApiSettings())
    router = APIRouter(route_class=route_class(state))
    # This order is the order of the paths in the OpenAPI document.
    for group in (
        jobs, chords, queues, limits, schedules, work, keys, audit, fleet, insight, events, ops,
    ):  # fmt: skip
        group.add_routes(router, state)
    return router, state
