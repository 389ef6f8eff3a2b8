"""Workers over HTTP: claim jobs with a lease, renew it, and report how each job ended.

Every report is fenced by the lease token exactly as the engine's own workers' are: a
worker whose lease lapsed (and whose job another claim took) gets 409, and its report
changes nothing. The ``work`` scope allows these routes and nothing else.
"""

from __future__ import annotations

import time
import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from equeue.api.errors import ApiError, error_responses
from equeue.api.models import (
    Claimed,
    CompleteIn,
    FailIn,
    HeartbeatIn,
    HeartbeatOut,
    LeasedJobOut,
    Reported,
)
from equeue.api.models.work import (
    LEASE_MAX_SECONDS,
    LEASE_MIN_SECONDS,
    MAX_CLAIM,
    WORKER_ID_MAX_LENGTH,
    WORKER_ID_PATTERN,
)
from equeue.api.routing import KEYED, ApiState, WorkKey, annotate
from equeue.api.wakeups import claim_wakeups, wait_briefly
from equeue.errors import JobNotFoundError
from equeue.job import Job, JobStatus
from equeue.records import LeasedJob

JobId = Annotated[uuid.UUID, Path(description="the job's id")]
WorkerId = Annotated[
    str,
    Query(
        min_length=1,
        max_length=WORKER_ID_MAX_LENGTH,
        pattern=WORKER_ID_PATTERN,
        description="the worker's id, chosen by the worker: it is listed under it",
    ),
]
#: Statuses of the reports on a leased job, besides success: 404 is a path whose id is
#: no job id at all; a job that is not running under the token, whatever its id, is 409.
_LEASED = (400, *KEYED, 404, 409, 413)


def _worker_name(worker: str) -> str:
    # Prefixed, so that no worker over HTTP can take a worker process's id.
    return f"http:{worker}"


def refusal_reason(job: Job | None, token: uuid.UUID) -> str:
    """Why a report under ``token`` was refused, from the job's attempt history (each
    attempt keeps the token it ran under)."""
    if job is None:
        return "there is no such job (it was deleted, or pruned after it finished)"
    now = f"the job is {job.status.value} now"
    if job.status is JobStatus.RUNNING:
        now = f"the job is running as attempt {job.attempts}, under another lease"
    for attempt in job.history:
        if attempt.lease_token == token:
            ended = attempt.finished_at.isoformat() if attempt.finished_at else "?"
            return (
                f"its attempt {attempt.number} under this token ended {attempt.outcome} "
                f"at {ended}; {now}"
            )
    return f"no attempt of the job ran under this token; {now}"


def _host(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def add_routes(router: APIRouter, state: ApiState) -> None:
    """The routes of workers over HTTP, on ``router``."""
    admin, inputs = state.queue.admin, state.inputs

    async def lease_lost(job_id: uuid.UUID, token: uuid.UUID) -> ApiError:
        # Only refusals pay for this read: it tells the worker which of its attempts the
        # token belonged to, and how that attempt ended.
        try:
            job: Job | None = await state.queue.get_job(job_id)
        except JobNotFoundError:
            job = None
        why = refusal_reason(job, token)
        return ApiError(
            409, "lease_lost", f"job {job_id} is not running under this lease token: {why}"
        )

    wait_seconds = Annotated[
        float,
        Query(
            ge=0,
            le=state.settings.claim_max_wait_seconds,
            description="seconds to wait for a job while the queue has none runnable",
        ),
    ]

    @router.post(
        "/v1/queues/{name}/claim",
        response_model=Claimed,
        tags=["work"],
        responses=error_responses(*KEYED, 413, 503),
    )
    @annotate(name=inputs.queue_name, wait=wait_seconds)
    async def claim(
        request: Request,
        name: str,
        worker: WorkerId,
        _: WorkKey,
        limit: Annotated[int, Query(ge=1, le=MAX_CLAIM, description="most jobs to take")] = 1,
        lease: Annotated[
            float,
            Query(
                ge=LEASE_MIN_SECONDS,
                le=LEASE_MAX_SECONDS,
                description="seconds each job's lease lasts unless renewed",
            ),
        ] = 30.0,
        wait: float = 0.0,
    ) -> Claimed:
        """Claim up to ``limit`` runnable jobs of this queue, highest priority then oldest
        first, each under a lease of ``lease`` seconds with a token of its own. While the
        queue has none, wait up to ``wait`` seconds for one (woken when a job arrives);
        an empty list when none came."""
        worker_id, host = _worker_name(worker), _host(request)
        if wait > 0:
            jobs = await _claim_waiting(worker_id, host, name, limit, lease, wait)
        else:
            jobs = await admin.claim_jobs(worker_id, host, name, limit, lease)
        return Claimed(items=[LeasedJobOut.of(job, lease) for job in jobs])

    async def _claim_waiting(
        worker_id: str, host: str, name: str, limit: int, lease: float, wait: float
    ) -> list[LeasedJob]:
        wakeups = claim_wakeups(state.queue)
        await wakeups.start()
        deadline = time.monotonic() + wait
        # Watching before the first claim: a job that arrives after it wakes the wait.
        with wakeups.watching(name) as woken:
            while True:
                woken.clear()
                jobs = await admin.claim_jobs(worker_id, host, name, limit, lease)
                left = deadline - time.monotonic()
                if jobs or left <= 0:
                    return jobs
                await wait_briefly(woken, left)

    @router.post(
        "/v1/jobs/{job_id:uuid}/heartbeat",
        response_model=HeartbeatOut,
        tags=["work"],
        responses=error_responses(*_LEASED),
    )
    async def heartbeat(
        request: Request, job_id: JobId, body: HeartbeatIn, worker: WorkerId, _: WorkKey
    ) -> HeartbeatOut:
        """Extend a job's lease to ``lease`` seconds from now, and learn whether its cancel
        was requested; with ``progress``, store it on the job. 409 when the lease is lost:
        stop the job, report nothing."""
        cancel = await admin.renew_lease(
            _worker_name(worker), _host(request), job_id, body.token, body.lease
        )
        if cancel is None:
            raise await lease_lost(job_id, body.token)
        if body.progress is not None:
            await admin.write_progress(job_id, body.token, body.progress, body.message)
        return HeartbeatOut(id=job_id, lease_seconds=body.lease, cancel_requested=cancel)

    @router.post(
        "/v1/jobs/{job_id:uuid}/complete",
        response_model=Reported,
        tags=["work"],
        responses=error_responses(*_LEASED),
    )
    async def complete(job_id: JobId, body: CompleteIn, _: WorkKey) -> Reported:
        """Record a job's success, with its ``result``. 409 (and nothing changed) when
        the lease is lost."""
        if not await admin.complete_job(job_id, body.token, body.result):
            raise await lease_lost(job_id, body.token)
        return Reported(id=job_id, status="succeeded")

    @router.post(
        "/v1/jobs/{job_id:uuid}/fail",
        response_model=Reported,
        tags=["work"],
        responses=error_responses(*_LEASED),
    )
    async def fail(job_id: JobId, body: FailIn, _: WorkKey) -> Reported:
        """Record a failed attempt: the job is retried after ``retry_delay`` seconds when
        attempts are left, and fails for good otherwise. 409 (and nothing changed) when
        the lease is lost."""
        status = await admin.fail_job(
            job_id, body.token, body.error, body.detail or body.error, body.retry_delay
        )
        if status is None:
            raise await lease_lost(job_id, body.token)
        return Reported(id=job_id, status=status)
