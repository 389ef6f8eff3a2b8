"""Jobs: enqueue (one or a batch), read, list, cancel, retry, delete and purge."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from equeue.api.errors import error_responses
from equeue.api.models import (
    FIELD_DETAILS,
    Deleted,
    EnqueuedJob,
    FinishedStatus,
    JobBatchIn,
    JobBatchOut,
    JobDetail,
    JobIn,
    JobListItem,
    JobOut,
    JobPage,
    ListFields,
    chosen_fields,
)
from equeue.api.routing import KEYED, AdminKey, ApiState, ReadKey, WriteKey, annotate
from equeue.job import JobStatus

JobId = Annotated[uuid.UUID, Path(description="the job's id")]


def add_routes(router: APIRouter, state: ApiState) -> None:
    """The routes of jobs, on ``router``."""
    _enqueue_routes(router, state)
    _job_routes(router, state)


def _enqueue_routes(router: APIRouter, state: ApiState) -> None:
    queue, inputs = state.queue, state.inputs

    @router.post(
        "/v1/jobs",
        status_code=201,
        response_model=EnqueuedJob,
        tags=["jobs"],
        responses={
            200: {"model": EnqueuedJob, "description": "an unfinished job held the key"},
            # 409: the key's holders kept vanishing as it was settled (see docs/api.md).
            **error_responses(400, *KEYED, 409, 413),
        },
    )
    @annotate(body=inputs.job, idempotency_key=inputs.idempotency_key)
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
        responses=error_responses(400, *KEYED, 409, 413),
    )
    @annotate(body=inputs.batch)
    async def enqueue_batch(body: JobBatchIn, _: WriteKey) -> JobBatchOut:
        """Enqueue up to ``max_batch_size`` jobs, all or nothing."""
        jobs = await queue.enqueue_many(j.model_dump(exclude_unset=True) for j in body.jobs)
        for job in jobs:
            if not job.deduplicated:
                state.metrics.enqueued.labels(job.queue, job.task).inc()
        return JobBatchOut(items=[EnqueuedJob.of(job) for job in jobs])


def _job_routes(router: APIRouter, state: ApiState) -> None:
    queue, inputs = state.queue, state.inputs

    @router.get(
        "/v1/jobs/{job_id:uuid}",
        response_model=JobDetail,
        tags=["jobs"],
        responses=error_responses(*KEYED, 404),
    )
    async def get_job(job_id: JobId, _: ReadKey) -> JobDetail:
        """One job, with its attempt history."""
        return JobDetail.of(await queue.get_job(job_id))

    @router.get(
        "/v1/jobs",
        response_model=JobPage,
        response_model_exclude_unset=True,  # the fields not chosen stay out of each item
        tags=["jobs"],
        responses=error_responses(*KEYED),
    )
    @annotate(
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
        fields: ListFields = None,
    ) -> JobPage:
        """Jobs newest first; pass ``next_cursor`` back as ``cursor`` for the next page.
        ``payload``, ``result`` and ``attempt_history`` come only when ``fields`` asks."""
        chosen = chosen_fields(fields)
        jobs, next_cursor = await queue.list_jobs(
            status=status,
            queue=queue_name,
            task=task,
            tag=tag,
            limit=limit,
            cursor=str(cursor) if cursor else None,
            details=[FIELD_DETAILS[f] for f in chosen if f in FIELD_DETAILS],
        )
        items = [JobListItem.of(job, chosen) for job in jobs]
        return JobPage(items=items, next_cursor=next_cursor)

    @router.post(
        "/v1/jobs/{job_id:uuid}/cancel",
        response_model=JobOut,
        tags=["jobs"],
        responses=error_responses(*KEYED, 404, 409, 413),
    )
    async def cancel(job_id: JobId, _: WriteKey) -> JobOut:
        """Cancel a job: a waiting one at once, a running one when its worker stops it
        (``cancel_requested: true`` meanwhile). 409 when it has finished."""
        return JobOut.of(await queue.cancel(job_id))

    @router.post(
        "/v1/jobs/{job_id:uuid}/retry",
        response_model=JobOut,
        tags=["jobs"],
        responses=error_responses(*KEYED, 404, 409, 413),
    )
    async def retry(job_id: JobId, _: WriteKey) -> JobOut:
        """Send a failed or cancelled job back to the queue. 409 otherwise."""
        return JobOut.of(await queue.retry(job_id))

    @router.delete(
        "/v1/jobs/{job_id:uuid}",
        status_code=204,
        tags=["jobs"],
        responses=error_responses(*KEYED, 404, 409),
    )
    async def delete(job_id: JobId, _: AdminKey) -> Response:
        """Delete a job. 409 while it runs."""
        await queue.delete(job_id)
        return Response(status_code=204)

    @router.delete(
        "/v1/jobs", response_model=Deleted, tags=["jobs"], responses=error_responses(*KEYED)
    )
    @annotate(queue_name=inputs.queue_filter, task=inputs.task_filter)
    async def purge(
        _: AdminKey,
        status: Annotated[list[FinishedStatus], Query()] = [JobStatus.SUCCEEDED],  # noqa: B006
        queue_name: str | None = None,
        task: str | None = None,
    ) -> Deleted:
        """Delete finished jobs by filter (never unfinished ones)."""
        return Deleted(deleted=await queue.purge(statuses=status, queue=queue_name, task=task))
