"""Throughput and wait/run-time percentiles per time step, from the statistics workers
write per 10-second step (table ``job_stats_steps``): never from the jobs themselves.

Percentiles are read off the histogram buckets the way Prometheus' ``histogram_quantile``
does: the bucket holding the rank is found, and the value is interpolated linearly
within it, so a percentile is as exact as the buckets are fine.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime

from equeue.records import StepCell
from equeue.worker.stats import BUCKETS

#: The step the workers' statistics are stored at; a chart's step is a multiple of it.
STORED_STEP_SECONDS = 10
#: The longest window a chart may ask for (the statistics are kept a little longer).
MAX_MINUTES = 60
#: Steps a chart has at most: the step grows with the window to stay under it.
MAX_POINTS = 90
COUNTERS = ("succeeded", "failed")
TIMINGS = ("wait_seconds", "run_seconds")
QUANTILES = (0.5, 0.95, 0.99)
_INFINITY = float("inf")


def step_seconds(minutes: int) -> int:
    """The step of a chart over ``minutes``: 10 s up to 15 minutes, longer beyond, so
    that a chart never has more than :data:`MAX_POINTS` points."""
    wanted = minutes * 60 / MAX_POINTS
    return STORED_STEP_SECONDS * max(1, math.ceil(wanted / STORED_STEP_SECONDS))


def steps_in(minutes: int, step: int) -> int:
    """How many steps of ``step`` seconds cover ``minutes``."""
    return max(1, math.ceil(minutes * 60 / step))


def quantile(q: float, buckets: dict[float, int]) -> float | None:
    """The ``q`` quantile (0 < q < 1) of observations counted per bucket (upper bound ->
    count, not cumulative); None without observations. Within a bucket, values are taken
    as spread evenly; in the last, unbounded one, the largest bound is the answer."""
    total = sum(buckets.values())
    if total <= 0:
        return None
    rank = q * total
    seen = 0
    lower = 0.0
    for upper in (*BUCKETS, _INFINITY):
        count = buckets.get(upper, 0)
        if count and seen + count >= rank:
            if upper == _INFINITY:
                return lower
            return lower + (upper - lower) * (rank - seen) / count
        seen += count
        lower = upper
    return lower  # pragma: no cover - the loop ends in the unbounded bucket


class StepTotals:
    """One step's counts: outcomes, and wait and run times per bucket."""

    def __init__(self, at: datetime) -> None:
        self.at = at
        self.counts: dict[str, int] = dict.fromkeys(COUNTERS, 0)
        self.buckets: dict[str, dict[float, int]] = {metric: {} for metric in TIMINGS}

    def add(self, cell: StepCell) -> None:
        if cell.metric in self.counts:
            self.counts[cell.metric] += cell.n
        elif cell.metric in self.buckets:
            by_bound = self.buckets[cell.metric]
            by_bound[cell.le] = by_bound.get(cell.le, 0) + cell.n

    def percentiles(self, metric: str) -> dict[float, float | None]:
        return {q: quantile(q, self.buckets[metric]) for q in QUANTILES}


def totals_per_step(rows: Sequence[tuple[datetime, StepCell | None]]) -> list[StepTotals]:
    """The rows of ``stats_steps`` (each step's cells, oldest first) as one total each."""
    steps: dict[datetime, StepTotals] = {}
    for at, cell in rows:
        totals = steps.setdefault(at, StepTotals(at))
        if cell is not None:
            totals.add(cell)
    return list(steps.values())
