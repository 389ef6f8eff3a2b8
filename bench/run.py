"""equeue side by side with its peers, on one PostgreSQL, with one command.

    python bench/run.py [--jobs 20000] [--runs 3] [--no-peers] [--history-rows N] ...

For each system, one after another, in a fresh database of its own: batch enqueue of
no-op jobs, the drain by one worker process, and pickup latency at a fixed rate with an
idle worker in another process (3 runs each; medians and min-max). equeue adds its own
rows (several worker processes, retention pruning, HTTP rows and the polled reads at
growing histories, with the claim query's EXPLAIN, when the API is installed). pgbench
measures the PostgreSQL ceiling for the same minimal SQL per job. Peers are installed
into bench/.venv-peers (never equeue dependencies).

Writes bench/results/latest.json and latest.md, and prints the table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent
PEERS_VENV = HERE / ".venv-peers"
PEER_SYSTEMS = ("pgqueuer", "procrastinate", "arq", "celery")
EQUEUE_SCENARIOS = (
    "enqueue", "drain", "latency", "processes", "explain", "prune", "history", "http",
    "http_processes", "pgbouncer", "fleet", "http-workers", "reads",
)  # fmt: skip
#: Run unless --only says otherwise. The claim statement's EXPLAIN with a history is one of
#: the reads rows (at each of their sizes), so the history is built once: no separate
#: "explain" scenario by default.
DEFAULT_EQUEUE_SCENARIOS = [name for name in EQUEUE_SCENARIOS if name != "explain"]
REDIS_SYSTEMS = frozenset({"celery", "arq"})
DEFAULT_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"

# Rows of the table: (metric, label, unit, higher is better).
ROWS = [
    ("enqueue_jobs_per_s", "batch enqueue", "jobs/s"),
    ("drain_jobs_per_s", "no-op drain, 1 worker process", "jobs/s"),
    ("latency_p50_ms", "pickup latency p50", "ms"),
    ("latency_p99_ms", "pickup latency p99", "ms"),
    ("latency_max_ms", "pickup latency max", "ms"),
]


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def with_database(dsn: str, name: str) -> str:
    return urlunsplit(urlsplit(dsn)._replace(path="/" + name))


def psql(dsn: str, *args: str) -> str:
    return subprocess.run(
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", dsn, *args],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def fresh_database(admin_dsn: str, name: str) -> str:
    psql(admin_dsn, "-c", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql(admin_dsn, "-c", f'CREATE DATABASE "{name}"')
    return with_database(admin_dsn, name)


def drop_database(admin_dsn: str, name: str) -> None:
    psql(admin_dsn, "-c", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def redis_answers(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or 6379), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def redis_url(args: argparse.Namespace, system: str) -> str:
    """Each Redis peer has a database index of its own, flushed before each run."""
    return str(args.celery_redis if system == "celery" else args.redis)


def ensure_peers() -> Path:
    """The peers' virtualenv, created and filled from the pinned requirements when needed."""
    python = PEERS_VENV / "bin" / "python"
    requirements = HERE / "peers" / "requirements.txt"
    stamp = PEERS_VENV / ".installed"
    if not python.exists():
        log(f"creating {PEERS_VENV}")
        subprocess.run([sys.executable, "-m", "venv", str(PEERS_VENV)], check=True)
    if not stamp.exists() or stamp.read_text() != requirements.read_text():
        log("installing the peers from the registry")
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "-r", str(requirements)], check=True
        )
        stamp.write_text(requirements.read_text())
    return python


# --- running each system -----------------------------------------------------------------


def run_equeue(args: argparse.Namespace) -> dict[str, Any]:
    dsn = fresh_database(args.dsn, args.database_prefix + "equeue")
    scenarios = args.only
    command = [
        sys.executable, "-m", "bench.benchmark", "--dsn", dsn, "--json", "-",
        "--jobs", str(args.jobs), "--latency-jobs", str(args.latency_jobs),
        "--rate", str(args.rate), "--runs", str(args.runs),
        "--history-rows", str(args.history_rows), "--processes", str(args.processes),
        "--prune-jobs", str(args.prune_jobs),
        "--reads-history", ",".join(map(str, reads_sizes(args))),
        "--http-jobs", str(args.http_jobs), "--http-processes", str(args.http_processes),
        "--fleet-processes", str(args.fleet_processes), "--fleet-jobs", str(args.fleet_jobs),
        "--scenario", *scenarios,
    ]  # fmt: skip
    try:
        out = subprocess.run(
            command, check=True, stdout=subprocess.PIPE, text=True, cwd=HERE.parent
        ).stdout
    finally:
        drop_database(args.dsn, args.database_prefix + "equeue")
    return dict(json.loads(out))


def reads_sizes(args: argparse.Namespace) -> list[int]:
    """The histories behind the polled reads: none, a tenth of ``--history-rows``, all."""
    return sorted({0, args.history_rows // 10, args.history_rows})


def run_peer(args: argparse.Namespace, python: Path, system: str) -> dict[str, Any]:
    command = [
        str(python), str(HERE / "peers" / "drive.py"), "--system", system,
        "--dsn", args.dsn, "--redis", redis_url(args, system), "--jobs", str(args.jobs),
        "--latency-jobs", str(args.latency_jobs), "--rate", str(args.rate),
        "--runs", str(args.runs), "--database", args.database_prefix + system,
    ]  # fmt: skip
    out = subprocess.run(
        command, check=True, stdout=subprocess.PIPE, text=True, cwd=HERE / "peers"
    ).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def run_pgbench(args: argparse.Namespace) -> dict[str, Any]:
    """jobs/s PostgreSQL itself sustains for the minimal SQL per job (100 per statement)."""
    binary = shutil.which("pgbench") or "/usr/lib/postgresql/15/bin/pgbench"
    if not Path(binary).exists():
        return {"note": "pgbench not found: no ceiling measured"}
    dsn = fresh_database(args.dsn, args.database_prefix + "pgbench")
    clients = str(args.pgbench_clients)
    values: dict[str, list[float]] = {}
    try:
        for _ in range(args.runs):
            for name, script, prefill in (
                ("insert", "insert.sql", 0),
                ("claim_ack", "claim_ack.sql", args.pgbench_claims),
                ("mixed", "mixed.sql", 0),
            ):
                psql(dsn, "-f", str(HERE / "pgbench" / "setup.sql"))
                if prefill:
                    psql(dsn, "-c", f"INSERT INTO ceiling_jobs (payload) "
                         f"SELECT '{{}}' FROM generate_series(1, {prefill})")  # fmt: skip
                psql(dsn, "-c", "VACUUM ANALYZE ceiling_jobs")
                limit = (
                    ["-t", str(prefill // 100 // args.pgbench_clients)]
                    if prefill
                    else ["-T", str(args.pgbench_seconds)]
                )
                out = subprocess.run(
                    [binary, "-n", "-c", clients, "-j", clients, *limit, "-f",
                     str(HERE / "pgbench" / script), dsn],
                    check=True, capture_output=True, text=True,
                ).stdout  # fmt: skip
                tps = float(re.search(r"tps = ([0-9.]+)", out).group(1))  # type: ignore[union-attr]
                values.setdefault(f"{name}_jobs_per_s", []).append(tps * 100)
                log(f"pgbench {name}: {tps * 100:,.0f} jobs/s")
    finally:
        drop_database(args.dsn, args.database_prefix + "pgbench")
    return {"system": "pgbench", "settings": {"clients": args.pgbench_clients}, "values": values}


# --- reporting ---------------------------------------------------------------------------


def summarize(values: dict[str, list[float]]) -> dict[str, dict[str, float]]:
    return {
        k: {"median": statistics.median(v), "min": min(v), "max": max(v), "runs": len(v)}
        for k, v in values.items()
        if v
    }


def cell(summary: dict[str, dict[str, float]], key: str) -> str:
    s = summary.get(key)
    if s is None:
        return "—"
    digits = 1 if s["median"] < 100 else 0
    if s["runs"] == 1:
        return f"{s['median']:,.{digits}f}"
    return f"{s['median']:,.{digits}f} ({s['min']:,.{digits}f}-{s['max']:,.{digits}f})"


def table(results: dict[str, Any]) -> str:
    systems = [name for name in ("equeue", *PEER_SYSTEMS) if name in results["systems"]]
    sums = {name: summarize(results["systems"][name]["values"]) for name in systems}
    lines = [
        "| what | " + " | ".join(systems) + " |",
        "|---|" + "---|" * len(systems),
    ]
    for key, label, unit in ROWS:
        lines.append(
            f"| {label}, {unit} | " + " | ".join(cell(sums[n], key) for n in systems) + " |"
        )
    eq = sums.get("equeue", {})
    extra = [
        ("drain_{}p_jobs_per_s".format(results["settings"]["processes"]),
         f"no-op drain, {results['settings']['processes']} worker processes, jobs/s"),
        ("http_single_jobs_per_s", "single-job enqueue over HTTP, 1 API process, jobs/s"),
        ("http_single_p50_ms", "single-job enqueue over HTTP, 1 API process, request p50 ms"),
        ("http_single_p99_ms", "single-job enqueue over HTTP, 1 API process, request p99 ms"),
        ("http_single_{}p_jobs_per_s".format(results["settings"]["http_processes"]),
         "single-job enqueue over HTTP, {} API processes (--workers), jobs/s".format(
             results["settings"]["http_processes"])),
        ("http_single_pgbouncer_jobs_per_s",
         "single-job enqueue over HTTP through PgBouncer, 1 API process, jobs/s"),
        ("drain_pgbouncer_jobs_per_s", "no-op drain through PgBouncer, 1 worker process, jobs/s"),
        ("http_batch_jobs_per_s", "batch enqueue over HTTP, 1,000 per request, jobs/s"),
        ("http_roundtrip_p50_ms", "enqueue → succeeded event on the events socket, p50 ms"),
        ("http_roundtrip_p99_ms", "enqueue → succeeded event on the events socket, p99 ms"),
        ("http_notified_p50_ms", "enqueue → succeeded, as the API learns it, p50 ms"),
        ("http_notified_p99_ms", "enqueue → succeeded, as the API learns it, p99 ms"),
        ("http_workers_1_jobs_per_s", "no-op drain, 1 worker over HTTP (claims of 100), jobs/s"),
        ("http_workers_4_jobs_per_s", "no-op drain, 4 workers over HTTP (claims of 100), jobs/s"),
        ("claim_cost_0", "claim query EXPLAIN cost, 0 finished jobs"),
        ("claim_cost_history", "claim query EXPLAIN cost, {:,} finished jobs".format(
            results["settings"]["history_rows"])),
        ("claim_ms_0", "claim query execution, 0 finished jobs, ms"),
        ("claim_ms_history", "claim query execution, {:,} finished jobs, ms".format(
            results["settings"]["history_rows"])),
        ("prune_jobs_per_s", "retention pruning from {:,} expired finished jobs to none, "
         "jobs/s".format(results["settings"].get("prune_jobs", 0))),
        ("archive_jobs_per_s", "finished jobs moved to job_history by the archive duty, "
         "jobs/s"),
        ("history_drop_jobs_per_s", "retention dropping {:,} archived jobs' daily partitions, "
         "jobs/s".format(results["settings"].get("prune_jobs", 0))),
        ("fleet_{}p_jobs_per_s".format(results["settings"]["fleet_processes"]),
         "no-op drain, {} worker processes on hosts of their own, jobs/s".format(
             results["settings"]["fleet_processes"])),
        ("fleet_host_min_jobs_per_s", "the same, slowest host, jobs/s"),
        ("fleet_host_max_jobs_per_s", "the same, fastest host, jobs/s"),
        ("fleet_claim_p50_ms", "the same, claim statement p50 ms"),
        ("fleet_claim_p99_ms", "the same, claim statement p99 ms"),
        ("fleet_claims_empty_pct", "the same, claims that came back empty, %"),
        ("fleet_lock_wait_pct", "the same, working backends waiting on a lock, % of samples"),
        ("fleet_wal_bytes_per_job", "the same, WAL written per job (whole server), bytes"),
    ]  # fmt: skip
    lines += ["", "| equeue only | median (min-max) |", "|---|---|"]
    lines += [f"| {label} | {cell(eq, key)} |" for key, label in extra if key in eq]
    lines += reads_table(eq, results["settings"].get("reads_history", []))
    if "pgbench" in results["systems"]:
        pg = summarize(results["systems"]["pgbench"].get("values", {}))
        lines += ["", "| PostgreSQL ceiling (pgbench, 100 jobs per statement) | jobs/s |"]
        lines += ["|---|---|"]
        for key, label in (
            ("insert_jobs_per_s", "insert 100"),
            ("claim_ack_jobs_per_s", "claim 100 + ack"),
            ("mixed_jobs_per_s", "insert 100 + claim 100 + ack"),
        ):
            lines.append(f"| {label} | {cell(pg, key)} |")
    if results["notes"]:
        lines += [""] + [f"- {note}" for note in results["notes"]]
    return "\n".join(lines)


#: The polled reads (bench/reads.py): metric name, label.
READS = (
    ("queues", "`GET /v1/queues`"),
    ("metrics", "`GET /metrics`"),
    ("jobs_newest", "`GET /v1/jobs?limit=50`"),
    ("jobs_queue_succeeded", "`GET /v1/jobs?queue=default&status=succeeded&limit=50`"),
    ("jobs_failed", "`GET /v1/jobs?status=failed&limit=50`"),
    ("jobs_rare_queue_failed", "`GET /v1/jobs?queue=rare&status=failed&limit=50`"),
    ("jobs_type", "`GET /v1/jobs?type=report.build&limit=50`"),
    ("jobs_tag", "`GET /v1/jobs?tag=customer-7&limit=50`"),
    ("jobs_queued", "`GET /v1/jobs?status=queued&limit=50`"),
    ("jobs_running", "`GET /v1/jobs?status=running&limit=50`"),
)


def reads_table(eq: dict[str, dict[str, float]], sizes: list[int]) -> list[str]:
    """The polled reads, one column per history size: median / p95 ms."""
    if not any(f"reads_queues_{size}_p50_ms" in eq for size in sizes):
        return []

    def median(key: str, digits: int = 1) -> str:
        return f"{eq[key]['median']:,.{digits}f}" if key in eq else "—"

    lines = [
        "",
        "| polled read over HTTP, median / p95 ms | "
        + " | ".join(f"{size:,} finished" for size in sizes)
        + " |",
        "|---|" + "---|" * len(sizes),
    ]
    for name, label in READS:
        cells = [
            f"{median(f'reads_{name}_{size}_p50_ms')} / {median(f'reads_{name}_{size}_p95_ms')}"
            for size in sizes
        ]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    pages = [median(f"reads_page500_kb_{size}", 0) for size in sizes]
    lines.append("| a page of 500 jobs, kB | " + " | ".join(pages) + " |")
    claims = [median(f"reads_claim_ms_{size}") for size in sizes]
    lines.append("| claim statement EXPLAIN ANALYZE, ms | " + " | ".join(claims) + " |")
    return lines


def machine(dsn: str) -> dict[str, Any]:
    try:
        version = psql(dsn, "-At", "-c", "SHOW server_version").strip()
    except (subprocess.CalledProcessError, FileNotFoundError):
        version = "unknown"
    return {
        "host": socket.gethostname(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "postgresql": version,
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--dsn", default=os.environ.get("EQUEUE_BENCH_DSN", DEFAULT_DSN),
                   help="an admin connection: each system gets a database of its own")  # fmt: skip
    p.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    p.add_argument("--celery-redis", default="redis://127.0.0.1:6379/13")
    p.add_argument("--jobs", type=int, default=20_000)
    p.add_argument("--latency-jobs", type=int, default=200)
    p.add_argument("--rate", type=float, default=20.0)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--processes", type=int, default=4)
    p.add_argument("--history-rows", type=int, default=10_000_000)
    p.add_argument("--prune-jobs", type=int, default=1_000_000)
    p.add_argument("--http-jobs", type=int, default=4_000)
    p.add_argument("--http-processes", type=int, default=2)
    p.add_argument("--fleet-processes", type=int, default=8)
    p.add_argument("--fleet-jobs", type=int, default=40_000)
    p.add_argument("--pgbench-seconds", type=int, default=5)
    p.add_argument("--pgbench-claims", type=int, default=100_000)
    p.add_argument("--pgbench-clients", type=int, default=2)
    p.add_argument("--only", nargs="+", choices=EQUEUE_SCENARIOS, default=DEFAULT_EQUEUE_SCENARIOS,
                   help="equeue's scenarios to run (all but explain by default)")  # fmt: skip
    p.add_argument("--peers", nargs="*", default=list(PEER_SYSTEMS), choices=PEER_SYSTEMS)
    p.add_argument("--no-peers", action="store_true", help="equeue and pgbench only")
    p.add_argument("--no-pgbench", action="store_true")
    p.add_argument("--database-prefix", default="bench_", help="of each system's database")
    p.add_argument("--out", type=Path, default=HERE / "results")
    args = p.parse_args(argv)

    started = time.perf_counter()
    notes: list[str] = []
    results: dict[str, Any] = {
        "machine": machine(args.dsn),
        "command": "python bench/run.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "settings": {
            "jobs": args.jobs, "latency_jobs": args.latency_jobs, "rate": args.rate,
            "runs": args.runs, "processes": args.processes, "history_rows": args.history_rows,
            "prune_jobs": args.prune_jobs, "http_processes": args.http_processes,
            "fleet_processes": args.fleet_processes, "reads_history": reads_sizes(args),
        },
        "systems": {},
        "notes": notes,
    }  # fmt: skip
    log("--- equeue")
    results["systems"]["equeue"] = run_equeue(args)
    peers = [] if args.no_peers else args.peers
    if peers:
        python = ensure_peers()
        for system in peers:
            if system in REDIS_SYSTEMS and not redis_answers(redis_url(args, system)):
                notes.append(f"{system} skipped: no Redis answers at {redis_url(args, system)}")
                log(notes[-1])
                continue
            log(f"--- {system}")
            results["systems"][system] = run_peer(args, python, system)
            notes.extend(results["systems"][system].get("notes", []))
    if not args.no_pgbench:
        log("--- pgbench (PostgreSQL ceiling)")
        ceiling = run_pgbench(args)
        if "note" in ceiling:
            notes.append(ceiling["note"])
        else:
            results["systems"]["pgbench"] = ceiling
    results["seconds"] = round(time.perf_counter() - started, 1)
    notes.append(f"whole run: {results['seconds']:.0f} s")

    text = table(results)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "latest.json").write_text(json.dumps(results, indent=2))
    (args.out / "latest.md").write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
