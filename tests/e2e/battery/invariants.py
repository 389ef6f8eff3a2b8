"""The one invariant checker every battery scenario ends with.

It reads the jobs table (status, attempts, history, result) and the executions the
tasks recorded themselves, and finds: jobs lost, jobs stuck, duplicate executions and
which of them are unexplained, stale completions that were accepted, and attempts beyond
a job's limit. A scenario passes when all but the duplicates are zero and every
duplicate is explained by an attempt that did not succeed (its lease expired, it was
released, it failed).
"""

from __future__ import annotations

import json
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg

FINAL = {"succeeded", "failed", "cancelled"}
# Attempts whose work was cut off and done again: a run under one of these is a duplicate,
# explained by the lost lease (or the stopping worker) recorded with it.
LOST_OUTCOMES = {"lease_expired", "released"}
# An attempt that failed: running again after it is a retry, not a duplicate.
FAILED_OUTCOMES = {"failed", "timeout"}


@dataclass(frozen=True)
class Execution:
    job_id: uuid.UUID
    attempt: int
    pid: int


@dataclass
class Report:
    """What the checker found; ``violations`` lists each broken invariant with its jobs."""

    jobs: int = 0
    executions: int = 0
    duplicates: int = 0
    lost: list[uuid.UUID] = field(default_factory=list)
    stuck: list[uuid.UUID] = field(default_factory=list)
    unexplained: list[str] = field(default_factory=list)
    stale_accepted: list[str] = field(default_factory=list)
    over_attempts: list[str] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    longest_overdue: float = 0.0  #: seconds a job stayed running past its lease, if sampled

    @property
    def violations(self) -> dict[str, list[Any]]:
        found: dict[str, list[Any]] = {
            "lost": self.lost,
            "stuck": self.stuck,
            "unexplained duplicates": self.unexplained,
            "stale completions accepted": self.stale_accepted,
            "attempts beyond max": self.over_attempts,
        }
        return {name: items[:10] for name, items in found.items() if items}


def read_executions(folder: Path) -> list[Execution]:
    """Every execution the battery's tasks recorded, from all worker processes."""
    found = []
    for path in folder.glob("executions.*"):
        for line in path.read_text().splitlines():
            job_id, attempt, pid = line.split()
            found.append(Execution(uuid.UUID(job_id), int(attempt), int(pid)))
    return found


async def check(url: str, schema: str, committed: set[uuid.UUID], folder: Path) -> Report:
    """Check every invariant for the jobs whose enqueue committed."""
    connection = await asyncpg.connect(url)
    try:
        rows = await connection.fetch(
            f"SELECT id, status, attempts, max_attempts, history::text AS history, "
            f'result::text AS result FROM "{schema}".any_jobs WHERE id = ANY($1::uuid[])',
            list(committed),
        )
    finally:
        await connection.close()
    executions: dict[uuid.UUID, list[Execution]] = defaultdict(list)
    for execution in read_executions(folder):
        executions[execution.job_id].append(execution)
    report = Report(jobs=len(committed))
    report.lost = sorted(committed - {row["id"] for row in rows})
    for row in rows:
        _check_job(report, row, executions.get(row["id"], []))
    return report


def _check_job(report: Report, row: asyncpg.Record, runs: list[Execution]) -> None:
    job_id, status = row["id"], row["status"]
    history: list[dict[str, Any]] = json.loads(row["history"])
    report.statuses[status] += 1
    report.executions += len(runs)
    if status not in FINAL:
        report.stuck.append(job_id)
    limit = row["max_attempts"]
    if row["attempts"] > limit or any(a["number"] > limit for a in history):
        report.over_attempts.append(f"{job_id}: {row['attempts']} of {limit}")
    if any(run.attempt > limit for run in runs):
        report.over_attempts.append(f"{job_id}: an execution beyond {limit}")
    _check_duplicates(report, job_id, history, runs)
    if status == "succeeded":
        _check_completion(report, job_id, history, row["result"])


def _pid_of(attempt: dict[str, Any]) -> str:
    """The process of an attempt's worker id (host:pid:suffix)."""
    parts = (attempt.get("worker") or "").split(":")
    return parts[-2] if len(parts) >= 2 else ""


def _pair_runs(
    history: list[dict[str, Any]], runs: list[Execution]
) -> tuple[list[tuple[Execution, dict[str, Any]]], list[Execution]]:
    """Each execution paired with its attempt of the history: same attempt number, same
    worker process, in order. One process may run a job twice under one number (its
    first lost lease is not counted, and the same worker can claim the job again), so
    the k-th such execution is the k-th such attempt. Returns the pairs and the runs
    left without an attempt."""
    entries: dict[tuple[int, str], list[dict[str, Any]]] = defaultdict(list)
    for attempt in history:
        entries[attempt["number"], _pid_of(attempt)].append(attempt)
    paired, orphans = [], []
    for run in runs:  # in the order each process wrote them
        waiting = entries.get((run.attempt, str(run.pid)))
        if waiting:
            paired.append((run, waiting.pop(0)))
        else:
            orphans.append(run)
    return paired, orphans


def _check_duplicates(
    report: Report, job_id: uuid.UUID, history: list[dict[str, Any]], runs: list[Execution]
) -> None:
    """Every execution maps to an attempt of its own in the history, and counts as a
    duplicate when that attempt lost its lease (or was released). An execution the
    history has no attempt left for (two under one attempt) is never explained."""
    paired, orphans = _pair_runs(history, runs)
    for run in orphans:
        report.unexplained.append(f"{job_id}: no attempt {run.attempt} by pid {run.pid} left")
    for run, attempt in paired:
        if attempt["outcome"] in LOST_OUTCOMES:
            report.duplicates += 1
        elif attempt["outcome"] != "succeeded" and attempt["outcome"] not in FAILED_OUTCOMES:
            report.unexplained.append(f"{job_id}: attempt {run.attempt} {attempt['outcome']}")


def _check_completion(
    report: Report, job_id: uuid.UUID, history: list[dict[str, Any]], result: str | None
) -> None:
    """A succeeded job has one succeeded attempt, its last, and the result it wrote."""
    succeeded = [a for a in history if a["outcome"] == "succeeded"]
    if len(succeeded) != 1 or history[-1] is not succeeded[0]:
        report.stale_accepted.append(f"{job_id}: {len(succeeded)} succeeded attempts")
        return
    ran_by = json.loads(result) if result else None
    if isinstance(ran_by, dict):
        wrote = (int(ran_by["attempt"]), str(ran_by["pid"]))
        if wrote != (succeeded[0]["number"], _pid_of(succeeded[0])):
            report.stale_accepted.append(f"{job_id}: result of attempt {wrote[0]}")


def summary(name: str, report: Report, faults: int, recovery: float) -> str:
    """One line per scenario: jobs, faults, duplicates, recovery time."""
    statuses = " ".join(f"{k}={v}" for k, v in sorted(report.statuses.items()))
    return (
        f"BATTERY {name}: jobs={report.jobs} faults={faults} executions={report.executions} "
        f"duplicates={report.duplicates} (unexplained {len(report.unexplained)}) "
        f"recovery={recovery:.1f}s lost={len(report.lost)} stuck={len(report.stuck)} "
        f"stale={len(report.stale_accepted)} overdue={report.longest_overdue:.1f}s [{statuses}]"
    )


def assert_holds(name: str, report: Report, faults: int, recovery: float) -> None:
    """Print the scenario's summary line and fail on any broken invariant."""
    print(summary(name, report, faults, recovery))
    assert not report.violations, report.violations


async def longest_overdue_lease(url: str, schema: str) -> float:
    """Seconds the most overdue running job has stayed running past its lease (0: none)."""
    connection = await asyncpg.connect(url)
    try:
        value = await connection.fetchval(
            f"SELECT coalesce(max(extract(epoch FROM now() - lease_expires_at)), 0)::float8 "
            f"FROM \"{schema}\".jobs WHERE status = 'running'"
        )
    finally:
        await connection.close()
    return max(float(value), 0.0)
