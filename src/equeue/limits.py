"""Fleet-wide limits of a queue (see docs/limits.md), as they are set and read.

They are held in PostgreSQL, in the queue's row, and every claim reads them there: a
change made from any process holds for the whole fleet from the next claim on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: The slowest rate a queue can have: a job every 11.6 days (anything slower is a pause).
MIN_RATE = 1e-6


class LimitValueError(ValueError):
    """A limit that cannot be set (zero, negative, not a number)."""


@dataclass(frozen=True, slots=True)
class QueueLimits:
    """What a queue allows at once; None for each limit it does not have."""

    #: Most jobs of the queue running at once, fleet-wide.
    concurrency: int | None = None
    #: Most jobs of the queue started per second, on average.
    rate: float | None = None
    #: Most jobs started at once after a quiet spell: the token bucket's size. None: a
    #: tenth of a second's worth of the rate, at least one.
    burst: float | None = None
    #: Most jobs of one group (``group=`` at enqueue) of the queue running at once.
    group_concurrency: int | None = None

    def __post_init__(self) -> None:
        for name in ("concurrency", "group_concurrency"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or value < 1):
                raise LimitValueError(f"{name} must be a whole number of at least 1, not {value}")
        if self.rate is not None and not (math.isfinite(self.rate) and self.rate >= MIN_RATE):
            raise LimitValueError(f"rate must be at least {MIN_RATE:g} jobs/s, not {self.rate}")
        if self.burst is not None:
            if self.rate is None:
                raise LimitValueError("burst applies to a rate: set rate too")
            if not (math.isfinite(self.burst) and self.burst >= 1):
                raise LimitValueError(f"burst must be at least 1 job, not {self.burst}")

    @property
    def any(self) -> bool:
        """Whether the queue has any limit."""
        return any(v is not None for v in (self.concurrency, self.rate, self.group_concurrency))
