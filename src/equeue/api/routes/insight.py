"""What the dashboard charts and groups: throughput and wait/run percentiles per time
step, and the dead letters grouped by how they failed."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from equeue.api import series
from equeue.api.errors import error_responses
from equeue.api.models import DeadLetterGroupOut, DeadLetters, Series, SeriesPoint
from equeue.api.routing import KEYED, ApiState, ReadKey, annotate

#: Most dead-letter groups listed (the largest); ``total`` still counts every failed job.
MAX_DEAD_LETTER_GROUPS = 200


def add_routes(router: APIRouter, state: ApiState) -> None:
    """The routes of statistics per step and dead-letter groups, on ``router``."""
    admin, inputs = state.queue.admin, state.inputs

    @router.get(
        "/v1/stats/series",
        response_model=Series,
        tags=["fleet"],
        responses=error_responses(*KEYED),
    )
    @annotate(queue_name=inputs.queue_filter)
    async def stats_series(
        _: ReadKey,
        minutes: Annotated[int, Query(ge=1, le=series.MAX_MINUTES)] = 15,
        queue_name: str | None = None,
    ) -> Series:
        """Jobs succeeded and failed, and percentiles of their wait and run times, per
        step over the last ``minutes`` (at most 60), of one queue or all. Read from the
        statistics the workers write every few seconds, never from the jobs."""
        step = series.step_seconds(minutes)
        rows = await admin.stats_steps(
            step,
            series.steps_in(minutes, step),
            queue_name,
            [*series.COUNTERS, *series.TIMINGS],
        )
        return Series(step_seconds=step, points=[_point(t) for t in series.totals_per_step(rows)])

    @router.get(
        "/v1/dead-letters",
        response_model=DeadLetters,
        tags=["jobs"],
        responses=error_responses(*KEYED),
    )
    @annotate(queue_name=inputs.queue_filter)
    async def dead_letters(_: ReadKey, queue_name: str | None = None) -> DeadLetters:
        """Failed jobs grouped by task and the first line of their last error (the
        exception line), largest groups first (at most 200). Replay one group with
        ``POST /v1/replay-dlq?type=&error=``."""
        groups, total = await admin.dead_letter_groups(queue_name, MAX_DEAD_LETTER_GROUPS)
        return DeadLetters(groups=[DeadLetterGroupOut.of(g) for g in groups], total=total)


def _point(totals: series.StepTotals) -> SeriesPoint:
    wait = totals.percentiles("wait_seconds")
    run = totals.percentiles("run_seconds")
    return SeriesPoint(
        at=totals.at,
        succeeded=totals.counts["succeeded"],
        failed=totals.counts["failed"],
        wait_p50=wait[0.5],
        wait_p95=wait[0.95],
        wait_p99=wait[0.99],
        run_p50=run[0.5],
        run_p95=run[0.95],
        run_p99=run[0.99],
    )
