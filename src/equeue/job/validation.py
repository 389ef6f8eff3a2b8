"""What an enqueue may ask for: bounds, names, payloads, times, checked in Python before
anything is sent to the database (:func:`new_job`)."""

from __future__ import annotations

import json
import math
import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from equeue.errors import InvalidJobError
from equeue.job.ids import uuid7
from equeue.job.states import DETAILS

PRIORITY_MIN, PRIORITY_MAX = -100, 100
# An escaped NUL in JSON text: \u0000 after an even number of backslashes.
_JSON_NUL = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")
#: What a task or queue name may hold. A regular expression that Python, JSON Schema
#: (ECMA-262) and pydantic read alike; whole strings are matched against it (a Python
#: ``$`` alone would let a trailing newline through).
NAME_PATTERN = r"^[A-Za-z0-9_.:-]+$"
#: Text PostgreSQL can store: no NUL character (tags, dedupe keys).
TEXT_PATTERN = r"^[^\u0000]*$"
_NAME = re.compile(NAME_PATTERN)
_TEXT = re.compile(TEXT_PATTERN)


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on what one job may carry; every enqueue path (Python, REST) checks them."""

    max_payload_bytes: int = 1024 * 1024
    max_tags: int = 20
    max_tag_length: int = 64
    max_name_length: int = 200
    max_dedupe_key_length: int = 255
    max_delay_seconds: float = 366 * 86400.0
    max_timeout_seconds: float = 7 * 86400.0
    max_attempts_limit: int = 1000


DEFAULT_LIMITS = Limits()


# Not frozen: a frozen dataclass pays a setattr call per field, and a batch builds
# thousands of these. Treat it as immutable all the same.
@dataclass(slots=True)
class NewJob:
    """A validated enqueue request, ready for the insert statement."""

    id: uuid.UUID
    task: str
    queue: str
    payload: dict[str, Any]
    payload_json: str
    priority: int
    max_attempts: int
    timeout: float | None
    delay: float | None
    run_at: datetime | None
    dedupe_key: str | None
    tags: list[str]
    #: The group whose running jobs a queue's group_concurrency counts (docs/limits.md).
    group: str | None = None


# One encoder for all: json.dumps with options builds a new encoder per call.
_ENCODER = json.JSONEncoder(allow_nan=False, ensure_ascii=False, separators=(",", ":"))


def _make_fast_encoder() -> Callable[[object], str]:
    """The same encoder without its per-call set-up: ``JSONEncoder.encode`` builds a fresh
    C encoder on every call, which costs more than encoding a small payload.

    Without the circular-reference markers, a structure that contains itself ends in
    RecursionError instead of ValueError; callers catch both.
    """
    make = json.encoder.c_make_encoder  # type: ignore[attr-defined]
    if make is None:  # a Python without the C accelerator
        return _ENCODER.encode
    encoder = make(
        None,  # no markers: see above
        _ENCODER.default,
        json.encoder.encode_basestring,  # ensure_ascii=False
        None,  # no indent
        ":",
        ",",
        False,  # sort_keys
        False,  # skipkeys
        False,  # allow_nan
    )
    join = "".join
    return lambda value: join(encoder(value, 0))


_to_json = _make_fast_encoder()
# Names seen valid before: enqueue checks the same few task and queue names over and over.
_VALID_NAMES: set[str] = set()


def _check_name(kind: str, value: object, limits: Limits) -> str:
    if type(value) is str and value in _VALID_NAMES and len(value) <= limits.max_name_length:
        return value
    if not isinstance(value, str) or not value:
        raise InvalidJobError(f"{kind} must be a non-empty string")
    if len(value) > limits.max_name_length:
        raise InvalidJobError(f"{kind} is longer than {limits.max_name_length} characters")
    if not _NAME.fullmatch(value):
        raise InvalidJobError(
            f"{kind} {value!r} may hold only letters, digits and the characters _ . : -"
        )
    if len(_VALID_NAMES) < 10_000:
        _VALID_NAMES.add(value)
    return value


def _check_number(
    kind: str, value: object, low: float, high: float, *, integer: bool = False
) -> float:
    if type(value) is int and low <= value <= high:  # the common case, checked first
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidJobError(f"{kind} must be a number")
    if integer and not float(value).is_integer():
        raise InvalidJobError(f"{kind} must be a whole number")
    if not math.isfinite(value) or not low <= value <= high:
        raise InvalidJobError(f"{kind} must be between {low:g} and {high:g}, got {value!r}")
    return value


def encode_json(value: object) -> str:
    """JSON text PostgreSQL's jsonb accepts, or ValueError saying why not."""
    try:
        text = _to_json(value)
    except RecursionError:
        raise ValueError("it is nested too deeply or contains itself") from None
    text.encode()  # refuses lone surrogates, which jsonb cannot store
    if "\\u0000" in text and _JSON_NUL.search(text):
        raise ValueError("it contains the NUL character (\\u0000), which jsonb cannot store")
    return text


def encode_payload(payload: object, limits: Limits = DEFAULT_LIMITS) -> str:
    """Serialise a payload to JSON text, refusing what JSON cannot carry (no pickle)."""
    if payload is None:
        payload = {}
    if not isinstance(payload, dict):
        raise InvalidJobError("payload must be a JSON object (a dict of keyword arguments)")
    try:
        text = _to_json(payload)
        size = len(text.encode())
    except (TypeError, ValueError) as exc:  # UnicodeEncodeError: a lone surrogate
        raise InvalidJobError(f"payload is not JSON-serialisable: {exc}") from None
    except RecursionError:
        raise InvalidJobError("payload is nested too deeply or contains itself") from None
    if "\\u0000" in text and _JSON_NUL.search(text):
        # PostgreSQL's jsonb cannot store the NUL character.
        raise InvalidJobError("payload must not contain the NUL character (\\u0000)")
    if payload and any(type(key) is not str for key in payload):
        raise InvalidJobError("payload keys must be strings (they become keyword arguments)")
    if size > limits.max_payload_bytes:
        raise InvalidJobError(
            f"payload is larger than the limit of {limits.max_payload_bytes} bytes"
        )
    return text


def _as_dict(payload: object) -> Any:
    """A mapping that is not a dict (a pydantic model's dump, a MappingProxy) as a dict;
    anything else as given, for encode_payload to accept or refuse."""
    if payload is not None and type(payload) is not dict and isinstance(payload, Mapping):
        return dict(payload)
    return payload


def new_job(
    task: str,
    payload: Mapping[str, Any] | None = None,
    *,
    queue: str = "default",
    priority: int = 0,
    delay: float | None = None,
    run_at: datetime | None = None,
    max_attempts: int = 5,
    timeout: float | None = None,
    dedupe_key: str | None = None,
    tags: list[str] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    job_id: uuid.UUID | None = None,
    group: str | None = None,
) -> NewJob:
    """Validate one enqueue request; raise :class:`InvalidJobError` saying what is wrong.

    ``job_id`` lets a batch hand in ids made together (see :func:`uuid7_many`).
    """
    data = _as_dict(payload)
    payload_json = encode_payload(data, limits)
    priority = int(_check_number("priority", priority, PRIORITY_MIN, PRIORITY_MAX, integer=True))
    max_attempts = int(
        _check_number("max_attempts", max_attempts, 1, limits.max_attempts_limit, integer=True)
    )
    if timeout is not None:
        _check_number("timeout", timeout, 0.001, limits.max_timeout_seconds)
    if delay is not None and run_at is not None:
        raise InvalidJobError("give either delay or run_at, not both")
    if delay is not None:
        _check_number("delay", delay, 0, limits.max_delay_seconds)
    if run_at is not None:
        _check_run_at(run_at, limits)
    if dedupe_key is not None and (
        not isinstance(dedupe_key, str)
        or not 0 < len(dedupe_key) <= limits.max_dedupe_key_length
        or not _TEXT.fullmatch(dedupe_key)
    ):
        raise InvalidJobError(
            f"dedupe_key must be a string of 1 to {limits.max_dedupe_key_length} characters, "
            "without NUL"
        )
    _check_group(group, limits)
    return NewJob(
        id=job_id or uuid7(),
        task=_check_name("task name", task, limits),
        queue=_check_name("queue name", queue, limits),
        payload=data or {},
        payload_json=payload_json,
        priority=priority,
        max_attempts=max_attempts,
        timeout=float(timeout) if timeout is not None else None,
        delay=float(delay) if delay is not None else None,
        run_at=run_at,
        dedupe_key=dedupe_key,
        tags=_check_tags(tags, limits),
        group=group,
    )


def new_job_like(
    template: NewJob,
    payload: Mapping[str, Any] | None,
    job_id: uuid.UUID,
    limits: Limits = DEFAULT_LIMITS,
) -> NewJob:
    """A job with ``template``'s (already validated) options and its own payload and id.

    A batch of many jobs of one task with no options of their own checks those options
    once, not once per job.
    """
    data = _as_dict(payload)
    payload_json = encode_payload(data, limits)
    t = template
    return NewJob(
        job_id,
        t.task,
        t.queue,
        data or {},
        payload_json,
        t.priority,
        t.max_attempts,
        t.timeout,
        t.delay,
        t.run_at,
        t.dedupe_key,
        list(t.tags),
        t.group,
    )


def _check_group(group: object, limits: Limits) -> None:
    if group is not None and (
        not isinstance(group, str)
        or not 0 < len(group) <= limits.max_dedupe_key_length
        or not _TEXT.fullmatch(group)
    ):
        raise InvalidJobError(
            f"group must be a string of 1 to {limits.max_dedupe_key_length} characters, without NUL"
        )


def _check_run_at(run_at: object, limits: Limits) -> None:
    if not isinstance(run_at, datetime):
        raise InvalidJobError("run_at must be a datetime")
    if run_at.tzinfo is None or run_at.utcoffset() is None:
        raise InvalidJobError("run_at must carry a time zone (e.g. UTC)")
    horizon = datetime.now(UTC) + timedelta(seconds=limits.max_delay_seconds)
    if run_at > horizon:
        raise InvalidJobError(
            f"run_at is more than {limits.max_delay_seconds / 86400:g} days in the future"
        )


def _check_tags(tags: object, limits: Limits) -> list[str]:
    if tags is None:
        return []
    if not isinstance(tags, list | tuple):
        raise InvalidJobError("tags must be a list of strings")
    if len(tags) > limits.max_tags:
        raise InvalidJobError(f"a job may carry at most {limits.max_tags} tags")
    for tag in tags:
        if (
            not isinstance(tag, str)
            or not 0 < len(tag) <= limits.max_tag_length
            or not _TEXT.fullmatch(tag)
        ):
            raise InvalidJobError(
                f"each tag must be a string of 1 to {limits.max_tag_length} characters, without NUL"
            )
    return list(tags)


def chosen_details(details: Iterable[str]) -> frozenset[str]:
    """The parts of :data:`DETAILS` named by ``details``; ValueError names any other."""
    wanted = frozenset(details)
    if not wanted <= DETAILS:
        unknown = ", ".join(sorted(wanted - DETAILS))
        raise ValueError(f"unknown job details {unknown}: choose from {sorted(DETAILS)}")
    return wanted
