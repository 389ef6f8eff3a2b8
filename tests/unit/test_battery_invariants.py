"""The battery's invariant checker finds each kind of violation it is there to find."""

from __future__ import annotations

import json
import uuid
from typing import Any

from tests.e2e.battery.invariants import Execution, Report, _check_job

JOB = uuid.uuid4()


def attempt(number: int, pid: int, outcome: str) -> dict[str, Any]:
    return {"number": number, "worker": f"host:{pid}:abcd1234", "outcome": outcome}


def checked(
    history: list[dict[str, Any]],
    runs: list[tuple[int, int]],
    *,
    status: str = "succeeded",
    result: dict[str, int] | None = None,
    attempts: int | None = None,
) -> Report:
    row = {
        "id": JOB,
        "status": status,
        "attempts": len(history) if attempts is None else attempts,
        "max_attempts": 3,
        "history": json.dumps(history),
        "result": json.dumps(result) if result else None,
    }
    report = Report()
    _check_job(report, row, [Execution(JOB, number, pid) for number, pid in runs])  # type: ignore[arg-type]
    return report


def test_a_rerun_after_a_lost_lease_is_an_explained_duplicate() -> None:
    history = [attempt(1, 10, "lease_expired"), attempt(2, 11, "succeeded")]
    report = checked(history, [(1, 10), (2, 11)], result={"attempt": 2, "pid": 11})
    assert report.duplicates == 1
    assert not report.violations


def test_two_runs_under_one_attempt_are_unexplained() -> None:
    history = [attempt(1, 10, "succeeded")]
    report = checked(history, [(1, 10), (1, 10)], result={"attempt": 1, "pid": 10})
    assert "unexplained duplicates" in report.violations


def test_a_run_the_history_does_not_know_is_unexplained() -> None:
    history = [attempt(1, 10, "succeeded")]
    report = checked(history, [(1, 10), (1, 12)], result={"attempt": 1, "pid": 10})
    assert "unexplained duplicates" in report.violations


def test_a_result_written_by_another_attempt_is_a_stale_completion() -> None:
    history = [attempt(1, 10, "lease_expired"), attempt(2, 11, "succeeded")]
    report = checked(history, [(1, 10), (2, 11)], result={"attempt": 1, "pid": 10})
    assert "stale completions accepted" in report.violations


def test_two_successes_are_a_stale_completion() -> None:
    history = [attempt(1, 10, "succeeded"), attempt(2, 11, "succeeded")]
    report = checked(history, [(1, 10), (2, 11)], result={"attempt": 2, "pid": 11})
    assert "stale completions accepted" in report.violations


def test_a_job_not_finished_is_stuck_and_attempts_beyond_the_limit_are_found() -> None:
    history = [attempt(n, 10 + n, "lease_expired") for n in range(1, 5)]
    report = checked(history, [(4, 14)], status="running", attempts=4)
    assert set(report.violations) == {"stuck", "attempts beyond max"}


def test_one_process_may_run_a_job_twice_under_a_number_given_back() -> None:
    # Its first lost lease was not counted, and the same process claimed the job again.
    history = [attempt(1, 10, "lease_expired"), attempt(1, 10, "succeeded")]
    report = checked(history, [(1, 10), (1, 10)], result={"attempt": 1, "pid": 10}, attempts=1)
    assert report.duplicates == 1
    assert not report.violations
    # A third run under that number has no attempt left to explain it.
    report = checked(history, [(1, 10)] * 3, result={"attempt": 1, "pid": 10}, attempts=1)
    assert "unexplained duplicates" in report.violations
