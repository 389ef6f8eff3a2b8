"""The API's inputs and outputs as pydantic models and parameter types: the OpenAPI schema.

Every bound a request is checked against is declared here, so the schema says what the
server refuses. The bounds are the engine's own (:class:`equeue.job.Limits`, the name
and text patterns of :mod:`equeue.job`, the scopes of :mod:`equeue.api.keys`) and the
API's settings; :func:`bounded_inputs` builds the models of one router from them. The
engine checks them again for every enqueue path, with the same rules.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import Header, Path, Query
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetPydanticSchema,
    Strict,
    StringConstraints,
    WithJsonSchema,
    create_model,
)
from pydantic_core import core_schema

from equeue.api.keys import SCOPES, normalise_scopes
from equeue.api.settings import ApiSettings
from equeue.job import (
    FINISHED,
    NAME_PATTERN,
    PRIORITY_MAX,
    PRIORITY_MIN,
    TEXT_PATTERN,
    Job,
    JobStatus,
    Limits,
)
from equeue.records import KeyInfo, QueueStats

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


def _payload_schema() -> core_schema.CoreSchema:
    """A JSON object whose texts, its keys included, at any depth, jsonb can store (no NUL
    character): the rule :func:`equeue.job.encode_payload` enforces, as a schema."""
    text = core_schema.definition_reference_schema("PayloadText")
    value = core_schema.definition_reference_schema("PayloadValue")
    return core_schema.definitions_schema(
        core_schema.dict_schema(text, value),
        [
            core_schema.str_schema(pattern=TEXT_PATTERN, ref="PayloadText"),
            core_schema.nullable_schema(
                core_schema.union_schema(
                    [
                        core_schema.bool_schema(),
                        core_schema.int_schema(),
                        core_schema.float_schema(),
                        text,
                        core_schema.list_schema(value),
                        core_schema.dict_schema(text, value),
                    ]
                ),
                ref="PayloadValue",
            ),
        ],
    )


_PAYLOAD_SCHEMA = _payload_schema()
#: A payload: validated as a plain dict (the engine checks its JSON text in one pass, far
#: cheaper than walking it here), declared in the schema with the rule that check enforces.
Payload = Annotated[
    dict[str, Any],
    GetPydanticSchema(get_pydantic_json_schema=lambda _schema, handler: handler(_PAYLOAD_SCHEMA)),
]


class ErrorDetail(BaseModel):
    code: str = Field(description="stable, for programs: not_found, conflict, invalid...")
    message: str = Field(description="for people: what is wrong")


class ErrorOut(BaseModel):
    """Every error answer."""

    error: ErrorDetail


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


def _name(limits: Limits) -> Any:
    return Annotated[
        str,
        StringConstraints(min_length=1, max_length=limits.max_name_length, pattern=NAME_PATTERN),
    ]


def _text(max_length: int) -> Any:
    return Annotated[
        str, StringConstraints(min_length=1, max_length=max_length, pattern=TEXT_PATTERN)
    ]


def _as_int_when_whole(value: object) -> object:
    # JSON Schema counts 5.0 as an integer; strict validation alone would refuse it.
    if type(value) is float and value.is_integer():
        return int(value)
    return value


def _whole(low: int, high: int) -> Any:
    """A JSON integer from ``low`` to ``high``: 5 or 5.0, never true or "5"."""
    return Annotated[int, Strict(), Field(ge=low, le=high), BeforeValidator(_as_int_when_whole)]


def _number(low: float, high: float) -> Any:
    """A JSON number from ``low`` to ``high``, never true or "5"."""
    return Annotated[float, Strict(), Field(ge=low, le=high)]


def job_model(limits: Limits) -> type[JobIn]:
    """:class:`JobIn` with the engine's bounds for a queue with ``limits``."""
    tags: Any = list[_text(limits.max_tag_length)] | None  # type: ignore[misc]
    days_ahead = f"{limits.max_delay_seconds / 86400:g}"
    return create_model(
        "JobIn",
        __base__=JobIn,
        __doc__=JobIn.__doc__,
        type=(_name(limits), Field(description="the task name")),
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
        queue=(_name(limits) | None, None),
        priority=(
            _whole(PRIORITY_MIN, PRIORITY_MAX) | None,
            Field(default=None, description="higher runs first"),
        ),
        delay=(
            _number(0, limits.max_delay_seconds) | None,
            Field(default=None, description="seconds to wait before running; not with run_at"),
        ),
        run_at=(
            AwareDatetime | None,
            Field(
                default=None,
                description=f"when to run, at most {days_ahead} days ahead; not with delay",
            ),
        ),
        max_attempts=(_whole(1, limits.max_attempts_limit) | None, None),
        timeout=(
            _number(0.001, limits.max_timeout_seconds) | None,
            Field(default=None, description="seconds; null for none"),
        ),
        dedupe_key=(
            _text(limits.max_dedupe_key_length) | None,
            Field(
                default=None, description="an unfinished job holding this key is returned instead"
            ),
        ),
        tags=(tags, Field(default=None, max_length=limits.max_tags)),
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


@dataclass(frozen=True, slots=True)
class BoundedInputs:
    """The request models and parameter types of one router, bounded by its queue's
    limits and its settings."""

    job: type[JobIn]
    batch: type[JobBatchIn]
    queue_name: Any  #: a queue name in the path
    queue_filter: Any  #: ``?queue=``
    task_filter: Any  #: ``?type=``
    tag_filter: Any  #: ``?tag=``
    page_limit: Any  #: ``?limit=`` of a page of jobs
    idempotency_key: Any  #: the ``Idempotency-Key`` header


def bounded_inputs(limits: Limits, settings: ApiSettings) -> BoundedInputs:
    """The inputs of a router serving a queue with ``limits`` under ``settings``."""
    job = job_model(limits)
    name: dict[str, Any] = {
        "min_length": 1,
        "max_length": limits.max_name_length,
        "pattern": NAME_PATTERN,
    }
    return BoundedInputs(
        job=job,
        batch=batch_model(job, settings.max_batch_size),
        queue_name=Annotated[str, Path(description="the queue's name", **name)],
        queue_filter=Annotated[str | None, Query(alias="queue", **name)],
        task_filter=Annotated[str | None, Query(alias="type", **name)],
        tag_filter=Annotated[
            str | None,
            Query(min_length=1, max_length=limits.max_tag_length, pattern=TEXT_PATTERN),
        ],
        page_limit=Annotated[int, Query(ge=1, le=settings.max_page_size)],
        idempotency_key=Annotated[
            str | None,
            Header(
                min_length=1,
                max_length=limits.max_dedupe_key_length,
                description="the dedupe key, when the body has none",
            ),
        ],
    )


class AttemptOut(BaseModel):
    number: int
    worker: str | None
    started_at: datetime | None
    finished_at: datetime | None
    outcome: str
    error: str | None


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

    @classmethod
    def of(cls, job: Job) -> JobDetail:
        history = [
            AttemptOut(
                number=a.number,
                worker=a.worker,
                started_at=a.started_at,
                finished_at=a.finished_at,
                outcome=a.outcome,
                error=a.error,
            )
            for a in job.history
        ]
        return cls(**cls.fields_of(job), attempt_history=history)


class JobPage(BaseModel):
    items: list[JobOut]
    next_cursor: str | None


class JobBatchOut(BaseModel):
    items: list[EnqueuedJob]


class Deleted(BaseModel):
    deleted: int


class Replayed(BaseModel):
    replayed: int


class QueueOut(BaseModel):
    name: str
    paused: bool
    counts: dict[str, int]
    oldest_queued_age_seconds: float | None = Field(
        description="age of the oldest job waiting to run, null when none waits"
    )
    completed_per_second: float = Field(description="jobs succeeded per second, last minute")
    failed_per_second: float = Field(description="jobs failed per second, last minute")

    @classmethod
    def of(cls, stats: QueueStats, window: float) -> QueueOut:
        return cls(
            name=stats.name,
            paused=stats.paused,
            counts={s.value: stats.counts.get(s.value, 0) for s in JobStatus},
            oldest_queued_age_seconds=stats.oldest_queued_age,
            completed_per_second=stats.succeeded_recent / window,
            failed_per_second=stats.failed_recent / window,
        )


class QueueList(BaseModel):
    items: list[QueueOut]


class QueueState(BaseModel):
    name: str
    paused: bool


class WorkerOut(BaseModel):
    id: str
    host: str
    pid: int
    queues: list[str] | None
    concurrency: int
    running: int
    #: threads still running plain task functions whose jobs timed out or were cancelled
    abandoned_threads: int = 0
    #: more abandoned threads than ``concurrency``: only async tasks' jobs are claimed
    sync_claims_paused: bool = False
    started_at: datetime
    last_heartbeat: datetime


class WorkerList(BaseModel):
    items: list[WorkerOut]


class TaskOut(BaseModel):
    name: str
    queue: str
    priority: int
    max_attempts: int
    timeout: float | None
    last_seen: datetime


class TaskList(BaseModel):
    items: list[TaskOut]


class EventToken(BaseModel):
    token: str
    expires_at: datetime


def _known_scope(scope: str) -> str:
    normalise_scopes([scope])  # raises ValueError naming the scopes there are
    return scope


#: A scope a key may be given.
Scope = Annotated[
    str, AfterValidator(_known_scope), WithJsonSchema({"type": "string", "enum": list(SCOPES)})
]


class KeyIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"scopes": ["read"], "name": "grafana"}]}
    )

    scopes: list[Scope] = Field(min_length=1)
    name: str | None = Field(default=None, max_length=200, pattern=TEXT_PATTERN)


class KeyOut(BaseModel):
    id: str
    name: str | None
    scopes: list[str]
    created_at: datetime
    revoked_at: datetime | None

    @classmethod
    def of(cls, info: KeyInfo) -> KeyOut:
        return cls(
            id=info.id,
            name=info.name,
            scopes=info.scopes,
            created_at=info.created_at,
            revoked_at=info.revoked_at,
        )


class KeyCreated(KeyOut):
    key: str = Field(description="the key itself: shown this once, never stored")


class KeyList(BaseModel):
    items: list[KeyOut]


class Health(BaseModel):
    status: str
