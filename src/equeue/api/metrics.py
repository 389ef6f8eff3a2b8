"""``/metrics``: fleet-wide numbers from the database plus this process's own.

Workers run in other processes, so what they did is read from the database at scrape
time: the counters and histograms kept by the job triggers (migration 0002), the queue
depth by status and the live workers. Process-local metrics cover what this API process
does itself: jobs it enqueued and how long requests take.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.metrics_core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.utils import floatToGoString

from equeue.records import StatCell
from equeue.worker.stats import BUCKETS as STAT_BUCKETS

#: The bucket bounds of the run and wait histograms, as the workers count them.
BUCKETS = STAT_BUCKETS
_COUNTERS = {
    "enqueued": "Jobs enqueued",
    "succeeded": "Jobs that succeeded",
    "failed": "Jobs that failed for good (dead-lettered)",
    "retried": "Failed attempts followed by a retry",
    "cancelled": "Jobs cancelled",
    "late_outcomes_refused": "Outcomes a worker reported after its lease was taken over: "
    "refused, they changed nothing",
}
_HISTOGRAMS = {
    "run_seconds": "How long attempts ran",
    "wait_seconds": "How long jobs waited, runnable, before a worker took them",
}


class ApiMetrics:
    """This process's own metrics, in a registry of its own (one per router)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.enqueued = Counter(
            "equeue_api_jobs_enqueued",
            "Jobs enqueued through this API process",
            ["queue", "task"],
            registry=self.registry,
        )
        self.request_seconds = Histogram(
            "equeue_api_request_duration_seconds",
            "API request latency",
            ["method", "route", "status"],
            registry=self.registry,
        )

    def render(
        self, cells: list[StatCell], depth: dict[str, dict[str, int]], workers_alive: int
    ) -> bytes:
        fleet = CollectorRegistry(auto_describe=False)
        fleet.register(_FleetSnapshot(cells, depth, workers_alive))
        return generate_latest(fleet) + generate_latest(self.registry)


class _FleetSnapshot:
    """A collector over numbers read from the database just before the scrape."""

    def __init__(
        self, cells: list[StatCell], depth: dict[str, dict[str, int]], workers_alive: int
    ) -> None:
        self.cells = cells
        self.depth = depth
        self.workers_alive = workers_alive

    def collect(self) -> Iterator[Metric]:
        yield from self._counters()
        yield from self._histograms()
        jobs = GaugeMetricFamily(
            "equeue_jobs", "Jobs by queue and status", labels=["queue", "status"]
        )
        for queue, by_status in sorted(self.depth.items()):
            for status, count in sorted(by_status.items()):
                jobs.add_metric([queue, status], count)
        yield jobs
        yield GaugeMetricFamily(
            "equeue_workers_alive", "Workers seen recently", value=self.workers_alive
        )

    def _counters(self) -> Iterator[Metric]:
        for metric, doc in _COUNTERS.items():
            family = CounterMetricFamily(f"equeue_jobs_{metric}", doc, labels=["queue", "task"])
            for cell in self.cells:
                if cell.metric == metric:
                    family.add_metric([cell.queue, cell.task], cell.n)
            yield family

    def _histograms(self) -> Iterator[Metric]:
        for metric, doc in _HISTOGRAMS.items():
            family = HistogramMetricFamily(f"equeue_job_{metric}", doc, labels=["queue", "task"])
            per_series: dict[tuple[str, str], dict[float, StatCell]] = defaultdict(dict)
            for cell in self.cells:
                if cell.metric == metric:
                    per_series[cell.queue, cell.task][cell.le] = cell
            for (queue, task), by_le in sorted(per_series.items()):
                running, buckets = 0, []
                for bound in (*BUCKETS, float("inf")):
                    found = by_le.get(bound)
                    running += found.n if found else 0
                    buckets.append((floatToGoString(bound), running))  # type: ignore[no-untyped-call]
                total = sum(c.total for c in by_le.values())
                family.add_metric([queue, task], buckets, total)
            yield family
