"""Jobs in and out: the job to enqueue (bounded by a queue's limits), a batch of them, and a
job as the API answers it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import Query
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    WithJsonSchema,
    create_model,
)

from equeue.api.models.fields import Payload, name_type, number_type, text_type, whole_type
from equeue.api.models.follow_ups import FollowUpIn, follow_up_model
from equeue.api.models.progress import ProgressOut
from equeue.job import FINISHED, PRIORITY_MAX, PRIORITY_MIN, Job, JobStatus, Limits

_JOB_EXAMPLE: dict[str, Any] = {
    "type": "text.reverse",
    "payload": {"text": "hello"},
    "queue": "default",
    "priority": 0,
    "delay": 0,
    "run_at": None,
    "max_attempts": 5,
    "timeout": 30,
    "dedupe_key": None,
    "tags": [],
}
#: ``delay`` and ``run_at`` together are refused (by the engine): in JSON Schema, "not
#: both given as values".
_DELAY_OR_RUN_AT: dict[str, Any] = {
    "not": {
        "required": ["delay", "run_at"],
        "properties": {"delay": {"type": "number"}, "run_at": {"type": "string"}},
    }
}


class JobIn(BaseModel):
    """A job to enqueue. Only ``type`` is required; the rest default to the task's."""

    # The shape only: a router validates with job_model()'s subclass, bounded by its limits.

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [_JOB_EXAMPLE], **_DELAY_OR_RUN_AT},
    )

    type: str
    payload: dict[str, Any] = Field(default_factory=dict)
    queue: str | None = None
    priority: int | None = None
    delay: float | None = None
    run_at: datetime | None = None
    max_attempts: int | None = None
    timeout: float | None = None
    dedupe_key: str | None = None
    tags: list[str] | None = None
    group: str | None = None
    on_success: FollowUpIn | None = None
    on_failure: FollowUpIn | None = None


def job_model(limits: Limits) -> type[JobIn]:
    """:class:`JobIn` with the engine's bounds for a queue with ``limits``."""
    tags: Any = list[text_type(limits.max_tag_length)] | None  # type: ignore[misc]
    follow_up: Any = follow_up_model(limits)
    days_ahead = f"{limits.max_delay_seconds / 86400:g}"
    return create_model(
        "JobIn",
        __base__=JobIn,
        __doc__=JobIn.__doc__,
        type=(name_type(limits), Field(description="the task name")),
        payload=(
            Payload,
            Field(
                default_factory=dict,
                description=(
                    "keyword arguments of the task: a JSON object of at most "
                    f"{limits.max_payload_bytes} bytes as JSON"
                ),
            ),
        ),
        queue=(name_type(limits) | None, None),
        priority=(
            whole_type(PRIORITY_MIN, PRIORITY_MAX) | None,
            Field(default=None, description="higher runs first"),
        ),
        delay=(
            number_type(0, limits.max_delay_seconds) | None,
            Field(default=None, description="seconds to wait before running; not with run_at"),
        ),
        run_at=(
            AwareDatetime | None,
            Field(
                default=None,
                description=f"when to run, at most {days_ahead} days ahead; not with delay",
            ),
        ),
        max_attempts=(whole_type(1, limits.max_attempts_limit) | None, None),
        timeout=(
            number_type(0.001, limits.max_timeout_seconds) | None,
            Field(default=None, description="seconds; null for none"),
        ),
        dedupe_key=(
            text_type(limits.max_dedupe_key_length) | None,
            Field(
                default=None, description="an unfinished job holding this key is returned instead"
            ),
        ),
        tags=(tags, Field(default=None, max_length=limits.max_tags)),
        group=(
            text_type(limits.max_dedupe_key_length) | None,
            Field(
                default=None,
                description="the job's group: a queue's group_concurrency limits how many "
                "jobs of one group run at once (docs/limits.md)",
            ),
        ),
        on_success=(
            follow_up | None,
            Field(default=None, description="enqueued when this job succeeds (docs/chains.md)"),
        ),
        on_failure=(
            follow_up | None,
            Field(default=None, description="enqueued when this job fails for good"),
        ),
    )


class JobBatchIn(BaseModel):
    """Jobs to enqueue together, all or nothing."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"jobs": [_JOB_EXAMPLE]}]}
    )

    jobs: list[JobIn]


def batch_model(job: type[JobIn], max_batch_size: int) -> type[JobBatchIn]:
    """:class:`JobBatchIn` of ``job`` models, at most ``max_batch_size`` of them."""
    return create_model(
        "JobBatchIn",
        __base__=JobBatchIn,
        __doc__=JobBatchIn.__doc__,
        jobs=(list[job], Field(max_length=max_batch_size)),  # type: ignore[valid-type]
    )


def _finished(status: JobStatus) -> JobStatus:
    if status not in FINISHED:
        raise ValueError(
            f"only finished jobs can be purged ({', '.join(_FINISHED_NAMES)}), not {status}"
        )
    return status


_FINISHED_NAMES = [s.value for s in JobStatus if s in FINISHED]
#: A status a purge may name.
FinishedStatus = Annotated[
    JobStatus,
    AfterValidator(_finished),
    WithJsonSchema({"type": "string", "enum": _FINISHED_NAMES}),
]


class AttemptOut(BaseModel):
    number: int
    worker: str | None
    started_at: datetime | None
    finished_at: datetime | None
    outcome: str
    error: str | None
    lease_token: uuid.UUID | None = Field(
        description="the lease the attempt ran under, dead since it ended: a worker's "
        "report refused with 409 names it"
    )


class JobOut(BaseModel):
    """A job."""

    id: uuid.UUID
    type: str
    payload: dict[str, Any]
    queue: str
    priority: int
    status: JobStatus
    attempts: int
    max_attempts: int
    created_at: datetime
    scheduled_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    last_error: str | None
    result: Any
    dedupe_key: str | None
    tags: list[str]
    cancel_requested: bool
    progress: ProgressOut | None = None
    group: str | None = None

    @classmethod
    def fields_of(cls, job: Job) -> dict[str, Any]:
        return {
            "id": job.id,
            "type": job.task,
            "payload": job.payload,
            "queue": job.queue,
            "priority": job.priority,
            "status": job.status,
            "attempts": job.attempts,
            "max_attempts": job.max_attempts,
            "created_at": job.created_at,
            "scheduled_at": job.run_at,
            "started_at": job.started_at,
            "finished_at": job.finished_at,
            "last_error": job.last_error,
            "result": job.result,
            "dedupe_key": job.dedupe_key,
            "tags": job.tags,
            "cancel_requested": job.cancel_requested,
            "progress": ProgressOut.fields_of(job.progress),
            "group": job.group,
        }

    @classmethod
    def of(cls, job: Job) -> JobOut:
        return cls(**cls.fields_of(job))


class EnqueuedJob(JobOut):
    """A job as enqueue answers it: ``deduplicated`` says it already existed."""

    deduplicated: bool

    @classmethod
    def of(cls, job: Job) -> EnqueuedJob:
        return cls(**cls.fields_of(job), deduplicated=job.deduplicated)


class JobDetail(JobOut):
    """A job with the history of its attempts."""

    attempt_history: list[AttemptOut]
    follow_ups: dict[str, Any] | None = Field(
        default=None, description="the on_success and on_failure specs of this job"
    )
    chord_id: uuid.UUID | None = Field(
        default=None, description="the chord this job is a member, or the callback, of"
    )
    parent_id: uuid.UUID | None = Field(
        default=None, description="the job whose outcome enqueued this one"
    )

    @classmethod
    def of(cls, job: Job) -> JobDetail:
        return cls(
            **cls.fields_of(job),
            attempt_history=_attempts(job),
            follow_ups=job.follow_ups,
            chord_id=job.chord_id,
            parent_id=job.parent_id,
        )


def _attempts(job: Job) -> list[AttemptOut]:
    return [
        AttemptOut(
            number=a.number,
            worker=a.worker,
            started_at=a.started_at,
            finished_at=a.finished_at,
            outcome=a.outcome,
            error=a.error,
            lease_token=a.lease_token,
        )
        for a in job.history
    ]


class JobListItem(BaseModel):
    """A job on a page: ``id``, and the fields ``fields`` chose (by default every field of
    a job but ``payload`` and ``result``, which can be large). A field not chosen is
    absent; one chosen is present, null only where a job's field is null."""

    id: uuid.UUID
    type: str | None = None
    payload: dict[str, Any] | None = None
    queue: str | None = None
    priority: int | None = None
    status: JobStatus | None = None
    attempts: int | None = None
    max_attempts: int | None = None
    created_at: datetime | None = None
    scheduled_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    last_error: str | None = None
    result: Any = None
    dedupe_key: str | None = None
    tags: list[str] | None = None
    cancel_requested: bool | None = None
    attempt_history: list[AttemptOut] | None = None
    progress: ProgressOut | None = None

    @classmethod
    def of(cls, job: Job, fields: frozenset[str]) -> JobListItem:
        chosen = {k: v for k, v in JobOut.fields_of(job).items() if k in fields}
        if "attempt_history" in fields:
            chosen["attempt_history"] = _attempts(job)
        chosen["id"] = job.id
        return cls(**chosen)


#: Every field a page can carry, and those it carries unless ``fields`` says otherwise.
LIST_FIELDS = tuple(JobListItem.model_fields)
DEFAULT_LIST_FIELDS = frozenset(JobOut.model_fields) - {"payload", "result"}
#: The large parts of a job each field needs read from the database.
FIELD_DETAILS = {"payload": "payload", "result": "result", "attempt_history": "history"}


def _known_fields(text: str | None) -> str | None:
    if text is None:
        return None
    unknown = sorted(set(text.split(",")) - set(LIST_FIELDS))
    if unknown:
        named = ", ".join(repr(name) for name in unknown)
        raise ValueError(
            f"unknown field(s) {named}: name fields of a job, comma-separated, from "
            + ", ".join(LIST_FIELDS)
        )
    return text


#: ``?fields=``: the fields of each job on a page, comma-separated. The schema's pattern
#: names every field, as the check does.
ListFields = Annotated[
    str | None,
    Query(
        description=(
            "the fields of each job, comma-separated (id is always there); by default "
            "every field of a job but payload and result, which can be large"
        ),
    ),
    AfterValidator(_known_fields),
    WithJsonSchema({"type": "string", "pattern": "^({0})(,({0}))*$".format("|".join(LIST_FIELDS))}),
]


def chosen_fields(fields: str | None) -> frozenset[str]:
    """The fields ``?fields=`` names (checked already: known names only)."""
    return DEFAULT_LIST_FIELDS if fields is None else frozenset(fields.split(","))


class JobPage(BaseModel):
    items: list[JobListItem]
    next_cursor: str | None


class JobBatchOut(BaseModel):
    items: list[EnqueuedJob]


class Deleted(BaseModel):
    deleted: int
