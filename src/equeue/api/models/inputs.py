"""The request models and parameter types of one router, bounded by its queue's limits and
its settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Header, Path, Query

from equeue.api.models.jobs import JobBatchIn, JobIn, batch_model, job_model
from equeue.api.settings import ApiSettings
from equeue.job import NAME_PATTERN, TEXT_PATTERN, Limits


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
    dedupe_key_filter: Any  #: ``?dedupe_key=``
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
        dedupe_key_filter=Annotated[
            str | None,
            Query(min_length=1, max_length=limits.max_dedupe_key_length, pattern=TEXT_PATTERN),
        ],
        idempotency_key=Annotated[
            str | None,
            Header(
                min_length=1,
                max_length=limits.max_dedupe_key_length,
                description="a key naming this request: a repeat of it returns the job "
                "its first instance created (kept for the jobs' retention)",
            ),
        ],
    )
