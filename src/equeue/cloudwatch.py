"""Queue metrics for Amazon CloudWatch, so that workers can scale on the queue itself.

``python -m equeue.cloudwatch`` reads, every ``--interval`` seconds, what ``GET /v1/queues``
shows (jobs by status, the age of the oldest runnable job, jobs finished recently) and
publishes it with ``PutMetricData`` (boto3, the ``aws`` extra). One process is enough for
the whole fleet: the numbers come from the database, not from the workers.

Metrics, in the namespace given by ``--namespace``:

============== ======= =======================================================
QueueDepth     Count   jobs ``queued``: runnable now, waiting for a worker
OldestJobAge   Seconds how long the oldest runnable job has waited (0: none)
RunningJobs    Count   jobs ``running``
JobsSucceeded  Count   jobs that succeeded during the last interval
JobsFailed     Count   jobs that failed for good during the last interval
============== ======= =======================================================

Each is published once per queue (dimension ``Queue``) and once for the fleet (no
dimension). The fleet figures leave out paused queues, whose jobs no added worker could
take, and with ``--queues`` every queue but those named: they are what the workers'
scaling acts on.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import time
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from equeue import runner
from equeue.queue import Queue
from equeue.records import QueueStats
from equeue.settings import Settings, SettingsError

DEFAULT_NAMESPACE = "equeue"
DEFAULT_INTERVAL = 60.0
#: The most metric data ``PutMetricData`` accepts in one request.
MAX_DATA_PER_REQUEST = 1000

log = logging.getLogger("equeue.cloudwatch")


class MetricsClient(Protocol):
    """The part of a boto3 CloudWatch client the exporter uses."""

    def put_metric_data(self, **kwargs: Any) -> Any: ...


def metric_data(
    stats: Sequence[QueueStats], scaled_queues: Iterable[str] | None = None
) -> list[dict[str, Any]]:
    """The ``MetricData`` entries for one reading of every queue's statistics.

    ``scaled_queues`` names the queues the fleet figures cover (all when ``None``).
    """
    covered = None if scaled_queues is None else set(scaled_queues)
    data: list[dict[str, Any]] = []
    for queue in stats:
        data += _entries(_figures([queue]), [{"Name": "Queue", "Value": queue.name}])
    fleet = [q for q in stats if not q.paused and (covered is None or q.name in covered)]
    data += _entries(_figures(fleet), [])
    return data


def _figures(stats: Sequence[QueueStats]) -> list[tuple[str, float, str]]:
    """Name, value and unit of each metric over these queues together."""
    ages = [q.oldest_queued_age for q in stats if q.oldest_queued_age is not None]
    return [
        ("QueueDepth", sum(q.counts.get("queued", 0) for q in stats), "Count"),
        ("OldestJobAge", max(ages, default=0.0), "Seconds"),
        ("RunningJobs", sum(q.counts.get("running", 0) for q in stats), "Count"),
        ("JobsSucceeded", sum(q.succeeded_recent for q in stats), "Count"),
        ("JobsFailed", sum(q.failed_recent for q in stats), "Count"),
    ]


def _entries(
    figures: list[tuple[str, float, str]], dimensions: list[dict[str, str]]
) -> list[dict[str, Any]]:
    return [
        {"MetricName": name, "Dimensions": dimensions, "Value": float(value), "Unit": unit}
        for name, value, unit in figures
    ]


def publish(client: MetricsClient, namespace: str, data: list[dict[str, Any]]) -> None:
    """Send ``data`` to CloudWatch, as few requests as the per-request limit allows."""
    for start in range(0, len(data), MAX_DATA_PER_REQUEST):
        client.put_metric_data(
            Namespace=namespace, MetricData=data[start : start + MAX_DATA_PER_REQUEST]
        )


async def export_once(
    queue: Queue,
    client: MetricsClient,
    *,
    namespace: str = DEFAULT_NAMESPACE,
    interval: float = DEFAULT_INTERVAL,
    scaled_queues: Iterable[str] | None = None,
) -> list[dict[str, Any]]:
    """Read the queues' statistics once and publish them; returns what was published.

    Jobs finished within the last ``interval`` seconds are counted, so that readings
    ``interval`` apart add up to every finished job.
    """
    stats = await queue.admin.queue_stats(interval)
    data = metric_data(stats, scaled_queues)
    # boto3 blocks: keep it off the event loop, which holds the database pool.
    await asyncio.to_thread(publish, client, namespace, data)
    return data


async def export_forever(
    queue: Queue,
    client: MetricsClient,
    *,
    namespace: str = DEFAULT_NAMESPACE,
    interval: float = DEFAULT_INTERVAL,
    scaled_queues: Iterable[str] | None = None,
) -> None:
    """Publish every ``interval`` seconds until cancelled.

    A failed round is logged and the next one goes on: an exporter that stopped would
    leave the workers' scaling without data (the stack's alarms treat missing data as a
    problem, so a lasting failure is seen).
    """
    queues = None if scaled_queues is None else list(scaled_queues)
    while True:
        started = time.monotonic()
        try:
            data = await export_once(
                queue, client, namespace=namespace, interval=interval, scaled_queues=queues
            )
            log.info("published %d metric values to %s", len(data), namespace)
        except Exception:
            log.exception("could not publish queue metrics; trying again in %.0f s", interval)
        await asyncio.sleep(max(0.0, interval - (time.monotonic() - started)))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m equeue.cloudwatch",
        description="Publish queue depth, oldest job age and finished jobs to CloudWatch. "
        "The database comes from EQUEUE_DATABASE_URL and EQUEUE_SCHEMA (or EQUEUE_CONFIG).",
    )
    parser.add_argument("--namespace", default=DEFAULT_NAMESPACE, help="CloudWatch namespace")
    parser.add_argument(
        "--interval", type=float, default=DEFAULT_INTERVAL, help="seconds between readings"
    )
    parser.add_argument(
        "--queues", default="", help="comma-separated queues the fleet figures cover [all]"
    )
    parser.add_argument("--once", action="store_true", help="publish once and exit")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """The command: ``python -m equeue.cloudwatch [--namespace N] [--interval S] ...``."""
    args = _parser().parse_args(argv)
    if args.interval < 1:
        _parser().error("--interval must be at least 1 second")
    try:
        settings = Settings.load()
    except SettingsError as exc:
        _parser().error(str(exc))
    if not settings.database_url:
        _parser().error("no database: set EQUEUE_DATABASE_URL")
    try:
        boto3 = importlib.import_module("boto3")
    except ImportError:
        _parser().error("boto3 is missing: install equeue[aws]")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    scaled = [q.strip() for q in args.queues.split(",") if q.strip()] or None
    options = {"namespace": args.namespace, "interval": args.interval, "scaled_queues": scaled}
    client = boto3.client("cloudwatch")
    runner.run(_run(settings, client, args.once, options))
    return 0


async def _run(
    settings: Settings, client: MetricsClient, once: bool, options: dict[str, Any]
) -> None:
    async with Queue.from_settings(settings, pool_min_size=1, pool_max_size=2) as queue:
        if once:
            await export_once(queue, client, **options)
        else:
            await export_forever(queue, client, **options)


if __name__ == "__main__":
    raise SystemExit(main())
