"""Queues: pause and resume one, and send failed jobs back to them (the list of queues,
with their counts, is with the other reads of the fleet in :mod:`.fleet`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from equeue.api.errors import error_responses
from equeue.api.models import QueueState, Replayed
from equeue.api.routing import KEYED, AdminKey, ApiState, Audit, annotate
from equeue.audit import Action
from equeue.job import TEXT_PATTERN

#: Longest error line a replay filters on: workers keep at most this much of an error.
_MAX_ERROR_LINE = 2000


def add_routes(router: APIRouter, state: ApiState) -> None:
    """The routes that change queues, on ``router``."""
    queue, inputs = state.queue, state.inputs

    @router.post(
        "/v1/replay-dlq",
        response_model=Replayed,
        tags=["jobs"],
        responses=error_responses(*KEYED, 413),
    )
    @annotate(queue_name=inputs.queue_filter, task=inputs.task_filter)
    async def replay_dlq(
        _: AdminKey,
        audit: Audit,
        limit: Annotated[int, Query(ge=1, le=100_000)] = 1000,
        queue_name: str | None = None,
        task: str | None = None,
        error: Annotated[
            str | None,
            Query(
                min_length=1,
                max_length=_MAX_ERROR_LINE,
                pattern=TEXT_PATTERN,
                description="only jobs whose last error's first line is this one exactly "
                "(a group of GET /v1/dead-letters)",
            ),
        ] = None,
    ) -> Replayed:
        """Send failed jobs back to ``queued``, their attempt history kept."""
        replayed = await queue.replay_failed(queue=queue_name, task=task, limit=limit, error=error)
        chosen = {"queue": queue_name, "type": task, "error": error, "limit": limit}
        await audit(Action.JOBS_REPLAY, target=chosen, affected=replayed)
        return Replayed(replayed=replayed)

    @router.post(
        "/v1/queues/{name}/pause",
        response_model=QueueState,
        tags=["queues"],
        responses=error_responses(*KEYED, 413),
    )
    @annotate(name=inputs.queue_name)
    async def pause(name: str, _: AdminKey, audit: Audit) -> QueueState:
        """Stop workers claiming from this queue; running jobs go on."""
        await queue.pause_queue(name)
        await audit(Action.QUEUE_PAUSE, target={"queue": name})
        return QueueState(name=name, paused=True)

    @router.post(
        "/v1/queues/{name}/resume",
        response_model=QueueState,
        tags=["queues"],
        responses=error_responses(*KEYED, 413),
    )
    @annotate(name=inputs.queue_name)
    async def resume(name: str, _: AdminKey, audit: Audit) -> QueueState:
        """Let workers claim from this queue again."""
        await queue.resume_queue(name)
        await audit(Action.QUEUE_RESUME, target={"queue": name})
        return QueueState(name=name, paused=False)
