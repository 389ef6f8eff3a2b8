"""The warning thresholds of the table health (documented in docs/deploy.md)."""

from __future__ import annotations

from equeue.records import (
    DEAD_ROWS_FLOOR,
    HELD_SNAPSHOT_SECONDS,
    HELD_XMIN_AGE,
    TableHealth,
    TableInfo,
    VacuumHorizon,
)

QUIET = VacuumHorizon(None, None, None, None, None, None, None, None)


def table(name: str, live: int, dead: int) -> TableInfo:
    return TableInfo(name, 8192, 0, live, dead, None, None, 0, [])


def test_nothing_to_say_of_healthy_tables() -> None:
    health = TableHealth([table("jobs", 1_000_000, 150_000), table("tiny", 10, 5_000)], QUIET)
    assert health.warnings() == []


def test_dead_rows_past_a_fifth_of_the_live_ones_and_the_floor_are_named() -> None:
    health = TableHealth(
        [table("jobs", 1_000_000, 250_000), table("small", 100, DEAD_ROWS_FLOOR + 1)], QUIET
    )
    warnings = health.warnings()
    assert len(warnings) == 2
    assert "jobs: 250000 dead rows for 1000000 live" in warnings[0]
    assert "small" in warnings[1]


def test_a_snapshot_held_too_long_or_too_far_back_is_named() -> None:
    horizon = VacuumHorizon(
        session_xmin_age=HELD_XMIN_AGE + 1,
        session_seconds=HELD_SNAPSHOT_SECONDS + 1,
        session_pid=4242,
        session_application="report-job",
        session_state="idle in transaction",
        slot_xmin_age=5,
        prepared_xmin_age=None,
        prepared_seconds=HELD_SNAPSHOT_SECONDS + 60,
    )
    warnings = TableHealth([], horizon).warnings()
    assert any("pid 4242, report-job, idle in transaction" in w for w in warnings)
    assert any("prepared transaction" in w for w in warnings)
    assert any(f"{HELD_XMIN_AGE + 1} transactions back" in w for w in warnings)
    assert not any("replication slot" in w for w in warnings)
