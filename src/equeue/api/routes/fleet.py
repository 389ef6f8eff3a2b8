"""The fleet at a glance: queues with their counts and rates, live workers, and the tasks
workers registered."""

from __future__ import annotations

from fastapi import APIRouter

from equeue.api.errors import error_responses
from equeue.api.models import QueueList, QueueOut, TaskList, TaskOut, WorkerList, WorkerOut
from equeue.api.routing import KEYED, ApiState, ReadKey

#: Window of the per-queue "last minute" rates.
RATE_WINDOW_SECONDS = 60.0
#: The lease of a worker that did not state its own (a row from before workers did): the
#: workers' default.
_DEFAULT_LEASE_SECONDS = 30.0


def add_routes(router: APIRouter, state: ApiState) -> None:
    """The routes that read the queues, the workers and their tasks, on ``router``."""
    alive = state.settings.worker_alive_seconds

    @router.get(
        "/v1/queues", response_model=QueueList, tags=["queues"], responses=error_responses(*KEYED)
    )
    async def list_queues(_: ReadKey) -> QueueList:
        """Every queue: counts by status, paused flag, oldest waiting job, recent rates."""
        stats = await state.queue.admin.queue_stats(RATE_WINDOW_SECONDS)
        return QueueList(items=[QueueOut.of(s, RATE_WINDOW_SECONDS) for s in stats])

    @router.get(
        "/v1/workers",
        response_model=WorkerList,
        tags=["fleet"],
        responses=error_responses(*KEYED),
    )
    async def list_workers(_: ReadKey) -> WorkerList:
        """Workers that sent a heartbeat recently (within ``worker_alive_seconds``), each
        with the jobs it runs now; ``stale`` when its heartbeat is older than its lease."""
        rows = await state.queue.admin.live_workers(alive, _DEFAULT_LEASE_SECONDS)
        return WorkerList(
            items=[WorkerOut(**{**row, "last_heartbeat": row["last_seen"]}) for row in rows]
        )

    @router.get(
        "/v1/tasks", response_model=TaskList, tags=["fleet"], responses=error_responses(*KEYED)
    )
    async def list_tasks(_: ReadKey) -> TaskList:
        """Task names workers have registered, with their defaults."""
        rows = await state.queue.admin.tasks()
        return TaskList(items=[TaskOut(**row) for row in rows])
