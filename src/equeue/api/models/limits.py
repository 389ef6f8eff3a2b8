"""A queue's fleet-wide limits as the API reads and sets them (docs/limits.md)."""

from __future__ import annotations

from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from equeue.limits import MIN_RATE, QueueLimits

#: A burst is a rate's: in JSON Schema, "no burst given as a number, or a rate that is one".
_BURST_NEEDS_RATE: dict[str, Any] = {
    "anyOf": [
        {"properties": {"burst": {"type": "null"}}},
        {"required": ["rate"], "properties": {"rate": {"type": "number"}}},
    ]
}


class QueueLimitsIn(BaseModel):
    """The limits a queue gets: each left out or null is no limit."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"concurrency": 10, "rate": 5, "group_concurrency": 2}],
            **_BURST_NEEDS_RATE,
        },
    )

    concurrency: int | None = Field(
        default=None, ge=1, le=1_000_000, description="most jobs running at once, fleet-wide"
    )
    rate: float | None = Field(
        default=None,
        ge=MIN_RATE,
        le=1_000_000,
        description=f"most jobs started per second (at least {MIN_RATE:g})",
    )
    burst: float | None = Field(
        default=None,
        ge=1,
        le=1_000_000,
        description="most jobs started at once after a quiet spell (needs rate); default: a "
        "tenth of a second's worth of the rate, at least 1",
    )
    group_concurrency: int | None = Field(
        default=None,
        ge=1,
        le=1_000_000,
        description="most jobs of one group (a job's group) running at once",
    )

    @model_validator(mode="after")
    def _burst_needs_rate(self) -> Self:
        if self.burst is not None and self.rate is None:
            raise ValueError("burst applies to a rate: set rate too")
        return self

    def limits(self) -> QueueLimits:
        return QueueLimits(self.concurrency, self.rate, self.burst, self.group_concurrency)


class QueueLimitsOut(BaseModel):
    """A queue's limits; null: no such limit."""

    name: str
    concurrency: int | None
    rate: float | None
    burst: float | None
    group_concurrency: int | None

    @classmethod
    def of(cls, name: str, limits: QueueLimits) -> QueueLimitsOut:
        return cls(
            name=name,
            concurrency=limits.concurrency,
            rate=limits.rate,
            burst=limits.burst,
            group_concurrency=limits.group_concurrency,
        )


class QueueLimitsList(BaseModel):
    items: list[QueueLimitsOut]
