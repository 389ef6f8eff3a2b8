"""Periodic jobs' pure logic: cron expressions in a time zone, DST, due and missed ticks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from equeue import Queue
from equeue.periodic import (
    InvalidScheduleError,
    ScheduleSpec,
    due,
    first_run,
    next_tick,
    tick_payload,
)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[arg-type,misc]


def ticks(cron: str, timezone: str, after: datetime, n: int) -> list[datetime]:
    found = []
    for _ in range(n):
        after = next_tick(cron, timezone, after)
        found.append(after)
    return found


def spec(cron: str = "*/5 * * * *", **options: object) -> ScheduleSpec:
    return ScheduleSpec(name="report", task="report.build", cron=cron, **options)  # type: ignore[arg-type]


def test_a_cron_expression_is_read_in_its_time_zone() -> None:
    # 09:00 in Paris is 08:00 UTC in winter, 07:00 UTC in summer.
    assert next_tick("0 9 * * *", "Europe/Paris", utc(2026, 1, 10)) == utc(2026, 1, 10, 8)
    assert next_tick("0 9 * * *", "Europe/Paris", utc(2026, 7, 10)) == utc(2026, 7, 10, 7)
    assert next_tick("0 9 * * *", "UTC", utc(2026, 7, 10)) == utc(2026, 7, 10, 9)


def test_six_fields_put_the_seconds_first() -> None:
    assert ticks("*/20 * * * * *", "UTC", utc(2026, 1, 1, 0, 0, 1), 3) == [
        utc(2026, 1, 1, 0, 0, 20),
        utc(2026, 1, 1, 0, 0, 40),
        utc(2026, 1, 1, 0, 1, 0),
    ]


def test_the_next_tick_is_strictly_after() -> None:
    assert next_tick("*/5 * * * *", "UTC", utc(2026, 1, 1, 0, 5)) == utc(2026, 1, 1, 0, 10)


def test_a_daily_tick_in_the_hour_clocks_skip_runs_once_at_the_hour_after() -> None:
    # 2026-03-29 in Paris: 02:00 jumps to 03:00, there is no 02:30 that day.
    assert ticks("30 2 * * *", "Europe/Paris", utc(2026, 3, 28, 12), 2) == [
        utc(2026, 3, 29, 1),  # 03:00 CEST
        utc(2026, 3, 30, 0, 30),  # 02:30 CEST
    ]


def test_a_daily_tick_in_the_hour_clocks_repeat_runs_once() -> None:
    # 2026-10-25 in Paris: 03:00 falls back to 02:00, so 02:30 comes twice; it runs once.
    assert ticks("30 2 * * *", "Europe/Paris", utc(2026, 10, 24, 12), 2) == [
        utc(2026, 10, 25, 0, 30),  # 02:30 CEST, the first pass
        utc(2026, 10, 26, 1, 30),  # 02:30 CET, the next day
    ]


def test_an_hourly_schedule_runs_in_both_passes_of_the_repeated_hour() -> None:
    assert ticks("0 * * * *", "Europe/Paris", utc(2026, 10, 24, 23, 30), 4) == [
        utc(2026, 10, 25, 0),  # 02:00 CEST
        utc(2026, 10, 25, 1),  # 02:00 CET: an hour later
        utc(2026, 10, 25, 2),
        utc(2026, 10, 25, 3),
    ]


def test_a_tick_on_time_is_enqueued_and_the_schedule_moves_to_the_next() -> None:
    plan = due(spec(), utc(2026, 1, 1, 0, 5), utc(2026, 1, 1, 0, 5, 0, 300_000))
    assert plan.ticks == [utc(2026, 1, 1, 0, 5)]
    assert plan.next_run_at == utc(2026, 1, 1, 0, 10)
    assert not plan.dropped


def test_a_tick_due_at_exactly_now_is_enqueued() -> None:
    plan = due(spec(), utc(2026, 1, 1, 0, 5), utc(2026, 1, 1, 0, 5))
    assert plan.ticks == [utc(2026, 1, 1, 0, 5)]
    assert plan.next_run_at == utc(2026, 1, 1, 0, 10)


def test_skip_enqueues_only_the_latest_missed_tick() -> None:
    # Nobody ran from 00:00 to 01:02: 13 ticks were due.
    plan = due(spec(), utc(2026, 1, 1), utc(2026, 1, 1, 1, 2))
    assert plan.ticks == [utc(2026, 1, 1, 1, 0)]
    assert plan.next_run_at == utc(2026, 1, 1, 1, 5)
    assert plan.dropped


def test_catch_up_enqueues_every_missed_tick_oldest_first() -> None:
    plan = due(spec(on_missed="catch_up"), utc(2026, 1, 1), utc(2026, 1, 1, 0, 21))
    assert plan.ticks == [utc(2026, 1, 1, 0, m) for m in (0, 5, 10, 15, 20)]
    assert plan.next_run_at == utc(2026, 1, 1, 0, 25)
    assert not plan.dropped


def test_catch_up_is_bounded_to_the_latest_ticks() -> None:
    plan = due(
        spec(on_missed="catch_up", catch_up_limit=3), utc(2026, 1, 1), utc(2026, 1, 1, 1, 0, 1)
    )
    assert plan.ticks == [utc(2026, 1, 1, 0, 50), utc(2026, 1, 1, 0, 55), utc(2026, 1, 1, 1)]
    assert plan.dropped


def test_catching_up_a_week_of_seconds_walks_back_only_as_far_as_the_limit() -> None:
    started = datetime.now(UTC)
    plan = due(
        spec("* * * * * *", on_missed="catch_up", catch_up_limit=5),
        utc(2026, 1, 1),
        utc(2026, 1, 8),
    )
    assert len(plan.ticks) == 5
    assert plan.ticks[-1] == utc(2026, 1, 8)
    assert datetime.now(UTC) - started < timedelta(seconds=1)


def test_catch_up_across_the_night_clocks_go_back_runs_each_day_once() -> None:
    plan = due(
        spec("30 2 * * *", timezone="Europe/Paris", on_missed="catch_up"),
        utc(2026, 10, 24, 0, 30),
        utc(2026, 10, 27),
    )
    assert plan.ticks == [
        utc(2026, 10, 24, 0, 30),
        utc(2026, 10, 25, 0, 30),
        utc(2026, 10, 26, 1, 30),
    ]


def test_a_new_schedule_starts_at_its_first_tick_after_now() -> None:
    assert first_run(spec(), utc(2026, 1, 1, 0, 5)) == utc(2026, 1, 1, 0, 10)


def test_the_job_of_a_tick_gets_the_tick_in_its_payload() -> None:
    payload = tick_payload(spec(payload={"to": "ops"}), utc(2026, 1, 1, 0, 5))
    assert payload == {"to": "ops", "tick": "2026-01-01T00:05:00+00:00"}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"cron": "* * *"}, "must have 5 fields"),
        ({"cron": "61 * * * *"}, "is not valid"),
        ({"cron": "*/0 * * * *"}, "is not valid"),
        ({"cron": "every day"}, "must have 5 fields"),
        ({"timezone": "Mars/Olympus"}, "unknown time zone 'Mars/Olympus'"),
        ({"timezone": "../etc/passwd"}, "unknown time zone"),
        ({"on_missed": "later"}, "on_missed must be one of"),
        ({"catch_up_limit": 0}, "catch_up_limit must be from 1"),
        ({"payload": {"tick": 1}}, "must not hold 'tick'"),
        ({"name": "x" * 56}, "at most 55 characters"),
        ({"name": "has space"}, "schedule name"),
        ({"queue": "bad queue"}, "queue name"),
    ],
)
def test_a_bad_definition_is_refused_with_a_message_naming_the_problem(
    options: dict[str, object], message: str
) -> None:
    fields: dict[str, object] = {"name": "report", "task": "report.build", "cron": "* * * * *"}
    with pytest.raises(InvalidScheduleError, match=message.replace("*", r"\*")):
        ScheduleSpec(**(fields | options))  # type: ignore[arg-type]


def send_report(to: str, tick: str) -> None: ...


def test_periodic_registers_the_function_as_a_task_and_its_schedule() -> None:
    queue = Queue("postgresql://unused")

    report = queue.periodic(cron="*/5 * * * *", timezone="Europe/Paris", payload={"to": "ops"})(
        send_report
    )

    assert report.name in queue.tasks
    [schedule] = list(queue.schedules)
    assert schedule == ScheduleSpec(
        name=report.name,
        task=report.name,
        cron="*/5 * * * *",
        timezone="Europe/Paris",
        payload={"to": "ops"},
    )


def test_periodic_over_a_registered_task_keeps_its_options() -> None:
    queue = Queue("postgresql://unused")

    @queue.periodic(cron="0 * * * *", name="hourly-digest", on_missed="catch_up")
    @queue.task(name="digest", queue="mail", max_attempts=2)
    def digest(tick: str) -> None: ...

    assert queue.tasks.get("digest") is digest
    assert digest.queue == "mail"
    [schedule] = list(queue.schedules)
    assert (schedule.name, schedule.task, schedule.on_missed) == (
        "hourly-digest",
        "digest",
        "catch_up",
    )


def test_periodic_refuses_a_bad_cron_at_import_time() -> None:
    queue = Queue("postgresql://unused")
    with pytest.raises(InvalidScheduleError, match="is not valid"):
        queue.periodic(cron="99 * * * *")(send_report)
    assert len(queue.tasks) == 0


def test_nothing_is_reported_dropped_when_every_due_tick_is_enqueued() -> None:
    # next_run_at off the expression's ticks (set by hand, say): 00:05 and 00:10 are due.
    plan = due(
        spec(on_missed="catch_up", catch_up_limit=3), utc(2026, 1, 1, 0, 2), utc(2026, 1, 1, 0, 10)
    )
    assert plan.ticks == [utc(2026, 1, 1, 0, 5), utc(2026, 1, 1, 0, 10)]
    assert not plan.dropped
    bounded = due(
        spec(on_missed="catch_up", catch_up_limit=2), utc(2026, 1, 1), utc(2026, 1, 1, 0, 10)
    )
    assert bounded.dropped
