"""The API's inputs and outputs as pydantic models and parameter types: the OpenAPI schema.

Every bound a request is checked against is declared here, so the schema says what the
server refuses. The bounds are the engine's own (:class:`equeue.job.Limits`, the name
and text patterns of :mod:`equeue.job`, the scopes of :mod:`equeue.api.keys`) and the
API's settings; :func:`bounded_inputs` builds the models of one router from them. The
engine checks them again for every enqueue path, with the same rules.

One module per group of routes (jobs, queues, the fleet, keys, the audit trail, table
health), the bounded field types in :mod:`~equeue.api.models.fields`, the answers all
share in
:mod:`~equeue.api.models.common`; every name is importable from here.
"""

from __future__ import annotations

from equeue.api.models.audit import AuditOut, AuditPage
from equeue.api.models.bulk import BulkIn, BulkOut, Skipped
from equeue.api.models.common import ErrorDetail, ErrorOut, Health
from equeue.api.models.fields import Payload
from equeue.api.models.fleet import TaskList, TaskOut, WorkerList, WorkerOut
from equeue.api.models.health import TablesHealth
from equeue.api.models.inputs import BoundedInputs, bounded_inputs
from equeue.api.models.insight import DeadLetterGroupOut, DeadLetters, Series, SeriesPoint
from equeue.api.models.jobs import (
    DEFAULT_LIST_FIELDS,
    FIELD_DETAILS,
    AttemptOut,
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
    batch_model,
    chosen_fields,
    job_model,
)
from equeue.api.models.keys import EventToken, KeyCreated, KeyIn, KeyList, KeyOut, Scope
from equeue.api.models.queues import QueueList, QueueOut, QueueState, Replayed
from equeue.api.models.schedules import ScheduleChange, ScheduleIn, ScheduleList, ScheduleOut
from equeue.api.models.session import Me, SignedIn, SignInIn
from equeue.api.models.work import (
    Claimed,
    CompleteIn,
    FailIn,
    HeartbeatIn,
    HeartbeatOut,
    LeasedJobOut,
    Reported,
)

__all__ = [
    "DEFAULT_LIST_FIELDS",
    "FIELD_DETAILS",
    "AttemptOut",
    "AuditOut",
    "AuditPage",
    "BoundedInputs",
    "BulkIn",
    "BulkOut",
    "Claimed",
    "CompleteIn",
    "DeadLetterGroupOut",
    "DeadLetters",
    "Deleted",
    "EnqueuedJob",
    "ErrorDetail",
    "ErrorOut",
    "EventToken",
    "FailIn",
    "FinishedStatus",
    "Health",
    "HeartbeatIn",
    "HeartbeatOut",
    "JobBatchIn",
    "JobBatchOut",
    "JobDetail",
    "JobIn",
    "JobListItem",
    "JobOut",
    "JobPage",
    "KeyCreated",
    "KeyIn",
    "KeyList",
    "KeyOut",
    "LeasedJobOut",
    "ListFields",
    "Me",
    "Payload",
    "QueueList",
    "QueueOut",
    "QueueState",
    "Replayed",
    "Reported",
    "ScheduleChange",
    "ScheduleIn",
    "ScheduleList",
    "ScheduleOut",
    "Scope",
    "Series",
    "SeriesPoint",
    "SignInIn",
    "SignedIn",
    "Skipped",
    "TablesHealth",
    "TaskList",
    "TaskOut",
    "WorkerList",
    "WorkerOut",
    "batch_model",
    "bounded_inputs",
    "chosen_fields",
    "job_model",
]
