"""The pure parts of the dashboard's API: percentiles from histogram buckets, the steps of
a chart, the security policy of its pages; the actions the audit view can filter on."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from equeue.api.series import MAX_POINTS, quantile, step_seconds, steps_in, totals_per_step
from equeue.audit import Action
from equeue.dashboard.spa import content_security_policy
from equeue.records import StepCell
from equeue.worker.stats import JobStats


def _buckets(*seconds: float) -> dict[float, int]:
    """Observations counted per bucket, as workers count them."""
    stats = JobStats()
    for value in seconds:
        stats.observe("q", "t", "run_seconds", value)
    return {le: n for _q, _t, _m, le, n, _total in stats.take()}


def test_a_percentile_is_interpolated_within_its_bucket() -> None:
    # 100 observations in (0.25, 0.5]: spread evenly, the median is the middle.
    assert quantile(0.5, _buckets(*[0.3] * 100)) == pytest.approx(0.375)
    assert quantile(0.99, _buckets(*[0.3] * 100)) == pytest.approx(0.4975)
    # 90 fast, 10 slow: p50 among the fast, p95 among the slow, in (1, 2.5].
    mixed = _buckets(*[0.004] * 90, *[2.0] * 10)
    assert quantile(0.5, mixed) == pytest.approx(0.005 * 50 / 90)
    assert quantile(0.95, mixed) == pytest.approx(1 + 1.5 * 0.5)


def test_a_percentile_beyond_the_last_bucket_is_its_bound_and_none_without_data() -> None:
    assert quantile(0.5, _buckets(5000.0, 7000.0)) == 3600
    assert quantile(0.5, {}) is None


def test_a_chart_has_at_most_ninety_steps_of_whole_ten_seconds() -> None:
    assert step_seconds(1) == step_seconds(15) == 10
    assert step_seconds(60) == 40
    for minutes in range(1, 61):
        step = step_seconds(minutes)
        assert step % 10 == 0
        assert steps_in(minutes, step) <= MAX_POINTS
        assert steps_in(minutes, step) * step >= minutes * 60


def test_each_step_adds_up_its_own_cells_only() -> None:
    first, second = datetime(2030, 1, 1, tzinfo=UTC), datetime(2030, 1, 1, 0, 0, 10, tzinfo=UTC)
    rows = [
        (first, StepCell(first, "succeeded", float("inf"), 3)),
        (first, StepCell(first, "wait_seconds", 0.01, 4)),
        (second, None),
    ]
    totals = totals_per_step(rows)
    assert [t.at for t in totals] == [first, second]
    assert totals[0].counts == {"succeeded": 3, "failed": 0}
    assert totals[0].percentiles("wait_seconds")[0.5] == pytest.approx(0.0075)
    assert totals[1].counts == {"succeeded": 0, "failed": 0}
    assert totals[1].percentiles("run_seconds") == {0.5: None, 0.95: None, 0.99: None}


@pytest.mark.parametrize(
    ("host", "sockets"),
    [
        ("127.0.0.1:8000", "connect-src 'self' ws://127.0.0.1:8000 wss://127.0.0.1:8000;"),
        ("[::1]:8000", "connect-src 'self' ws://[::1]:8000 wss://[::1]:8000;"),
        ("queue.example.com", "connect-src 'self' ws://queue.example.com wss://queue.example.com;"),
        ("evil; script-src *", "connect-src 'self';"),
        (None, "connect-src 'self';"),
    ],
)
def test_the_policy_names_only_a_well_formed_host(host: str | None, sockets: str) -> None:
    policy = content_security_policy(host)
    assert sockets in policy
    assert "script-src 'self';" in policy and "unsafe" not in policy
    assert "frame-ancestors 'none'" in policy


def test_the_audit_view_offers_every_action_the_server_records() -> None:
    # The API's schema types an action as a string, so the dashboard keeps its own list.
    source = Path(__file__).parents[2] / "dashboard" / "src" / "audit" / "filters.ts"
    listed = re.search(r"export const ACTIONS = \[(.*?)\] as const", source.read_text(), re.S)
    assert listed, "no ACTIONS list in the dashboard's audit filters"
    assert re.findall(r'"([^"]+)"', listed.group(1)) == [action.value for action in Action]
