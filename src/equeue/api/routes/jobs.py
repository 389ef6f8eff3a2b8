"""Jobs: enqueue (one or a batch), read, list, cancel, retry, delete and purge, one job or
a selection of them."""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from equeue.api.errors import error_responses
from equeue.api.models import (
    FIELD_DETAILS,
    BulkIn,
    BulkOut,
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
from equeue.api.routing import (
    KEYED,
    AdminKey,
    ApiState,
    Audit,
    ReadKey,
    Shortcut,
    WriteKey,
    annotate,
    shortcut,
)
from equeue.audit import Action
from equeue.errors import WaitTimeoutError
from equeue.job import Job, JobStatus

JobId = Annotated[uuid.UUID, Path(description="the job's id")]


def add_routes(router: APIRouter, state: ApiState) -> None:
    """The routes of jobs, on ``router``."""
    _enqueue_routes(router, state)
    _job_routes(router, state)
    _bulk_routes(router, state)


def _enqueue_routes(router: APIRouter, state: ApiState) -> None:
    queue, inputs = state.queue, state.inputs

    async def enqueue_one(body: JobIn, idempotency_key: str | None) -> Job:
        options = body.model_dump(exclude_unset=True, exclude={"type", "payload"})
        job = await queue.enqueue(
            body.type, body.payload, **options, idempotency_key=idempotency_key
        )
        if not job.deduplicated:
            state.metrics.enqueued.labels(job.queue, job.task).inc()
        return job

    @router.post(
        "/v1/jobs",
        status_code=201,
        response_model=EnqueuedJob,
        tags=["jobs"],
        responses={
            200: {
                "model": EnqueuedJob,
                "description": "an unfinished job held the dedupe key, or a request made "
                "before with this Idempotency-Key created the job",
            },
            # 409: the key's holders kept vanishing as it was settled, or the job of the
            # Idempotency-Key was deleted (see docs/api.md).
            **error_responses(400, *KEYED, 409, 413),
        },
    )
    @shortcut(state, _enqueue_shortcut(state, enqueue_one))
    @annotate(body=inputs.job, idempotency_key=inputs.idempotency_key)
    async def enqueue(
        body: JobIn,
        response: Response,
        _: WriteKey,
        idempotency_key: str | None = None,
    ) -> EnqueuedJob:
        """Enqueue a job. A dedupe key held by an unfinished job returns that job with 200
        and ``deduplicated: true``; so does a repeat of a request made before with the
        same ``Idempotency-Key``, whatever became of its job (a different request with
        that key is refused with 422)."""
        job = await enqueue_one(body, idempotency_key)
        if job.deduplicated:
            response.status_code = 200
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


def _enqueue_shortcut(
    state: ApiState, enqueue_one: Callable[[JobIn, str | None], Awaitable[Job]]
) -> Shortcut:
    """``POST /v1/jobs`` with a JSON body that validates: the same steps as FastAPI's
    (``json.loads``, the same model, the same limits on ``Idempotency-Key``), then the
    answer serialised straight from the model. Anything else goes the full way."""
    job_model = state.inputs.job
    longest_key = state.queue.limits.max_dedupe_key_length

    async def enqueue_fast(request: Request) -> Response | None:
        if request.headers.get("content-type") != "application/json":
            return None
        key = request.headers.get("idempotency-key")
        if key is not None and not 0 < len(key) <= longest_key:
            return None
        try:
            body = job_model.model_validate(json.loads(await request.body()))
        except ValueError:  # not JSON, or not a valid job: FastAPI words the 422
            return None
        job = await enqueue_one(body, key)
        return Response(
            EnqueuedJob.of(job).model_dump_json(),
            status_code=200 if job.deduplicated else 201,
            media_type="application/json",
        )

    return enqueue_fast


def _wait_seconds(longest: float) -> object:
    """The ``wait`` of ``GET /v1/jobs/{id}``, bounded by the API's settings."""
    return Annotated[
        float | None,
        Query(
            ge=0,
            le=longest,
            description=f"wait up to this many seconds (at most {longest:g}, "
            "EQUEUE_JOB_MAX_WAIT_SECONDS) for the job to finish before answering; the job "
            "comes back as it is then, finished or not",
        ),
    ]


def _job_routes(router: APIRouter, state: ApiState) -> None:
    queue, inputs = state.queue, state.inputs

    @router.get(
        "/v1/jobs/{job_id:uuid}",
        response_model=JobDetail,
        tags=["jobs"],
        responses=error_responses(*KEYED, 404),
    )
    @annotate(wait=_wait_seconds(state.settings.job_max_wait_seconds))
    async def get_job(job_id: JobId, _: ReadKey, wait: float | None = None) -> JobDetail:
        """One job, with its attempt history. With ``wait``, once it has finished or when
        ``wait`` seconds have passed, whichever comes first (long polling): the answer is
        200 either way, so look at ``status`` (docs/progress-and-results.md)."""
        if not wait:
            return JobDetail.of(await queue.get_job(job_id))
        try:
            return JobDetail.of(await queue.wait(job_id, timeout=wait))
        except WaitTimeoutError as timed_out:
            return JobDetail.of(timed_out.job)

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
        dedupe_key=inputs.dedupe_key_filter,
    )
    async def list_jobs(
        _: ReadKey,
        status: JobStatus | None = None,
        queue_name: str | None = None,
        task: str | None = None,
        tag: str | None = None,
        limit: int = 50,
        cursor: uuid.UUID | None = None,
        job_id: Annotated[uuid.UUID | None, Query(alias="id")] = None,
        dedupe_key: str | None = None,
        fields: ListFields = None,
    ) -> JobPage:
        """Jobs newest first, those matching every filter given; pass ``next_cursor``
        back as ``cursor`` for the next page. ``payload``, ``result`` and
        ``attempt_history`` come only when ``fields`` asks."""
        chosen = chosen_fields(fields)
        jobs, next_cursor = await queue.list_jobs(
            status=status,
            queue=queue_name,
            task=task,
            tag=tag,
            limit=limit,
            cursor=str(cursor) if cursor else None,
            dedupe_key=dedupe_key,
            job_id=job_id,
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
    async def cancel(job_id: JobId, _: WriteKey, audit: Audit) -> JobOut:
        """Cancel a job: a waiting one at once, a running one when its worker stops it
        (``cancel_requested: true`` meanwhile). 409 when it has finished."""
        job = await queue.cancel(job_id)
        await audit(Action.JOB_CANCEL, job_ids=[job.id])
        return JobOut.of(job)

    @router.post(
        "/v1/jobs/{job_id:uuid}/retry",
        response_model=JobOut,
        tags=["jobs"],
        responses=error_responses(*KEYED, 404, 409, 413),
    )
    async def retry(job_id: JobId, _: WriteKey, audit: Audit) -> JobOut:
        """Send a failed or cancelled job back to the queue. 409 otherwise."""
        job = await queue.retry(job_id)
        await audit(Action.JOB_RETRY, job_ids=[job.id])
        return JobOut.of(job)

    @router.delete(
        "/v1/jobs/{job_id:uuid}",
        status_code=204,
        tags=["jobs"],
        responses=error_responses(*KEYED, 404, 409),
    )
    async def delete(job_id: JobId, _: AdminKey, audit: Audit) -> Response:
        """Delete a job. 409 while it runs."""
        await queue.delete(job_id)
        await audit(Action.JOB_DELETE, job_ids=[job_id])
        return Response(status_code=204)

    @router.delete(
        "/v1/jobs", response_model=Deleted, tags=["jobs"], responses=error_responses(*KEYED)
    )
    @annotate(queue_name=inputs.queue_filter, task=inputs.task_filter)
    async def purge(
        _: AdminKey,
        audit: Audit,
        status: Annotated[list[FinishedStatus], Query()] = [JobStatus.SUCCEEDED],  # noqa: B006
        queue_name: str | None = None,
        task: str | None = None,
    ) -> Deleted:
        """Delete finished jobs by filter (never unfinished ones)."""
        deleted = await queue.purge(statuses=status, queue=queue_name, task=task)
        chosen = {"status": [s.value for s in status], "queue": queue_name, "type": task}
        await audit(Action.JOBS_PURGE, target=chosen, affected=deleted)
        return Deleted(deleted=deleted)


#: The audit trail's action for each bulk action (one record names all its jobs).
_BULK_ACTIONS = {
    "retry": Action.JOB_RETRY,
    "cancel": Action.JOB_CANCEL,
    "delete": Action.JOB_DELETE,
}


def _bulk_routes(router: APIRouter, state: ApiState) -> None:
    admin = state.queue.admin

    @router.post(
        "/v1/jobs/bulk",
        response_model=BulkOut,
        tags=["jobs"],
        responses=error_responses(400, *KEYED, 413),
    )
    async def bulk(body: BulkIn, caller: WriteKey, audit: Audit) -> BulkOut:
        """Retry, cancel or delete up to 1000 jobs: each job whose status allows it (as
        for one job), the others skipped with the reason ("not found" for an unknown id).
        ``delete`` needs the admin scope."""
        if body.action == "delete":
            caller.require("admin")
        result = await admin.bulk(body.action, body.ids)
        if result.done:
            await audit(_BULK_ACTIONS[body.action], job_ids=result.done)
        return BulkOut.of(result)
