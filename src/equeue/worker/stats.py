"""Outcome counters and run/wait-time histograms, counted where the work happens.

Each worker process adds up what it does in memory and writes the totals to the
``job_stats`` table every few seconds in one statement, so the API's ``/metrics`` can
report fleet-wide numbers without a per-row trigger on the hot path.
"""

from __future__ import annotations

import bisect
from collections import defaultdict

#: Upper bounds (seconds) of the run-time and wait-time histogram buckets.
BUCKETS: tuple[float, ...] = (
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1,
    2.5,
    5,
    10,
    30,
    60,
    300,
    900,
    3600,
)
#: Where plain counters are kept (their "bucket" is everything).
COUNTER = float("inf")

#: The outcome counter each status a job ends an attempt in feeds.
OUTCOME_METRIC = {
    "succeeded": "succeeded",
    "failed": "failed",
    "retrying": "retried",
    "cancelled": "cancelled",
}

#: The counter of late outcomes refused because the job's lease was lost meanwhile.
REFUSED = "late_outcomes_refused"

Cell = tuple[str, str, str, float]  # queue, task, metric, bucket upper bound


def bucket_of(seconds: float) -> float:
    """The upper bound of the bucket holding ``seconds``."""
    index = bisect.bisect_left(BUCKETS, seconds)
    return BUCKETS[index] if index < len(BUCKETS) else COUNTER


class JobStats:
    """Counts since the last :meth:`take`: ``(n, total seconds)`` per cell."""

    def __init__(self) -> None:
        self._cells: defaultdict[Cell, list[float]] = defaultdict(lambda: [0, 0.0])

    def count(self, queue: str, task: str, status: str) -> None:
        """An attempt ended with the job in ``status``."""
        metric = OUTCOME_METRIC.get(status)
        if metric is not None:
            self._cells[(queue, task, metric, COUNTER)][0] += 1

    def count_refused(self, queue: str, task: str) -> None:
        """A late outcome refused: the job's lease had been taken over (fencing)."""
        self._cells[(queue, task, REFUSED, COUNTER)][0] += 1

    def observe(self, queue: str, task: str, metric: str, seconds: float) -> None:
        """One observation of ``run_seconds`` or ``wait_seconds``."""
        seconds = max(seconds, 0.0)
        cell = self._cells[(queue, task, metric, bucket_of(seconds))]
        cell[0] += 1
        cell[1] += seconds

    def take(self) -> list[tuple[str, str, str, float, int, float]]:
        """The counts so far as rows (queue, task, metric, le, n, total), and start over."""
        cells, self._cells = self._cells, defaultdict(lambda: [0, 0.0])
        return [(*cell, int(n), total) for cell, (n, total) in cells.items()]

    def put_back(self, rows: list[tuple[str, str, str, float, int, float]]) -> None:
        """Keep rows that could not be written, for the next attempt."""
        for queue, task, metric, le, n, total in rows:
            cell = self._cells[(queue, task, metric, le)]
            cell[0] += n
            cell[1] += total
