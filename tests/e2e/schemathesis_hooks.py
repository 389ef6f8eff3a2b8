"""Hooks of the schemathesis run in test_api_schema.py (loaded through SCHEMATHESIS_HOOKS).

``run_at`` may be at most ``Limits.max_delay_seconds`` ahead of the moment of the request:
a bound that moves with the clock, which a schema cannot state (the field's description
does). Generated times beyond it are moved inside it, so the checks judge everything else
about the request; the API tests check the bound itself.

A schedule's ``cron`` and ``timezone`` must be an expression croniter reads and a zone
zoneinfo knows, which no pattern states: generated ones that are not are replaced by
valid ones, and a generated payload's ``tick`` key (which every tick sets) is dropped.
The API tests check those refusals themselves.

Two more rules tie a request to others, which a schema cannot state either: an
``Idempotency-Key`` names one request, and another request under it is refused (422), so
each generated key is made unique; ``since`` may not be later than ``until`` in the audit
trail's filters, so such a pair is put in order. The API tests check both rules.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import schemathesis

from equeue.job import DEFAULT_LIMITS
from equeue.periodic import InvalidScheduleError, parse_cron, zone

_HORIZON = timedelta(seconds=DEFAULT_LIMITS.max_delay_seconds)
_LONGEST_KEY = DEFAULT_LIMITS.max_dedupe_key_length
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


#: A schedule's free-text fields, with the bounds of their schema: a value outside them is
#: the generator's deliberate mistake, left for the checks to judge.
_SCHEDULE_TEXTS = (("cron", parse_cron, "*/5 * * * *", 200), ("timezone", zone, "UTC", 100))


def _valid_schedule(body: dict[str, Any]) -> None:
    for key, check, valid, longest in _SCHEDULE_TEXTS:
        value = body.get(key)
        if isinstance(value, str) and 0 < len(value) <= longest:
            try:
                check(value)
            except InvalidScheduleError:
                body[key] = valid
    if isinstance(body.get("payload"), dict):
        body["payload"].pop("tick", None)


@schemathesis.hook
def map_body(_context: Any, body: Any) -> Any:
    jobs = body.get("jobs") if isinstance(body, dict) else None
    for job in jobs if isinstance(jobs, list) else [body]:
        _within_horizon(job)
    return body


@schemathesis.hook
def before_call(_context: Any, case: Any, **_kwargs: Any) -> None:
    """Every phase's requests, the coverage phase's included (it maps no headers and no
    bodies: map_body is for generated data only)."""
    if case.operation.path.startswith("/v1/schedules") and isinstance(case.body, dict):
        _valid_schedule(case.body)
    _unique_idempotency_key(case)


def _unique_idempotency_key(case: Any) -> None:
    headers = case.headers
    if headers is not None:
        for name in [n for n in list(headers.keys()) if n.lower() == "idempotency-key"]:
            key, unique = headers[name], uuid.uuid4().hex
            if isinstance(key, str) and key:
                # As long as the generated key, within the schema's bound: its tail is new.
                kept = key if len(key) + len(unique) <= _LONGEST_KEY else key[: -len(unique)]
                headers[name] = (kept + unique)[: max(len(key), len(unique))]


def _moment(value: Any) -> datetime | None:
    if not isinstance(value, str) or not _DATE_TIME.fullmatch(value):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


@schemathesis.hook
def map_query(_context: Any, query: Any) -> Any:
    """``since`` may not be later than ``until`` (``GET /v1/audit``): a relation between two
    parameters, which a schema cannot state either. A reversed pair is put in order; the
    audit tests check the refusal itself."""
    if isinstance(query, dict):
        since, until = _moment(query.get("since")), _moment(query.get("until"))
        if since is not None and until is not None and since > until:
            query["since"], query["until"] = query["until"], query["since"]
    return query
