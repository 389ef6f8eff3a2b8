"""The CloudWatch exporter reads real counts from PostgreSQL and publishes them; only the
CloudWatch client is a stand-in (there is no AWS here)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from equeue import Queue
from equeue.cloudwatch import export_once, main, metric_data, publish
from equeue.job import JobStatus
from tests.conftest import running_worker, wait_for_status

WAITED = 600.0  # how long ago the oldest "emails" job became runnable


class RecordingClient:
    """Stands in for ``boto3.client("cloudwatch")``: keeps every request."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []

    def put_metric_data(self, **kwargs: Any) -> None:
        self.requests.append(kwargs)


def entries(queue: str | None, depth: int, age: Any, running: int, ok: int, failed: int) -> list:
    dimensions = [] if queue is None else [{"Name": "Queue", "Value": queue}]
    return [
        {"MetricName": name, "Dimensions": dimensions, "Value": value, "Unit": unit}
        for name, value, unit in (
            ("QueueDepth", depth, "Count"),
            ("OldestJobAge", age, "Seconds"),
            ("RunningJobs", running, "Count"),
            ("JobsSucceeded", ok, "Count"),
            ("JobsFailed", failed, "Count"),
        )
    ]


@pytest.fixture
async def busy_queues(queue: Queue) -> Any:
    """default: one job running, one succeeded, one failed for good; emails: two queued,
    the older runnable for WAITED seconds; reports: paused, one queued."""
    release = asyncio.Event()

    @queue.task(name="cw.ok")
    async def ok() -> None:
        return None

    @queue.task(name="cw.boom", max_attempts=1)
    async def boom() -> None:
        raise RuntimeError("boom")

    @queue.task(name="cw.hold")
    async def hold() -> None:
        await release.wait()

    await queue.pause_queue("reports")
    await queue.enqueue("cw.ok", queue="reports")
    past = datetime.now(UTC) - timedelta(seconds=WAITED)
    await queue.enqueue("cw.ok", queue="emails", run_at=past)
    await queue.enqueue("cw.ok", queue="emails")
    async with running_worker(queue, queues=["default"]):
        succeeded = await queue.enqueue("cw.ok")
        failed = await queue.enqueue("cw.boom")
        held = await queue.enqueue("cw.hold")
        await wait_for_status(queue, succeeded.id, JobStatus.SUCCEEDED)
        await wait_for_status(queue, failed.id, JobStatus.FAILED)
        await wait_for_status(queue, held.id, JobStatus.RUNNING)
        yield queue
        release.set()


def split_age(data: list[dict[str, Any]], queue: str | None) -> float:
    """The OldestJobAge value for ``queue`` (None: the fleet), which moves with the clock."""
    dimensions = [] if queue is None else [{"Name": "Queue", "Value": queue}]
    [found] = [
        d for d in data if d["MetricName"] == "OldestJobAge" and d["Dimensions"] == dimensions
    ]
    return float(found["Value"])


async def test_publishes_each_queue_and_the_fleet_from_the_database(busy_queues: Queue) -> None:
    client = RecordingClient()
    started = datetime.now(UTC)

    data = await export_once(busy_queues, client, namespace="equeue/prod", interval=60)

    took = (datetime.now(UTC) - started).total_seconds()
    age = split_age(data, "emails")
    assert WAITED <= age <= WAITED + took + 5
    assert data == [
        *entries("default", 0, 0.0, 1, 1, 1),
        *entries("emails", 2, age, 0, 0, 0),
        *entries("reports", 1, split_age(data, "reports"), 0, 0, 0),
        # The paused queue's waiting job is left out of what the workers scale on.
        *entries(None, 2, age, 1, 1, 1),
    ]
    assert 0 <= split_age(data, "reports") <= took + 5
    assert client.requests == [{"Namespace": "equeue/prod", "MetricData": data}]


async def test_fleet_figures_cover_only_the_queues_the_workers_serve(busy_queues: Queue) -> None:
    data = await export_once(
        busy_queues, RecordingClient(), scaled_queues=["default", "reports"], interval=60
    )

    fleet = [d for d in data if d["Dimensions"] == []]
    assert fleet == entries(None, 0, 0.0, 1, 1, 1)


async def test_jobs_finished_before_the_interval_are_not_counted_again(
    busy_queues: Queue,
) -> None:
    finished, _ = await busy_queues.list_jobs(status="succeeded")
    failed, _ = await busy_queues.list_jobs(status="failed")
    latest = max(job.finished_at for job in [*finished, *failed] if job.finished_at)
    # A window shorter than the time since the last job finished: a reading taken one
    # interval after the previous one must not count those jobs again.
    window = (datetime.now(UTC) - latest).total_seconds() / 2

    data = await export_once(busy_queues, RecordingClient(), interval=window)

    fleet = {d["MetricName"]: d["Value"] for d in data if d["Dimensions"] == []}
    assert (fleet["JobsSucceeded"], fleet["JobsFailed"], fleet["RunningJobs"]) == (0, 0, 1)


def test_many_queues_are_sent_in_requests_within_the_service_limit() -> None:
    from equeue.records import QueueStats

    stats = [QueueStats(f"q{i:03d}", False, {"queued": i}, None, 0, 0) for i in range(250)]
    data = metric_data(stats)
    client = RecordingClient()

    publish(client, "equeue", data)

    assert len(data) == 251 * 5
    assert [len(r["MetricData"]) for r in client.requests] == [1000, 255]
    assert [d for r in client.requests for d in r["MetricData"]] == data


def test_the_command_refuses_to_start_without_a_database(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("EQUEUE_DATABASE_URL", raising=False)
    monkeypatch.delenv("EQUEUE_CONFIG", raising=False)

    with pytest.raises(SystemExit) as exited:
        main(["--once"])

    assert exited.value.code == 2
    assert "EQUEUE_DATABASE_URL" in capsys.readouterr().err
