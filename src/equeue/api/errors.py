"""Every error answer of the API: ``{"error": {"code": "...", "message": "..."}}``."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from equeue.api.models import ErrorOut
from equeue.errors import (
    DatabaseBusyError,
    DatabaseReadOnlyError,
    DatabaseUnavailableError,
    DatabaseValueError,
    EnqueueConflictError,
    IdempotencyKeyReusedError,
    IdempotentJobGoneError,
    InvalidJobError,
    JobNotFoundError,
    JobStateError,
    UnknownTaskError,
)

log = logging.getLogger("equeue.api")

_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "rate_limited",
    503: "unavailable",
}


#: What each error status means, as the OpenAPI schema describes it.
_MEANINGS = {
    400: "the body is not readable as JSON text",
    401: "no API key, or one that is not valid",
    403: "the API key lacks the scope",
    404: "no such job or key",
    409: "the job's status does not allow this",
    413: "the request body is larger than the limit",
    422: "invalid input: the message names the field and the rule",
    429: "rate limited: retry after Retry-After seconds",
    503: "the database is too busy, out of reach or accepts no writes now: retry after "
    "Retry-After seconds (from /readyz: not ready)",
}
_RETRY_AFTER = {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}}
#: Seconds a caller is asked to wait after a 503, by cause: a busy pool frees up in
#: moments; a database out of reach or refusing writes needs longer.
RETRY_BUSY_SECONDS = 1
RETRY_UNAVAILABLE_SECONDS = 5


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses`` of a route for the error answers it can give."""
    return {
        status: {
            "model": ErrorOut,
            "description": _MEANINGS[status],
            **({"headers": _RETRY_AFTER} if status in (429, 503) else {}),
        }
        for status in statuses
    }


def method_not_allowed(method: str, allowed: Sequence[str]) -> JSONResponse:
    """405 for a path that exists, with ``Allow`` listing every method it has."""
    listed = ", ".join(allowed)
    return error_response(
        405,
        "method_not_allowed",
        f"{method} is not allowed here; this path allows {listed}",
        {"Allow": listed},
    )


class ApiError(Exception):
    """An error answer with a status, a stable code and a message for people."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": code, "message": message}}, status_code=status, headers=headers
    )


def describe_validation(errors: Sequence[Any]) -> str:
    """One readable line per pydantic error: where, then what."""
    parts = []
    for error in errors:
        location = ".".join(str(p) for p in error.get("loc", ()) if p != "body") or "request"
        parts.append(f"{location}: {error.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


def response_for(exc: Exception) -> JSONResponse | None:
    """The answer for a known exception, or None to let it propagate."""
    if isinstance(exc, ApiError):
        return error_response(exc.status, exc.code, exc.message, exc.headers)
    if isinstance(exc, RequestValidationError):
        return error_response(422, "invalid", describe_validation(exc.errors()))
    if isinstance(exc, IdempotencyKeyReusedError):
        return error_response(422, "idempotency_key_reused", str(exc))
    if isinstance(exc, UnknownTaskError):
        return error_response(422, "unknown_task", str(exc))
    if isinstance(exc, InvalidJobError):
        return error_response(422, "invalid_job", str(exc))
    if isinstance(exc, JobNotFoundError):
        return error_response(404, "not_found", str(exc))
    if isinstance(exc, (JobStateError, EnqueueConflictError, IdempotentJobGoneError)):
        return error_response(409, "conflict", str(exc))
    if isinstance(exc, (DatabaseUnavailableError, DatabaseReadOnlyError)):
        return _database_refused(exc)
    if isinstance(exc, DatabaseValueError):
        # PostgreSQL refused a value (class 22, e.g. a NUL character in text): the
        # statement failed, so nothing was written.
        return error_response(422, "invalid", f"the database refused a value: {exc}")
    if isinstance(exc, StarletteHTTPException):
        code = _CODES.get(exc.status_code, "error")
        return error_response(exc.status_code, code, str(exc.detail), dict(exc.headers or {}))
    return None


def _database_refused(exc: DatabaseUnavailableError | DatabaseReadOnlyError) -> JSONResponse:
    """503 with Retry-After: the request could not be served now, and may be tried again.
    The database's own words go to the server log, not to the caller."""
    log.warning("answered 503: %s: %s", type(exc).__name__, exc)
    if isinstance(exc, DatabaseReadOnlyError):
        code, message = (
            "read_only",
            "the database accepts no writes right now (read-only or out of disk space); "
            "nothing was written",
        )
    elif isinstance(exc, DatabaseBusyError):
        code, message = "busy", "every database connection of this server is in use; "
        "nothing was written"
    else:
        code, message = (
            "unavailable",
            "the database is out of reach (whether a write sent before landed is unknown: "
            "repeat it with the same Idempotency-Key or dedupe_key)",
        )
    wait = RETRY_BUSY_SECONDS if isinstance(exc, DatabaseBusyError) else RETRY_UNAVAILABLE_SECONDS
    return error_response(503, code, f"{message}: retry after {wait}s", {"Retry-After": str(wait)})


async def http_exception_handler(_request: Request, exc: Exception) -> JSONResponse:
    """App-level handler (standalone server): 404 and 405 of unknown routes and the like."""
    response = response_for(exc)
    if response is None:  # pragma: no cover - registered for known types only
        raise exc
    return response


async def unexpected_error_handler(_request: Request, _exc: Exception) -> JSONResponse:
    return error_response(500, "internal", "internal error; the server log has the details")
