"""Queues' fleet-wide limits: read them, set them, clear them (docs/limits.md)."""

from __future__ import annotations

from fastapi import APIRouter

from equeue.api.errors import error_responses
from equeue.api.models.limits import QueueLimitsIn, QueueLimitsList, QueueLimitsOut
from equeue.api.routing import KEYED, AdminKey, ApiState, Audit, ReadKey, annotate
from equeue.audit import Action
from equeue.limits import QueueLimits


def add_routes(router: APIRouter, state: ApiState) -> None:
    """The routes of queue limits, on ``router``."""
    admin, inputs = state.queue.admin, state.inputs

    @router.get(
        "/v1/queue-limits",
        response_model=QueueLimitsList,
        tags=["queues"],
        responses=error_responses(*KEYED),
    )
    async def list_limits(_: ReadKey) -> QueueLimitsList:
        """Every queue that has a limit, with its limits."""
        limits = await admin.queue_limits()
        return QueueLimitsList(items=[QueueLimitsOut.of(n, lim) for n, lim in limits.items()])

    @router.put(
        "/v1/queues/{name}/limits",
        response_model=QueueLimitsOut,
        tags=["queues"],
        responses=error_responses(400, *KEYED, 413),
    )
    @annotate(name=inputs.queue_name)
    async def set_limits(
        name: str, body: QueueLimitsIn, _: AdminKey, audit: Audit
    ) -> QueueLimitsOut:
        """Set the queue's limits to exactly these, for the whole fleet: the next claim of
        every worker holds to them. A limit left out is removed."""
        limits = await admin.set_queue_limits(name, body.limits())
        await audit(Action.QUEUE_LIMITS, target={"queue": name, **body.model_dump()})
        return QueueLimitsOut.of(name, limits)

    @router.delete(
        "/v1/queues/{name}/limits",
        response_model=QueueLimitsOut,
        tags=["queues"],
        responses=error_responses(*KEYED, 413),
    )
    @annotate(name=inputs.queue_name)
    async def clear_limits(name: str, _: AdminKey, audit: Audit) -> QueueLimitsOut:
        """Remove every limit of the queue."""
        limits = await admin.set_queue_limits(name, QueueLimits())
        await audit(Action.QUEUE_LIMITS, target={"queue": name, "cleared": True})
        return QueueLimitsOut.of(name, limits)
