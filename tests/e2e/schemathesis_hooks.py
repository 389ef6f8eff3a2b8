"""Hooks of the schemathesis run in test_api_schema.py (loaded through SCHEMATHESIS_HOOKS).

``run_at`` may be at most ``Limits.max_delay_seconds`` ahead of the moment of the request:
a bound that moves with the clock, which a schema cannot state (the field's description
does). Generated times beyond it are moved inside it, so the checks judge everything else
about the request; the API tests check the bound itself.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import schemathesis

from equeue.job import DEFAULT_LIMITS

_HORIZON = timedelta(seconds=DEFAULT_LIMITS.max_delay_seconds)
# RFC 3339 date-time, the schema's format: anything else is left for the checks to judge.
_DATE_TIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})", re.ASCII
)


def _within_horizon(job: Any) -> None:
    run_at = job.get("run_at") if isinstance(job, dict) else None
    if not isinstance(run_at, str) or not _DATE_TIME.fullmatch(run_at):
        return
    try:
        moment = datetime.fromisoformat(run_at)
    except ValueError:
        return
    now = datetime.now(UTC)
    if moment > now + _HORIZON - timedelta(days=1):
        job["run_at"] = (now + timedelta(days=1)).isoformat()


@schemathesis.hook
def map_body(_context: Any, body: Any) -> Any:
    jobs = body.get("jobs") if isinstance(body, dict) else None
    for job in jobs if isinstance(jobs, list) else [body]:
        _within_horizon(job)
    return body


@schemathesis.hook
def map_query(_context: Any, query: Any) -> Any:
    """``GET /v1/audit`` refuses ``since`` later than ``until`` (422), a relation between
    two parameters that a schema cannot state: generated pairs are put in order."""
    if not isinstance(query, dict):
        return query
    since, until = query.get("since"), query.get("until")
    if not all(isinstance(v, str) and _DATE_TIME.fullmatch(v) for v in (since, until)):
        return query
    try:
        early, late = datetime.fromisoformat(since), datetime.fromisoformat(until)
    except ValueError:
        return query
    if early > late:
        query["since"], query["until"] = until, since
    return query
