"""Jobs: the state model (:mod:`~equeue.job.states`), their ids (:mod:`~equeue.job.ids`)
and the checks of a new job (:mod:`~equeue.job.validation`), all importable from here."""

from __future__ import annotations

from equeue.job.ids import uuid7, uuid7_many
from equeue.job.progress import MAX_PROGRESS_MESSAGE, check_progress
from equeue.job.states import (
    DETAILS,
    FINISHED,
    INITIAL,
    TRANSITIONS,
    WAITING,
    Attempt,
    Event,
    Job,
    JobStatus,
    Progress,
    can_transition,
)
from equeue.job.validation import (
    DEFAULT_LIMITS,
    NAME_PATTERN,
    PRIORITY_MAX,
    PRIORITY_MIN,
    TEXT_PATTERN,
    Limits,
    NewJob,
    chosen_details,
    encode_json,
    encode_payload,
    new_job,
    new_job_like,
)

__all__ = [
    "DEFAULT_LIMITS",
    "DETAILS",
    "FINISHED",
    "INITIAL",
    "MAX_PROGRESS_MESSAGE",
    "NAME_PATTERN",
    "PRIORITY_MAX",
    "PRIORITY_MIN",
    "TEXT_PATTERN",
    "TRANSITIONS",
    "WAITING",
    "Attempt",
    "Event",
    "Job",
    "JobStatus",
    "Limits",
    "NewJob",
    "Progress",
    "can_transition",
    "check_progress",
    "chosen_details",
    "encode_json",
    "encode_payload",
    "new_job",
    "new_job_like",
    "uuid7",
    "uuid7_many",
]
