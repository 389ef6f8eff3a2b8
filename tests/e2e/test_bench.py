"""The benchmark at a tiny size, so it cannot rot (nothing here is timed)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from bench.benchmark import main as bench_main

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.e2e


def test_equeue_benchmark_measures_every_scenario_at_a_tiny_size(
    database_url: str, schema_name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "equeue.json"
    status = bench_main(
        [
            "--dsn", database_url, "--schema", schema_name, "--jobs", "200", "--chunk", "50",
            "--latency-jobs", "5", "--rate", "50", "--processes", "2", "--history-rows",
            "500", "--runs", "1", "--concurrency", "20", "--claim-batch", "10",
            "--http-jobs", "20", "--http-clients", "4", "--prune-jobs", "500",
            "--http-processes", "2", "--fleet-processes", "2", "--fleet-jobs", "200",
            "--reads-history", "0,300", "--reads-requests", "2",
            "--scenario", "enqueue", "drain", "latency", "processes", "explain", "prune", "history",
            "http", "http_processes", "pgbouncer", "fleet", "http-workers", "reads",
            "--json", str(out),
        ]
    )  # fmt: skip
    assert status == 0
    report = json.loads(out.read_text())
    summary = report["summary"]
    for metric in (
        "enqueue_jobs_per_s",
        "drain_jobs_per_s",
        "drain_2p_jobs_per_s",
        "prune_jobs_per_s",
        "archive_jobs_per_s",
        "history_drop_jobs_per_s",
    ):
        assert summary[metric]["median"] > 0, metric
    assert 0 < summary["latency_p50_ms"]["median"] <= summary["latency_max_ms"]["median"]
    assert report["values"]["history_rows"] == [500.0]
    assert summary["claim_cost_history"]["median"] > 0
    for metric in (
        "http_single_jobs_per_s",
        "http_batch_jobs_per_s",
        "http_single_2p_jobs_per_s",
        "http_single_pgbouncer_jobs_per_s",
        "drain_pgbouncer_jobs_per_s",
        "fleet_2p_jobs_per_s",
        "fleet_host_max_jobs_per_s",
        "fleet_claims",
        "http_workers_1_jobs_per_s",
        "http_workers_4_jobs_per_s",
    ):
        assert summary[metric]["median"] > 0, metric
    assert summary["fleet_hosts"]["median"] in (1, 2)  # 2 where namespaces can be made
    assert 0 < summary["fleet_claim_p50_ms"]["median"] <= summary["fleet_claim_p99_ms"]["median"]
    for prefix in ("http_single", "http_roundtrip", "http_notified"):
        p50, p99 = (summary[f"{prefix}_{p}_ms"]["median"] for p in ("p50", "p99"))
        assert 0 < p50 <= p99, prefix
    for history in (0, 300):
        for read in ("queues", "metrics", "jobs_queue_succeeded", "jobs_tag"):
            p50, p95 = (summary[f"reads_{read}_{history}_{p}_ms"]["median"] for p in ("p50", "p95"))
            assert 0 < p50 <= p95, (read, history)
        assert summary[f"reads_claim_ms_{history}"]["median"] > 0
        assert 0 < summary[f"reads_page500_kb_{history}"]["median"] < 500
    assert "drain_jobs_per_s" in capsys.readouterr().out


def test_side_by_side_harness_runs_without_peers(database_url: str, tmp_path: Path) -> None:
    """bench/run.py: equeue in a fresh database, the pgbench ceiling, table and JSON."""
    admin = urlunsplit(urlsplit(database_url)._replace(path="/postgres"))
    env = {**os.environ, "EQUEUE_BENCH_DSN": admin}
    result = subprocess.run(
        [
            sys.executable, str(ROOT / "bench" / "run.py"), "--no-peers", "--jobs", "200",
            "--latency-jobs", "5", "--rate", "50", "--runs", "1", "--processes", "2",
            "--history-rows", "500", "--prune-jobs", "500", "--http-jobs", "20",
            # The scenarios of the servers and fleets run in the test above.
            "--only", "enqueue", "drain", "latency", "processes", "prune", "http", "reads",
            "--pgbench-seconds", "1",
            "--pgbench-claims", "2000", "--out", str(tmp_path), "--database-prefix",
            f"t{uuid.uuid4().hex[:8]}_",
        ],
        env=env, capture_output=True, text=True, timeout=240, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    results = json.loads((tmp_path / "latest.json").read_text())
    equeue = results["systems"]["equeue"]["values"]
    assert equeue["enqueue_jobs_per_s"][0] > 0
    assert equeue["drain_jobs_per_s"][0] > 0
    assert "| batch enqueue, jobs/s |" in result.stdout
    assert "| single-job enqueue over HTTP, 1 API process, jobs/s |" in result.stdout
    assert "| retention pruning from 500 expired finished jobs to none, jobs/s |" in result.stdout
    assert "| polled read over HTTP, median / p95 ms | 0 finished | 50 finished | 500" in (
        result.stdout
    )
    assert "| `GET /v1/queues` | " in result.stdout
    if "pgbench" in results["systems"]:
        assert results["systems"]["pgbench"]["values"]["insert_jobs_per_s"][0] > 0
    else:
        assert any("pgbench" in note for note in results["notes"])
