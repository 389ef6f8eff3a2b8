from __future__ import annotations

import re
from pathlib import Path

import pytest

from equeue.job import INITIAL, TRANSITIONS, JobStatus
from equeue.storage.sql import Queries, validate_schema_name

QUERIES = Path(__file__).parents[2] / "src" / "equeue" / "storage" / "queries"


def test_schema_name_is_quoted_and_validated() -> None:
    q = Queries("my_app")
    assert '"my_app".jobs' in q["cancel_waiting_job"]
    with pytest.raises(ValueError, match="schema name"):
        validate_schema_name('x"; DROP TABLE y; --')


STATUS_LITERALS = r"((?:'[a-z_]+'(?:,\s*)?)+)"


def job_updates(sql: str) -> list[tuple[str, str]]:
    """(SET clause, WHERE clause) of every UPDATE of the jobs table in ``sql``."""
    sql = re.sub(r"--[^\n]*", "", sql)
    found = []
    for match in re.finditer(r'UPDATE "equeue"\.jobs\b', sql):
        clauses: dict[str, int] = {}
        depth, at = 0, match.end()
        while at < len(sql):
            char = sql[at]
            if char == "(":
                depth += 1
            elif char == ")" and depth == 0:
                break  # the end of the CTE holding this statement
            elif char == ")":
                depth -= 1
            elif depth == 0 and char == ";":
                break
            elif depth == 0 and not sql[at - 1].isalnum():
                keyword = re.match(r"(SET|FROM|WHERE|RETURNING)\b", sql[at:])
                if keyword and keyword.group(1) == "RETURNING":
                    break
                if keyword:
                    clauses.setdefault(keyword.group(1), at)
            at += 1
        set_end = clauses.get("FROM", clauses.get("WHERE", at))
        set_clause = sql[clauses["SET"] : set_end]
        where = sql[clauses["WHERE"] : at] if "WHERE" in clauses else ""
        found.append((set_clause, where))
    return found


def transitions_of(set_clause: str, where: str) -> tuple[set[str], set[str]]:
    """The statuses an UPDATE starts from (its guard) and those it may write."""
    compared = re.findall(r"\bstatus\s*(?:=|IN)\s*\(?" + STATUS_LITERALS, where)
    sources = {s for group in compared for s in re.findall(r"'([a-z_]+)'", group)}
    written = re.search(r"\bstatus\s*=([^,]*)", set_clause)
    targets = set(re.findall(r"'([a-z_]+)'", written.group(1))) if written else set()
    return sources, targets


def unguarded_or_unlisted(sql: str) -> list[str]:
    """What is wrong with the job updates in ``sql``: an UPDATE that does not name the
    status it starts from, or a change of status that TRANSITIONS does not list."""
    allowed = {(start.value, end.value) for (start, _), ends in TRANSITIONS.items() for end in ends}
    problems = []
    for set_clause, where in job_updates(sql):
        sources, targets = transitions_of(set_clause, where)
        if not sources:
            problems.append(f"unguarded: {set_clause.strip()[:60]}")
        problems += [
            f"{a} -> {b} is not a transition"
            for a in sources
            for b in targets
            if (a, b) not in allowed
        ]
    return problems


@pytest.mark.parametrize(
    "bad",
    [
        """UPDATE "equeue".jobs SET status = 'queued';""",
        """UPDATE "equeue".jobs SET status = 'queued' WHERE id = $1;""",
        """UPDATE "equeue".jobs j SET status = 'queued', run_at = now() FROM x WHERE j.id = x.id""",
        """UPDATE "equeue".jobs SET status = 'queued' WHERE id = $1 AND status = 'succeeded'""",
        """WITH a AS (UPDATE "equeue".jobs SET status = CASE WHEN x THEN 'failed' ELSE 'running'
           END WHERE status = 'failed' RETURNING id) SELECT 1""",
    ],
)
def test_the_sql_check_finds_unguarded_updates_and_unlisted_transitions(bad: str) -> None:
    assert unguarded_or_unlisted(bad)


def test_every_update_of_a_job_is_guarded_and_is_a_listed_transition() -> None:
    """A stale worker can never overwrite a newer state: every UPDATE names the status
    it starts from, and moves the job only along a transition of job.TRANSITIONS."""
    q = Queries("equeue")
    carried_out: set[tuple[str, str]] = set()
    for name in q.names():
        assert unguarded_or_unlisted(q[name]) == [], name
        for set_clause, where in job_updates(q[name]):
            sources, targets = transitions_of(set_clause, where)
            carried_out |= {(a, b) for a in sources for b in targets}
    # ... and the table lists no transition that no statement carries out.
    listed = {(start.value, end.value) for (start, _), ends in TRANSITIONS.items() for end in ends}
    assert carried_out == listed


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
