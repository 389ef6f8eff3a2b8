"""Schedules of periodic jobs as the API takes and answers them (docs/periodic.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, Strict, StringConstraints

from equeue.api.models.fields import Payload
from equeue.job import NAME_PATTERN, PRIORITY_MAX, PRIORITY_MIN
from equeue.periodic import DEFAULT_CATCH_UP_LIMIT, MAX_CATCH_UP_LIMIT, OnMissed, Schedule

#: A schedule's name (also its jobs' tag, ``schedule:<name>``, hence the bound).
ScheduleName = Annotated[str, StringConstraints(min_length=1, max_length=55, pattern=NAME_PATTERN)]
_Name = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=NAME_PATTERN)]
_Cron = Annotated[
    str,
    Field(
        min_length=1,
        max_length=200,
        description="5 fields (minute hour day month weekday), or 6 with the seconds first",
        examples=["*/5 * * * *"],
    ),
]
_Zone = Annotated[
    str, Field(min_length=1, max_length=100, description="IANA time zone", examples=["UTC"])
]


def _whole(value: object) -> object:
    # JSON Schema counts 5.0 as an integer; strict validation alone would refuse it.
    return int(value) if type(value) is float and value.is_integer() else value


_Priority = Annotated[
    int, Strict(), Field(ge=PRIORITY_MIN, le=PRIORITY_MAX), BeforeValidator(_whole)
]
_CatchUpLimit = Annotated[
    int, Strict(), Field(ge=1, le=MAX_CATCH_UP_LIMIT), BeforeValidator(_whole)
]
_Flag = Annotated[bool, Strict()]


class ScheduleIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "report",
                    "task": "report.build",
                    "cron": "0 9 * * 1-5",
                    "timezone": "Europe/Paris",
                }
            ]
        },
    )

    name: ScheduleName
    task: _Name
    cron: _Cron
    timezone: _Zone = "UTC"
    payload: Payload = Field(default_factory=dict)
    queue: _Name | None = Field(default=None, description="null: the task's queue")
    priority: _Priority | None = Field(default=None, description="null: the task's priority")
    on_missed: OnMissed = Field(
        default="skip",
        description="ticks missed while nothing ran: skip (the latest runs) or catch_up "
        "(each, up to catch_up_limit)",
    )
    catch_up_limit: _CatchUpLimit = DEFAULT_CATCH_UP_LIMIT
    paused: _Flag = False


#: The default of a field left out of a change (null itself is refused where not allowed).
_LEFT_OUT: Any = None


class ScheduleChange(BaseModel):
    """The fields to change; those left out stay as they are. Only ``queue`` and
    ``priority`` may be null (the task's own again)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"paused": True}, {"cron": "0 * * * *"}]}
    )

    # Left out is not null: Field(default=_LEFT_OUT) keeps null out of these fields' schema.
    task: _Name = Field(default=_LEFT_OUT)
    cron: _Cron = Field(default=_LEFT_OUT)
    timezone: _Zone = Field(default=_LEFT_OUT)
    payload: Payload = Field(default=_LEFT_OUT)
    queue: _Name | None = None
    priority: _Priority | None = None
    on_missed: OnMissed = Field(default=_LEFT_OUT)
    catch_up_limit: _CatchUpLimit = Field(default=_LEFT_OUT)
    paused: _Flag = Field(default=_LEFT_OUT)

    def definition(self) -> dict[str, Any]:
        """The definition's fields that were sent (``queue``/``priority`` may be null)."""
        return self.model_dump(exclude_unset=True, exclude={"paused"})


class ScheduleOut(BaseModel):
    name: str
    task: str
    cron: str
    timezone: str
    payload: dict[str, Any]
    queue: str | None
    priority: int | None
    on_missed: OnMissed
    catch_up_limit: int
    paused: bool
    next_run_at: datetime = Field(description="the next tick (while paused: the one it would run)")
    last_run_at: datetime | None = Field(description="the latest tick enqueued")
    last_job_id: str | None = Field(description="the job of that tick")
    source: str = Field(description="code (@queue.periodic) or api")
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, schedule: Schedule) -> ScheduleOut:
        spec = schedule.spec
        return cls(
            name=spec.name,
            task=spec.task,
            cron=spec.cron,
            timezone=spec.timezone,
            payload=dict(spec.payload),
            queue=spec.queue,
            priority=spec.priority,
            on_missed=spec.on_missed,
            catch_up_limit=spec.catch_up_limit,
            paused=schedule.paused,
            next_run_at=schedule.next_run_at,
            last_run_at=schedule.last_run_at,
            last_job_id=schedule.last_job_id,
            source=schedule.source,
            created_at=schedule.created_at,
            updated_at=schedule.updated_at,
        )


class ScheduleList(BaseModel):
    items: list[ScheduleOut]
