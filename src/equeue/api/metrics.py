"""``/metrics``: fleet-wide numbers from the database plus this process's own.

Workers run in other processes, so what they did is read from the database at scrape
time: the counters and histograms kept by the job triggers (migration 0002), the queue
depth by status (counters, migration 0009), the live workers and the tables' health.
Process-local metrics cover what this API process does itself: jobs it enqueued and how
long requests take.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.metrics_core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.utils import floatToGoString

from equeue.records import StatCell, TableHealth, TableInfo
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
        self,
        cells: list[StatCell],
        depth: dict[str, dict[str, int]],
        workers_alive: int,
        health: TableHealth,
    ) -> bytes:
        fleet = CollectorRegistry(auto_describe=False)
        fleet.register(_FleetSnapshot(cells, depth, workers_alive))
        fleet.register(_TablesSnapshot(health))
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


#: The table health as gauges: (name, help, the value of a table).
_TABLE_GAUGES: tuple[tuple[str, str, Callable[[TableInfo], float]], ...] = (
    ("equeue_table_size_bytes", "Table size with indexes and TOAST", lambda t: t.total_bytes),
    ("equeue_table_index_size_bytes", "Size of the table's indexes", lambda t: t.index_bytes),
    ("equeue_table_live_rows", "Live rows (PostgreSQL's estimate)", lambda t: t.live_rows),
    ("equeue_table_dead_rows", "Dead rows not vacuumed yet", lambda t: t.dead_rows),
    ("equeue_table_partitions", "Partitions of a partitioned table", lambda t: t.partitions),
)


class _TablesSnapshot:
    """The schema's tables and the vacuum horizon, read just before the scrape (see
    docs/deploy.md for the thresholds worth an alert)."""

    def __init__(self, health: TableHealth) -> None:
        self.health = health

    def collect(self) -> Iterator[Metric]:
        for name, doc, value in _TABLE_GAUGES:
            family = GaugeMetricFamily(name, doc, labels=["table"])
            for table in self.health.tables:
                family.add_metric([table.name], value(table))
            yield family
        h = self.health.horizon
        held = GaugeMetricFamily(
            "equeue_vacuum_held_back_transactions",
            "How many transactions back the oldest holder of each kind keeps vacuum (0: none)",
            labels=["holder"],
        )
        for holder, age in (
            ("session", h.session_xmin_age),
            ("replication_slot", h.slot_xmin_age),
            ("prepared_transaction", h.prepared_xmin_age),
        ):
            held.add_metric([holder], age or 0)
        yield held
        yield GaugeMetricFamily(
            "equeue_oldest_snapshot_seconds",
            "How long the session holding the oldest snapshot has had its transaction open",
            value=h.session_seconds or 0.0,
        )
