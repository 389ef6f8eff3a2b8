"""Progress of a running job, as the API shows it and as HTTP workers report it."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from equeue.job import MAX_PROGRESS_MESSAGE, Progress


class ProgressOut(BaseModel):
    """The latest progress a job's task reported (docs/progress-and-results.md)."""

    fraction: float = Field(ge=0, le=1, description="from 0 (nothing done) to 1 (all done)")
    message: str | None = Field(max_length=MAX_PROGRESS_MESSAGE)
    at: datetime = Field(description="when it was written")
    attempt: int = Field(
        description="the attempt that reported it: when it is not the job's current "
        "attempt, it says how far an earlier attempt got"
    )

    @classmethod
    def fields_of(cls, progress: Progress | None) -> dict[str, Any] | None:
        """Its fields, as :meth:`JobOut.fields_of` gives a job's (plain values)."""
        return None if progress is None else dataclasses.asdict(progress)
