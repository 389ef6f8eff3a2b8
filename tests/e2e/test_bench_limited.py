"""The benchmark's ``limited`` scenario at a tiny size, so it cannot rot (nothing here is
timed): a limited queue beside an unlimited one, both drained."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bench.benchmark import main as bench_main

pytestmark = pytest.mark.e2e


def test_the_limited_scenario_measures_both_queues(
    database_url: str, schema_name: str, tmp_path: Path
) -> None:
    out = tmp_path / "limited.json"
    status = bench_main(
        [
            "--dsn", database_url, "--schema", schema_name, "--jobs", "400", "--chunk", "100",
            "--runs", "1", "--concurrency", "20", "--claim-batch", "10",
            "--scenario", "limited", "--json", str(out),
        ]
    )  # fmt: skip
    assert status == 0
    summary = json.loads(out.read_text())["summary"]
    assert summary["limited_beside_jobs_per_s"]["median"] > 0
    assert summary["limited_queue_jobs_per_s"]["median"] > 0
