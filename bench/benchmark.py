"""equeue's own benchmark: how fast jobs go in, come out, and get picked up.

``python -m bench.benchmark`` (or ``equeue bench``, both from the repository's root)
measures, on one PostgreSQL:

- ``enqueue``: batch enqueue of no-op jobs through :meth:`Queue.enqueue_many`;
- ``drain``: those jobs drained by one worker process, from the first job started to
  the last outcome written (acknowledged, not merely run);
- ``limited``: the same drain, with a limited queue beside (concurrency and rate,
  docs/limits.md) that the same worker also serves: the unlimited queue's throughput;
- ``latency``: jobs enqueued one at a time at a fixed rate while an idle worker waits in
  another process; latency is handler start minus the moment just before ``enqueue``;
- ``processes``: the drain with several worker processes;
- ``explain``: the claim statement's EXPLAIN ANALYZE with 0 and with many finished jobs
  in the table (history that a long-lived deployment keeps);
- ``prune``: retention pruning as a worker's maintenance runs it (default settings:
  bounded rounds, a pause between them while behind), from a backlog of expired finished
  jobs to none; jobs deleted per second, pauses included;
- ``history``: the archive duty moving finished jobs to job_history, and retention
  dropping their daily partitions whole (``bench/history.py``);
- ``http``: single and batch enqueue over the REST API (``equeue api`` in another
  process, the single jobs posted by processes of their own), and enqueue → succeeded
  through the whole stack, when the API is installed;
- ``http_processes``: single enqueue against ``equeue api --workers <http_processes>``;
- ``pgbouncer``: single enqueue over HTTP and the drain, through a real PgBouncer in
  transaction mode (``bench/pooled.py``);
- ``fleet``: ``fleet_processes`` worker processes, each on a host of its own, drain
  together; per-host throughput and claim contention (``bench/fleet.py``);
- ``http-workers``: a queue drained by 1 and by 4 workers over HTTP (batch claims, one
  completion per job) through the REST API, when it is installed;
- ``reads``: what a dashboard and Prometheus poll (``GET /v1/queues``, ``GET /metrics``,
  filtered pages of ``GET /v1/jobs``) over HTTP, at growing histories of finished jobs
  (``--reads-history``), when the API is installed.

Each scenario runs in a fresh schema. Results print as a table and, with ``--json``,
as JSON that the side-by-side harness (``bench/run.py``) reads.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import importlib.util
import json
import os
import socket
import statistics
import sys
from collections.abc import Awaitable, Callable, Sequence

from bench.common import DEFAULT_DSN, SCENARIOS, Settings
from bench.fleet import measure_fleet
from bench.history import measure_history
from bench.limited import measure_limited
from bench.scenarios import (
    measure_drain,
    measure_enqueue,
    measure_explain,
    measure_latency,
    measure_processes,
    measure_prune,
    run_child,
)
from equeue import runner

#: Scenarios whose figure is one run's worth (too slow, or deterministic, to repeat).
SINGLE_RUN = frozenset({"explain", "reads"})


def http_available() -> bool:
    """Whether the REST API is installed (the HTTP rows need it)."""
    return importlib.util.find_spec("equeue.api") is not None and _has_create_app()


def _has_create_app() -> bool:
    try:
        module = importlib.import_module("equeue.api")
    except Exception:
        return False
    return hasattr(module, "create_app")


MEASURES: dict[str, Callable[[Settings], Awaitable[dict[str, float]]]] = {
    "enqueue": measure_enqueue,
    "drain": measure_drain,
    "limited": measure_limited,
    "latency": measure_latency,
    "processes": measure_processes,
    "explain": measure_explain,
    "prune": measure_prune,
    "history": measure_history,
    "fleet": measure_fleet,
}


#: Scenarios that serve the REST API (imported only when it is installed).
HTTP_SCENARIOS = frozenset({"http", "http_processes", "pgbouncer", "http-workers", "reads"})


def _http_measure(name: str) -> Callable[[Settings], Awaitable[dict[str, float]]]:
    """The scenario ``name`` that needs the REST API (imported only when it is there)."""
    if name == "reads":
        from bench.reads import measure_reads

        return measure_reads
    if name == "pgbouncer":
        from bench.pooled import measure_pgbouncer

        return measure_pgbouncer
    if name == "http-workers":
        from bench.http_workers import measure_http_workers

        return measure_http_workers
    from bench.http_rows import measure_http, measure_http_processes

    return measure_http if name == "http" else measure_http_processes


# --- running and reporting ---------------------------------------------------------------


async def run(settings: Settings, log: Callable[[str], None]) -> dict[str, list[float]]:
    """Every chosen scenario, ``runs`` times each; each metric's values in run order."""
    values: dict[str, list[float]] = {}
    for name in settings.scenarios:
        measure = MEASURES.get(name)
        if name in HTTP_SCENARIOS:
            if not http_available():
                log(f"{name}: not measured: the REST API (equeue.api) is not installed")
                continue
            measure = _http_measure(name)
        if measure is None:
            raise ValueError(f"unknown scenario {name!r}; choose from {', '.join(SCENARIOS)}")
        runs = 1 if name in SINGLE_RUN else settings.runs
        for number in range(1, runs + 1):
            result = await measure(settings)
            log(f"{name} run {number}/{runs}: " + _describe(result))
            for key, value in result.items():
                values.setdefault(key, []).append(value)
    return values


def _describe(result: dict[str, float]) -> str:
    return ", ".join(f"{key}={value:,.2f}" for key, value in result.items())


def summarize(values: dict[str, list[float]]) -> dict[str, dict[str, float]]:
    """Median, min and max of each metric."""
    return {
        key: {"median": statistics.median(vs), "min": min(vs), "max": max(vs), "runs": len(vs)}
        for key, vs in values.items()
    }


def format_table(summary: dict[str, dict[str, float]]) -> str:
    """A plain-text table: metric, median, min-max."""
    lines = [f"{'metric':<28} {'median':>12}  {'min - max':>26}"]
    for key, s in summary.items():
        spread = f"{s['min']:,.1f} - {s['max']:,.1f}"
        lines.append(f"{key:<28} {s['median']:>12,.1f}  {spread:>26}")
    return "\n".join(lines)


def _parser() -> argparse.ArgumentParser:
    defaults = Settings()
    p = argparse.ArgumentParser(prog="equeue bench", description=__doc__.split("\n\n")[0])
    p.add_argument("--dsn", default=os.environ.get("EQUEUE_DATABASE_URL", DEFAULT_DSN))
    p.add_argument("--schema", default=defaults.schema)
    p.add_argument("--jobs", type=int, default=defaults.jobs)
    p.add_argument("--chunk", type=int, default=defaults.chunk)
    p.add_argument("--concurrency", type=int, default=defaults.concurrency)
    p.add_argument("--claim-batch", type=int, default=defaults.claim_batch)
    p.add_argument("--latency-jobs", type=int, default=defaults.latency_jobs)
    p.add_argument("--rate", type=float, default=defaults.rate)
    p.add_argument("--processes", type=int, default=defaults.processes)
    p.add_argument("--history-rows", type=int, default=defaults.history_rows)
    p.add_argument("--prune-jobs", type=int, default=defaults.prune_jobs)
    p.add_argument("--http-jobs", type=int, default=defaults.http_jobs)
    p.add_argument("--http-clients", type=int, default=defaults.http_clients)
    p.add_argument("--http-processes", type=int, default=defaults.http_processes)
    p.add_argument("--http-load-processes", type=int, default=defaults.http_load_processes)
    p.add_argument("--fleet-processes", type=int, default=defaults.fleet_processes)
    p.add_argument("--fleet-jobs", type=int, default=defaults.fleet_jobs)
    p.add_argument(
        "--reads-history",
        type=_sizes,
        default=defaults.reads_history,
        help="finished jobs behind the polled reads, comma-separated sizes (default %(default)s)",
    )
    p.add_argument("--reads-requests", type=int, default=defaults.reads_requests)
    p.add_argument("--runs", type=int, default=defaults.runs)
    p.add_argument("--scenario", nargs="+", choices=SCENARIOS, default=list(SCENARIOS))
    p.add_argument("--json", help="write the results here as JSON ('-' for stdout)")
    p.add_argument(
        "--role", choices=("latency-worker", "drain-worker", "fleet-worker"), help=argparse.SUPPRESS
    )
    return p


def _sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(sorted({int(part) for part in text.split(",")}))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not comma-separated numbers: {text!r}") from None
    if not sizes or sizes[0] < 0:
        raise argparse.ArgumentTypeError("sizes are numbers of jobs, 0 or more")
    return sizes


def _settings(args: argparse.Namespace) -> Settings:
    return Settings(
        dsn=args.dsn,
        schema=args.schema,
        jobs=args.jobs,
        chunk=args.chunk,
        concurrency=args.concurrency,
        claim_batch=args.claim_batch,
        latency_jobs=args.latency_jobs,
        rate=args.rate,
        processes=args.processes,
        history_rows=args.history_rows,
        prune_jobs=args.prune_jobs,
        http_jobs=args.http_jobs,
        http_clients=args.http_clients,
        http_processes=args.http_processes,
        http_load_processes=args.http_load_processes,
        fleet_processes=args.fleet_processes,
        fleet_jobs=args.fleet_jobs,
        reads_history=args.reads_history,
        reads_requests=args.reads_requests,
        runs=args.runs,
        scenarios=list(args.scenario),
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; returns the process exit status."""
    args = _parser().parse_args(list(argv) if argv is not None else None)
    settings = _settings(args)
    if args.role:
        with contextlib.suppress(KeyboardInterrupt):
            runner.run(run_child(args.role, settings))
        return 0

    def log(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    log(f"equeue benchmark on {socket.gethostname()}, {os.cpu_count()} cores: {args.dsn}")
    values = runner.run(run(settings, log))
    summary = summarize(values)
    report = {
        "system": "equeue",
        "settings": {
            "jobs": settings.jobs,
            "chunk": settings.chunk,
            "concurrency": settings.concurrency,
            "claim_batch": settings.claim_batch,
            "processes": settings.processes,
            "latency_jobs": settings.latency_jobs,
            "rate": settings.rate,
            "history_rows": settings.history_rows,
            "prune_jobs": settings.prune_jobs,
            "http_jobs": settings.http_jobs,
            "http_clients": settings.http_clients,
            "http_processes": settings.http_processes,
            "http_load_processes": settings.http_load_processes,
            "fleet_processes": settings.fleet_processes,
            "fleet_jobs": settings.fleet_jobs,
            "reads_history": list(settings.reads_history),
            "reads_requests": settings.reads_requests,
            "runs": settings.runs,
        },
        "values": values,
        "summary": summary,
    }
    if args.json == "-":
        print(json.dumps(report, indent=2))
    else:
        print(format_table(summary))
        if args.json:
            with open(args.json, "w", encoding="utf-8") as out:
                json.dump(report, out, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
