"""Periodic jobs: schedules, and which of their ticks are due (docs/periodic.md).

A schedule names a task, a cron expression and the time zone it is read in. Its ticks
are computed here by croniter on time-zone-aware datetimes, so a daily 02:30 in
Europe/Paris follows the clocks across daylight saving time. Everything here is pure:
``now`` is always the database's clock, passed in by the caller.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import CroniterError, croniter

from equeue.errors import EqueueError, InvalidJobError
from equeue.job import NAME_PATTERN
from equeue.task import Task

_NAME = re.compile(NAME_PATTERN)

#: What a schedule does with ticks nobody enqueued in time (no worker was running):
#: ``skip`` enqueues only the latest of them, ``catch_up`` each, oldest first, up to the
#: schedule's ``catch_up_limit`` latest.
OnMissed = Literal["skip", "catch_up"]
ON_MISSED: tuple[str, ...] = get_args(OnMissed)
#: The most ticks a catching-up schedule enqueues at once, unless it says otherwise.
DEFAULT_CATCH_UP_LIMIT = 100
MAX_CATCH_UP_LIMIT = 10_000
#: The payload key that tells the task which tick its job runs for (ISO 8601, UTC).
TICK_KEY = "tick"
#: The tag of every job a schedule enqueues: ``schedule:<name>``.
TAG_PREFIX = "schedule:"
#: The longest schedule name: its tag must fit the tags' bound (64 characters).
MAX_NAME_LENGTH = 64 - len(TAG_PREFIX)


class InvalidScheduleError(InvalidJobError):
    """A schedule was refused: a bad cron expression, an unknown time zone, a bad option."""


class ScheduleNotFoundError(EqueueError, LookupError):
    """No schedule has this name."""


@dataclass(frozen=True, slots=True)
class ScheduleSpec:
    """What a schedule is: the definition written by ``@queue.periodic`` or the API."""

    name: str
    task: str
    cron: str
    timezone: str = "UTC"
    payload: Mapping[str, Any] = field(default_factory=dict)
    queue: str | None = None  #: None: the task's queue
    priority: int | None = None  #: None: the task's priority
    on_missed: OnMissed = "skip"
    catch_up_limit: int = DEFAULT_CATCH_UP_LIMIT

    def __post_init__(self) -> None:
        check(self)


@dataclass(frozen=True, slots=True)
class Schedule:
    """A stored schedule, as read back: its definition and where it stands."""

    spec: ScheduleSpec
    paused: bool
    next_run_at: datetime  #: its next tick (UTC); while paused, the one it would run
    last_run_at: datetime | None  #: the latest tick enqueued
    last_job_id: str | None  #: the job of that tick
    source: str  #: ``code`` (from ``@queue.periodic``) or ``api``
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Due:
    """What one maintenance round does for a due schedule."""

    ticks: list[datetime]  #: the ticks to enqueue, oldest first (UTC)
    next_run_at: datetime  #: the first tick after now
    dropped: bool  #: whether older missed ticks were left out


def check(spec: ScheduleSpec) -> None:
    """Refuse a definition that could never run; the message names what is wrong."""
    if not isinstance(spec.name, str) or not _NAME.match(spec.name):
        raise InvalidScheduleError(f"schedule name {spec.name!r} must match {NAME_PATTERN}")
    if len(spec.name) > MAX_NAME_LENGTH:
        raise InvalidScheduleError(f"schedule name must be at most {MAX_NAME_LENGTH} characters")
    for what, value in (("task", spec.task), ("queue", spec.queue)):
        if value is not None and (not isinstance(value, str) or not _NAME.match(value)):
            raise InvalidScheduleError(f"{what} name {value!r} must match {NAME_PATTERN}")
    parse_cron(spec.cron)
    zone(spec.timezone)
    if spec.on_missed not in ON_MISSED:
        raise InvalidScheduleError(f"on_missed must be one of {list(ON_MISSED)}")
    if not 1 <= spec.catch_up_limit <= MAX_CATCH_UP_LIMIT:
        raise InvalidScheduleError(f"catch_up_limit must be from 1 to {MAX_CATCH_UP_LIMIT}")
    if not isinstance(spec.payload, Mapping):
        raise InvalidScheduleError("payload must be a JSON object")
    if TICK_KEY in spec.payload:
        raise InvalidScheduleError(f"payload must not hold {TICK_KEY!r}: each job gets its tick")
    try:
        json.dumps(spec.payload)
    except (TypeError, ValueError) as exc:
        raise InvalidScheduleError(f"payload must be JSON: {exc}") from None


def parse_cron(cron: str) -> croniter:
    """The parsed expression: five fields (minute hour day month weekday), or six with the
    seconds first. Raises :class:`InvalidScheduleError` saying why it cannot be read."""
    if not isinstance(cron, str) or len(cron.split()) not in (5, 6):
        raise InvalidScheduleError(
            f"cron expression {cron!r} must have 5 fields (minute hour day month weekday) "
            "or 6 (second first)"
        )
    try:
        return croniter(cron, datetime(2000, 1, 1, tzinfo=UTC), second_at_beginning=True)
    except (CroniterError, ValueError, KeyError) as exc:
        raise InvalidScheduleError(f"cron expression {cron!r} is not valid: {exc}") from None


def zone(name: str) -> ZoneInfo:
    """The IANA time zone ``name`` (``Europe/Paris``, ``UTC``)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise InvalidScheduleError(
            f"unknown time zone {name!r}: use an IANA name such as 'Europe/Paris' or 'UTC'"
        ) from None


class _Walk:
    """The ticks of an expression from a start, either way, in one time zone.

    On the night clocks go back, the hour they repeat comes twice: a schedule at a fixed
    hour (``30 2 * * *``) runs at its first pass only, like the system cron does, while
    one for every hour (``0 * * * *``) runs in both, an hour apart. croniter gives every
    pass, so the second one of a fixed-hour tick is left out here.
    """

    def __init__(self, cron: str, timezone: str, start: datetime) -> None:
        self._zone = zone(timezone)
        self._iter = croniter(cron, start.astimezone(self._zone), second_at_beginning=True)
        fields = cron.split()
        self._every_hour = fields[len(fields) - 4] == "*"

    def next(self) -> datetime:
        return self._step(forward=True)

    def prev(self) -> datetime:
        return self._step(forward=False)

    def _step(self, *, forward: bool) -> datetime:
        while True:
            found: datetime = (
                self._iter.get_next(datetime) if forward else self._iter.get_prev(datetime)
            )
            tick = found.astimezone(UTC)
            if self._every_hour or not tick.astimezone(self._zone).fold:
                return tick


def next_tick(cron: str, timezone: str, after: datetime) -> datetime:
    """The first tick strictly after ``after``, in UTC."""
    return _Walk(cron, timezone, after).next()


def due(spec: ScheduleSpec, next_run_at: datetime, now: datetime) -> Due:
    """The ticks to enqueue when ``now`` has reached ``next_run_at``.

    Every tick from ``next_run_at`` to ``now`` (both included) is due; ``skip`` keeps the
    latest, ``catch_up`` the ``catch_up_limit`` latest. They are found walking back from
    the first tick after now, so a schedule of every second idle for a week costs no more
    than one idle for a minute.
    """
    following = next_tick(spec.cron, spec.timezone, now)
    keep = 1 if spec.on_missed == "skip" else spec.catch_up_limit
    walk = _Walk(spec.cron, spec.timezone, following)
    ticks: list[datetime] = []
    while len(ticks) < keep:
        tick = walk.prev()
        if tick < next_run_at:
            break
        ticks.append(tick)
    # Older ticks were left out when the bound was reached with one more still due.
    dropped = len(ticks) == keep and walk.prev() >= next_run_at
    return Due(ticks[::-1], following, dropped)


def tick_payload(spec: ScheduleSpec, tick: datetime) -> dict[str, Any]:
    """The payload of the job of one tick: the schedule's, plus the tick."""
    return {**spec.payload, TICK_KEY: tick.astimezone(UTC).isoformat()}


def first_run(spec: ScheduleSpec, now: datetime) -> datetime:
    """Where a new (or redefined, or resumed) schedule starts: its first tick after now.
    A tick at exactly ``now`` counts as passed: nothing runs for the past."""
    return next_tick(spec.cron, spec.timezone, now)


class ScheduleRegistry:
    """The schedules defined in code with ``@queue.periodic``, by name."""

    def __init__(self) -> None:
        self._specs: dict[str, ScheduleSpec] = {}

    def add(self, spec: ScheduleSpec) -> None:
        existing = self._specs.get(spec.name)
        if existing is not None and existing != spec:
            raise InvalidScheduleError(f"a different schedule is already named {spec.name!r}")
        self._specs[spec.name] = spec

    def __iter__(self) -> Iterator[ScheduleSpec]:
        return iter(self._specs.values())

    def __len__(self) -> int:
        return len(self._specs)


def decorator(
    register: Callable[[Callable[..., Any]], Task[Any, Any]],
    schedules: ScheduleRegistry,
    name: str | None,
    **definition: Any,
) -> Callable[[Any], Task[Any, Any]]:
    """What ``@queue.periodic(...)`` applies: a function is registered as a task first
    (with ``register``); a task already registered is scheduled as it is. A bad
    definition is refused at once, before any task is registered."""
    ScheduleSpec(name=name or "unnamed", task="unnamed", **definition)

    def schedule(target: Callable[..., Any] | Task[Any, Any]) -> Task[Any, Any]:
        task = target if isinstance(target, Task) else register(target)
        schedules.add(ScheduleSpec(name=name or task.name, task=task.name, **definition))
        return task

    return schedule
