from __future__ import annotations

import re
from pathlib import Path

import pytest

from equeue.job import INITIAL, TRANSITIONS, JobStatus
from equeue.storage.sql import Queries, validate_schema_name

QUERIES = Path(__file__).parents[2] / "src" / "equeue" / "storage" / "queries"


def test_schema_name_is_quoted_and_validated() -> None:
    q = Queries("my_app")
    assert '"my_app".jobs' in q["get_job"]
    with pytest.raises(ValueError, match="schema name"):
        validate_schema_name('x"; DROP TABLE y; --')


def test_every_update_of_a_job_is_guarded_by_its_status() -> None:
    """A stale worker can never overwrite a newer state: every UPDATE names the status
    it starts from."""
    q = Queries("equeue")
    for name in q.names():
        sql = q[name]
        for update in re.findall(
            r"UPDATE \"equeue\"\.jobs.*?(?:RETURNING|;|\)\s*,|\Z)", sql, flags=re.S
        ):
            assert "status" in update.split("WHERE", 1)[-1], f"{name} has an unguarded UPDATE"


def test_statuses_named_in_sql_are_the_public_vocabulary() -> None:
    text = "\n".join(p.read_text() for p in QUERIES.glob("*.sql"))
    compared = re.findall(r"status\s*(?:=|<>|IN)\s*\(?((?:'[a-z_]+'(?:,\s*)?)+)", text)
    named = {value for group in compared for value in re.findall(r"'([a-z_]+)'", group)}
    known = {s.value for s in JobStatus}
    assert named, "no status comparisons found"
    assert named <= known, f"unknown statuses in SQL: {named - known}"
    assert {to for outcomes in TRANSITIONS.values() for to in outcomes} <= named


def test_enqueue_statements_write_only_the_initial_statuses() -> None:
    q = Queries("equeue")
    known = {s.value for s in JobStatus}
    written: set[str] = set()
    for name in ("insert_jobs", "insert_job_handoff"):
        # What is written, not what the dedupe-key clash compares against.
        statement = re.sub(r"--.*", "", q[name]).split("ON CONFLICT", 1)[0]
        written |= {word for word in re.findall(r"'([a-z_]+)'", statement) if word in known}
    assert written == {s.value for s in INITIAL}
