"""An in-memory implementation of the worker's storage seam (``WorkerStorage``).

It keeps jobs and one hand-off offer per worker the way the SQL statements do, only as
far as the worker's decisions can tell: claims in order, fenced outcomes (a write for a
lease token no longer current does not land), cancels that need a request, releases
that give a job back. Every call is recorded, and a call can be made to fail.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from equeue.storage import Claimed, Executor, Failure, Handoff, Lease, Offer, Renewed
from equeue.storage.seam import Ack, StatRow


@dataclass
class FakeJob:
    id: uuid.UUID
    task: str
    queue: str = "default"
    payload: dict[str, Any] = field(default_factory=dict)
    status: str = "queued"
    attempts: int = 0
    max_attempts: int = 5
    timeout: float | None = None
    worker: str | None = None
    token: uuid.UUID | None = None
    cancel_requested: bool = False
    result: str | None = None
    error: str | None = None

    def held_as(self) -> Claimed:
        assert self.token is not None
        return Claimed(
            id=self.id,
            task=self.task,
            queue=self.queue,
            payload=json.dumps(self.payload),
            priority=0,
            attempts=self.attempts,
            max_attempts=self.max_attempts,
            timeout=self.timeout,
            lease_token=self.token,
            waited=0.0,
        )

    def holds(self, token: uuid.UUID) -> bool:
        return self.status == "running" and self.token == token


@dataclass
class FakeOffer:
    """A worker's ``idle_workers`` row."""

    generation: int
    open: bool = True
    handed: uuid.UUID | None = None


class FakeStorage:
    """The jobs table and the offers, in memory; see the module's docstring."""

    def __init__(self) -> None:
        self.jobs: dict[uuid.UUID, FakeJob] = {}
        self.offers: dict[str, FakeOffer] = {}
        self.calls: list[tuple[str, int]] = []  #: (method, how many rows it carried)
        self.claims: list[Offer] = []  #: the offer each claim statement was sent
        self.stats: list[StatRow] = []
        self._failing: Counter[str] = Counter()

    # --- what tests do ---------------------------------------------------------------------

    def add(self, task: str, **fields: Any) -> FakeJob:
        job = FakeJob(uuid.uuid4(), task, **fields)
        self.jobs[job.id] = job
        return job

    def fail_next(self, method: str, times: int = 1) -> None:
        """Make the next ``times`` calls of ``method`` raise, as a lost connection would."""
        self._failing[method] += times

    def calls_of(self, method: str) -> list[int]:
        return [rows for name, rows in self.calls if name == method]

    def hand_over(self, job: FakeJob, worker_id: str) -> str | None:
        """An enqueue finding ``worker_id``'s offer open: the job is written as running for
        it, the offer closes on it; returns the notification sent, or None (no offer)."""
        offer = self.offers.get(worker_id)
        if offer is None or not offer.open:
            return None
        self._start(job, worker_id)
        offer.open, offer.handed = False, job.id
        return f"h:{offer.generation} {job.id} {worker_id}"

    # --- the seam ----------------------------------------------------------------------------

    async def register_tasks(
        self,
        rows: Sequence[tuple[str, str, int, int, float | None]],
        *,
        executor: Executor | None = None,
    ) -> None:
        self._call("register_tasks", len(rows))

    async def register_worker(
        self,
        worker_id: str,
        host: str,
        pid: int,
        queues: list[str] | None,
        concurrency: int,
        held: int = 0,
        *,
        lease_seconds: float | None = None,
        executor: Executor | None = None,
    ) -> None:
        self._call("register_worker", 1)

    async def report_worker_threads(
        self, worker_id: str, abandoned: int, paused: bool, *, executor: Executor | None = None
    ) -> None:
        self._call("report_worker_threads", 1)

    async def delete_worker(self, worker_id: str, *, executor: Executor | None = None) -> None:
        self._call("delete_worker", 1)

    async def add_job_stats(
        self, rows: Sequence[StatRow], shard: int, *, executor: Executor | None = None
    ) -> None:
        self._call("add_job_stats", len(rows))
        self.stats.extend(rows)

    def limit_wait(self, worker_id: str) -> float | None:
        return None  # no limits here

    async def claim(
        self,
        worker_id: str,
        queues: list[str] | None,
        limit: int,
        lease_seconds: float,
        offer: Offer | None = None,
        skip_tasks: list[str] | None = None,
        *,
        executor: Executor | None = None,
    ) -> list[Claimed]:
        self._call("claim", limit)
        offer = offer or Offer()
        self.claims.append(offer)
        row = self.offers.get(worker_id)
        collected: list[Claimed] = []
        if offer.may_be_open and row is not None and row.handed not in (None, offer.seen):
            handed = self.jobs[row.handed]  # type: ignore[index]
            if handed.status == "running" and handed.worker == worker_id:
                collected.append(handed.held_as())
        waiting = [
            job
            for job in self.jobs.values()
            if job.status in ("queued", "retrying")
            and (queues is None or job.queue in queues)
            and (skip_tasks is None or job.task not in skip_tasks)
        ]
        for job in waiting[: limit - len(collected)]:
            self._start(job, worker_id)
            collected.append(job.held_as())
        if offer.listener_pid is not None and len(collected) < limit:
            self.offers[worker_id] = FakeOffer(offer.next_generation)
        elif offer.may_be_open and row is not None:
            row.open, row.handed = False, None
        return collected

    async def read_handed(
        self, worker_id: str, handoff: Handoff, *, executor: Executor | None = None
    ) -> Claimed | None:
        self._call("read_handed", 1)
        row = self.offers.get(worker_id)
        job = self.jobs.get(handoff.job_id)
        if row is None or row.generation != handoff.generation or row.handed != handoff.job_id:
            return None
        if job is None or job.status != "running" or job.worker != worker_id:
            return None
        return job.held_as()

    async def cancel_is_requested(
        self, job_id: uuid.UUID, token: uuid.UUID, *, executor: Executor | None = None
    ) -> bool:
        self._call("cancel_is_requested", 1)
        job = self.jobs.get(job_id)
        return job is not None and job.holds(token) and job.cancel_requested

    async def withdraw_offer(
        self, worker_id: str, seen: uuid.UUID | None, *, executor: Executor | None = None
    ) -> list[Lease]:
        self._call("withdraw_offer", 1)
        row = self.offers.pop(worker_id, None)
        if row is None or row.handed is None or row.handed == seen:
            return []
        job = self.jobs[row.handed]
        return [(job.id, job.token)] if job.token is not None else []

    async def renew_leases(
        self,
        worker_id: str,
        held: Sequence[Lease],
        lease_seconds: float,
        *,
        executor: Executor | None = None,
    ) -> list[Renewed]:
        self._call("renew_leases", len(held))
        return [
            Renewed(job_id, self.jobs[job_id].cancel_requested)
            for job_id, token in held
            if job_id in self.jobs and self.jobs[job_id].holds(token)
        ]

    async def complete(
        self, done: Sequence[Ack], *, executor: Executor | None = None
    ) -> set[uuid.UUID]:
        self._call("complete", len(done))
        landed = set()
        for job_id, token, result in done:
            job = self.jobs.get(job_id)
            if job is not None and job.holds(token):
                job.status, job.result, job.token = "succeeded", result, None
                landed.add(job_id)
        return landed

    async def fail(
        self, failures: Sequence[Failure], *, executor: Executor | None = None
    ) -> dict[uuid.UUID, str]:
        self._call("fail", len(failures))
        statuses = {}
        for failure in failures:
            job = self.jobs.get(failure.id)
            if job is not None and job.holds(failure.token):
                if job.cancel_requested:
                    job.status = "cancelled"
                else:
                    job.status = "failed" if job.attempts >= job.max_attempts else "retrying"
                job.error, job.token = failure.error, None
                statuses[job.id] = job.status
        return statuses

    async def mark_cancelled(
        self, held: Sequence[Lease], *, executor: Executor | None = None
    ) -> set[uuid.UUID]:
        self._call("mark_cancelled", len(held))
        landed = set()
        for job_id, token in held:
            job = self.jobs.get(job_id)
            if job is not None and job.holds(token) and job.cancel_requested:
                job.status, job.token = "cancelled", None
                landed.add(job_id)
        return landed

    async def release(
        self, held: Sequence[Lease], *, executor: Executor | None = None
    ) -> set[uuid.UUID]:
        self._call("release", len(held))
        landed = set()
        for job_id, token in held:
            job = self.jobs.get(job_id)
            if job is not None and job.holds(token):
                if job.cancel_requested:
                    job.status = "cancelled"
                else:
                    job.status, job.attempts = "queued", max(job.attempts - 1, 0)
                job.token, job.worker = None, None
                landed.add(job_id)
        return landed

    async def write_progress(
        self,
        job_id: uuid.UUID,
        token: uuid.UUID,
        fraction: float,
        message: str | None,
        *,
        executor: Executor | None = None,
    ) -> bool:
        self._call("write_progress", 1)
        job = self.jobs.get(job_id)
        return job is not None and job.holds(token)

    # --- inside ------------------------------------------------------------------------------

    def _call(self, method: str, rows: int) -> None:
        self.calls.append((method, rows))
        if self._failing[method]:
            self._failing[method] -= 1
            raise ConnectionError(f"{method}: connection lost (as the test asked)")

    def _start(self, job: FakeJob, worker_id: str) -> None:
        job.status, job.worker, job.token = "running", worker_id, uuid.uuid4()
        job.attempts += 1
