"""The job state machine, property-based: hypothesis drives random sequences of enqueue,
claim, ack, fail, cancel, retry, release, rescue and replay against the real database,
with current and stale lease tokens alike, and after every step the table must agree
with a model of the rules (docs/states.md), and the invariants must hold: a stale token
changes nothing, attempts never exceed the limit, a worker holds one suspect at most."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Awaitable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import asyncpg
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from equeue import JobStateError, Queue
from equeue.storage import Failure, Storage

pytestmark = pytest.mark.battery  # the battery's security half (docs/guarantees.md)
T = TypeVar("T")
WAITING = {"queued", "retrying"}
FINISHED = {"succeeded", "failed", "cancelled"}
WORKERS = ("w1", "w2")


@dataclass
class Modelled:
    """What the rules say one job's row holds."""

    max_attempts: int
    status: str = "queued"
    attempts: int = 0
    token: uuid.UUID | None = None
    worker: str | None = None
    suspect: bool = False
    cancel_requested: bool = False


class Database:
    """The queue under test, on an event loop of its own (hypothesis drives it in sync)."""

    def __init__(self, url: str, schema: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.queue = Queue(url, schema=schema, allow_unknown_tasks=True, pool_max_size=2)
        self.run(self.queue.migrate())
        self.storage: Storage = self.run(self.queue._storage())

    def run(self, step: Awaitable[T]) -> T:
        return self.loop.run_until_complete(step)  # type: ignore[arg-type]

    def rows(self) -> dict[uuid.UUID, asyncpg.Record]:
        found = self.run(
            self.storage.pool.fetch(
                f"SELECT id, status, attempts, max_attempts, suspect, cancel_requested, "
                f'lease_token, worker_id, history::text AS history FROM "{self.queue.schema}".jobs'
            )
        )
        return {row["id"]: row for row in found}

    def close(self) -> None:
        self.run(self.storage.pool.execute(f'DROP SCHEMA "{self.queue.schema}" CASCADE'))
        self.run(self.queue.close())
        self.loop.close()


def machine_for(db: Database) -> type[RuleBasedStateMachine]:
    class JobStateMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            db.run(db.storage.pool.execute(f'TRUNCATE "{db.queue.schema}".jobs'))
            self.jobs: dict[uuid.UUID, Modelled] = {}
            self.tokens: list[tuple[uuid.UUID, uuid.UUID]] = []  # every one ever given

        # --- the operations ---------------------------------------------------------------

        @rule(max_attempts=st.integers(1, 3))
        def enqueue(self, max_attempts: int) -> None:
            job = db.run(db.queue.enqueue("t", max_attempts=max_attempts))
            self.jobs[job.id] = Modelled(max_attempts)

        @rule(worker=st.sampled_from(WORKERS), limit=st.integers(1, 3))
        def claim(self, worker: str, limit: int) -> None:
            waiting = [m for m in self.jobs.values() if m.status in WAITING]
            holds_suspect = any(
                m.status == "running" and m.suspect and m.worker == worker
                for m in self.jobs.values()
            )
            suspect_allowed = not holds_suspect and any(m.suspect for m in waiting)
            expected = min(limit, sum(not m.suspect for m in waiting) + suspect_allowed)
            claimed = db.run(db.storage.claim(worker, None, limit, 30))
            assert len(claimed) == expected
            assert sum(self.jobs[c.id].suspect for c in claimed) <= suspect_allowed
            for job in claimed:
                m = self.jobs[job.id]
                assert m.status in WAITING
                m.status, m.attempts, m.worker = "running", m.attempts + 1, worker
                m.token = job.lease_token
                assert job.attempts == m.attempts
                self.tokens.append((job.id, job.lease_token))

        @precondition(lambda self: self.tokens)
        @rule(data=st.data())
        def ack(self, data: st.DataObject) -> None:
            job_id, token = data.draw(st.sampled_from(self.tokens))
            landed = db.run(db.storage.complete([(job_id, token, '"done"')]))
            if self._holds(job_id, token):
                assert landed == {job_id}
                self._ends(job_id, "succeeded")
            else:
                assert landed == set()

        @precondition(lambda self: self.tokens)
        @rule(data=st.data())
        def fail(self, data: st.DataObject) -> None:
            job_id, token = data.draw(st.sampled_from(self.tokens))
            failure = Failure(job_id, token, "E: boom", "trace", delay=0)
            statuses = db.run(db.storage.fail([failure]))
            if not self._holds(job_id, token):
                assert statuses == {}
                return
            m = self.jobs[job_id]
            if m.cancel_requested:
                expected = "cancelled"
            else:
                expected = "failed" if m.attempts >= m.max_attempts else "retrying"
            assert statuses == {job_id: expected}
            self._ends(job_id, expected)

        @precondition(lambda self: self.tokens)
        @rule(data=st.data())
        def release(self, data: st.DataObject) -> None:
            job_id, token = data.draw(st.sampled_from(self.tokens))
            landed = db.run(db.storage.release([(job_id, token)]))
            if not self._holds(job_id, token):
                assert landed == set()
                return
            assert landed == {job_id}
            m = self.jobs[job_id]
            if m.cancel_requested:
                self._ends(job_id, "cancelled")
            else:
                m.attempts = max(m.attempts - 1, 0)
                self._ends(job_id, "queued")

        @precondition(lambda self: self.tokens)
        @rule(data=st.data())
        def stop_on_request(self, data: st.DataObject) -> None:
            job_id, token = data.draw(st.sampled_from(self.tokens))
            landed = db.run(db.storage.mark_cancelled([(job_id, token)]))
            if self._holds(job_id, token) and self.jobs[job_id].cancel_requested:
                assert landed == {job_id}
                self._ends(job_id, "cancelled")
            else:
                assert landed == set()

        @precondition(lambda self: self.jobs)
        @rule(data=st.data())
        def cancel(self, data: st.DataObject) -> None:
            job_id = data.draw(st.sampled_from(sorted(self.jobs)))
            m = self.jobs[job_id]
            if m.status in FINISHED:
                with pytest.raises(JobStateError):
                    db.run(db.queue.cancel(job_id))
                return
            db.run(db.queue.cancel(job_id))
            m.cancel_requested = True
            if m.status in WAITING:
                m.status = "cancelled"

        @precondition(lambda self: self.jobs)
        @rule(data=st.data())
        def retry(self, data: st.DataObject) -> None:
            job_id = data.draw(st.sampled_from(sorted(self.jobs)))
            m = self.jobs[job_id]
            if m.status not in ("failed", "cancelled"):
                with pytest.raises(JobStateError):
                    db.run(db.queue.retry(job_id))
                return
            db.run(db.queue.retry(job_id))
            m.status, m.attempts, m.cancel_requested = "queued", 0, False

        @rule()
        def replay(self) -> None:
            dead = [m for m in self.jobs.values() if m.status == "failed"]
            assert db.run(db.queue.replay_failed()) == len(dead)
            for m in dead:
                m.status, m.attempts, m.cancel_requested = "queued", 0, False

        @rule()
        def rescue(self) -> None:
            """Every running job's lease runs out, and the rescue duty runs."""
            schema = db.queue.schema
            db.run(
                db.storage.pool.execute(
                    f"UPDATE \"{schema}\".jobs SET lease_expires_at = now() - interval '1s' "
                    "WHERE status = 'running'"
                )
            )
            db.run(db.storage.run_duty("rescue", "rescue_expired_leases", 1000))
            for job_id, m in self.jobs.items():
                if m.status != "running":
                    continue
                if m.cancel_requested:
                    self._ends(job_id, "cancelled")
                elif not m.suspect:  # its first lost lease: the attempt given back
                    m.attempts -= 1
                    self._ends(job_id, "retrying")
                else:
                    self._ends(job_id, "failed" if m.attempts >= m.max_attempts else "retrying")
                m.suspect = True

        # --- the model's own steps ------------------------------------------------------------

        def _holds(self, job_id: uuid.UUID, token: uuid.UUID) -> bool:
            m = self.jobs[job_id]
            return m.status == "running" and m.token == token

        def _ends(self, job_id: uuid.UUID, status: str) -> None:
            m = self.jobs[job_id]
            m.status, m.token = status, None

        # --- what must hold after every step --------------------------------------------

        @invariant()
        def the_table_agrees_with_the_rules(self) -> None:
            rows = db.rows()
            assert set(rows) == set(self.jobs)  # nothing lost, nothing made up
            for job_id, m in self.jobs.items():
                row = rows[job_id]
                found = (row["status"], row["attempts"], row["suspect"], row["cancel_requested"])
                assert found == (m.status, m.attempts, m.suspect, m.cancel_requested), job_id
                assert row["lease_token"] == m.token

        @invariant()
        def limits_hold(self) -> None:
            running_suspects: dict[str, int] = {}
            for row in db.rows().values():
                numbers = [a["number"] for a in _history(row)]
                assert row["attempts"] <= row["max_attempts"]
                assert all(n <= row["max_attempts"] for n in numbers)
                if row["status"] == "running" and row["suspect"]:
                    worker = row["worker_id"]
                    running_suspects[worker] = running_suspects.get(worker, 0) + 1
            assert all(count <= 1 for count in running_suspects.values())

    return JobStateMachine


def _history(row: asyncpg.Record) -> list[dict[str, Any]]:
    history: list[dict[str, Any]] = json.loads(row["history"])
    return history


@pytest.fixture
def database(database_url: str, schema_name: str) -> Iterator[Database]:
    opened = Database(database_url, schema_name)
    yield opened
    opened.close()


def test_any_sequence_of_operations_keeps_the_rules(database: Database) -> None:
    machine = machine_for(database)
    machine.TestCase.settings = settings(
        max_examples=25,
        stateful_step_count=30,
        deadline=None,
        database=None,  # no example files left behind
        suppress_health_check=[HealthCheck.too_slow],
    )
    machine.TestCase().runTest()
