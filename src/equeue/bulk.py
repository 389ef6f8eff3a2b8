"""Actions on many jobs at once (the dashboard's selections): retry, cancel or delete.

Each job is checked against its own status, as the one-job actions of
:class:`~equeue.queue.Queue` check it, in one statement for the whole selection; a job in
the wrong status is skipped with the reason, never failing the others.
"""

from __future__ import annotations

import uuid
from collections import Counter
from typing import Any, Literal

from equeue.records import BulkResult
from equeue.storage import Storage
from equeue.storage.api import ApiStorage

Action = Literal["retry", "cancel", "delete"]
#: Most jobs one action takes.
MAX_BULK_IDS = 1000
NOT_FOUND = "not found"
_COUNTER = float("inf")  # where plain counters are kept in job_stats


async def bulk_action(storage: Storage, action: Action, ids: list[uuid.UUID]) -> BulkResult:
    """Do ``action`` to each job of ``ids`` that its status allows; the others are skipped
    with a reason. Repeated ids count once."""
    distinct = list(dict.fromkeys(ids))
    if not distinct:
        return BulkResult(done=[], skipped=[])
    if len(distinct) > MAX_BULK_IDS:
        raise ValueError(f"at most {MAX_BULK_IDS} jobs at once, not {len(distinct)}")
    rows = await ApiStorage(storage).bulk_jobs(action, distinct)
    if action == "cancel":
        await _count_cancelled(storage, rows)
    done: list[uuid.UUID] = []
    skipped: list[tuple[uuid.UUID, str]] = []
    for row in rows:
        if _was_done(action, row):
            done.append(row["id"])
        else:
            skipped.append((row["id"], skip_reason(action, row["was"])))
    return BulkResult(done=done, skipped=skipped)


def _was_done(action: Action, row: dict[str, Any]) -> bool:
    if action == "cancel":
        return bool(row["cancelled"] or row["flagged"])
    return bool(row["done"])


#: The statuses each action starts from.
_ALLOWED: dict[str, frozenset[str]] = {
    "retry": frozenset({"failed", "cancelled"}),
    "cancel": frozenset({"scheduled", "queued", "retrying", "running"}),
    "delete": frozenset({"scheduled", "queued", "retrying", "succeeded", "failed", "cancelled"}),
}


def skip_reason(action: Action, status: str | None) -> str:
    """Why ``action`` was not done to a job that had ``status`` (None: no such job)."""
    if status is None:
        return NOT_FOUND
    if status in _ALLOWED[action]:
        # The job changed status between the statement's snapshot and its update (a
        # worker claimed or finished it): what it is now is not known here.
        return f"its status changed from {status} meanwhile: try again"
    if action == "retry":
        return f"job is {status}: only failed or cancelled jobs can be retried"
    if action == "cancel":
        return f"job has already finished ({status})"
    return "job is running: cancel it first"


async def _count_cancelled(storage: Storage, rows: list[dict[str, Any]]) -> None:
    """Count the cancelled jobs with the outcomes workers count, as one cancel does."""
    cancelled = Counter((r["queue"], r["task"]) for r in rows if r["cancelled"])
    stats = [(q, t, "cancelled", _COUNTER, n, 0.0) for (q, t), n in sorted(cancelled.items())]
    await storage.add_job_stats(stats, shard=0)
