"""The load of the HTTP enqueue rows, from processes of its own.

``python -m bench.http_load --port P --key K --connections C --jobs N`` opens C keep-alive
connections, posts one job on each (not measured), prints ``ready`` and waits for a line
on its standard input; then posts N single jobs over them, one request at a time per
connection, and prints one JSON line: how many, when it started and ended
(``time.monotonic``, one clock for every process of the machine) and the request
latencies' p50 and p99 in ms.

:func:`drive` starts several such processes at once and gives them the word together,
so the server sees the load of all of them, and no client shares a process (or its
event loop) with another or with the server.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import subprocess
import sys
import time
from typing import Any

from bench.common import ROOT
from bench.http_client import Connection


async def post_share(port: int, key: str, connections: int, jobs: int) -> dict[str, Any]:
    """This process's part: ``jobs`` single-job POSTs over ``connections`` connections."""
    opened = [await Connection.open(port, key) for _ in range(connections)]
    latencies: list[float] = []
    remaining = iter(range(jobs))  # shared: each job is posted once

    async def post_all(connection: Connection) -> None:
        for _ in remaining:
            before = time.perf_counter()
            await connection.post_job()
            latencies.append((time.perf_counter() - before) * 1000)

    try:
        for connection in opened:  # warm up every connection, not measured
            await connection.post_job()
        print("ready", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        started = time.monotonic()
        await asyncio.gather(*(post_all(connection) for connection in opened))
        ended = time.monotonic()
    finally:
        await asyncio.gather(*(connection.close() for connection in opened))
    ordered = sorted(latencies) or [0.0]
    return {
        "jobs": jobs,
        "started": started,
        "ended": ended,
        "p50_ms": statistics.median(ordered),
        "p99_ms": ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))],
    }


def drive(port: int, key: str, processes: int, connections: int, jobs: int) -> dict[str, float]:
    """``jobs`` single-job POSTs from ``processes`` processes with ``connections``
    connections in all; jobs/s over the whole (first start to last end) and the median
    of the processes' latency percentiles."""
    shares = [jobs // processes + (i < jobs % processes) for i in range(processes)]
    per_process = [
        connections // processes + (i < connections % processes) for i in range(processes)
    ]
    children = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bench.http_load",
                "--port",
                str(port),
                f"--key={key}",  # a key may begin with "-"
                "--connections",
                str(max(1, conns)),
                "--jobs",
                str(share),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for share, conns in zip(shares, per_process, strict=True)
    ]
    try:
        for child in children:
            _expect(child, "ready")
        for child in children:  # the word, to all of them at once
            assert child.stdin is not None
            child.stdin.write("go\n")
            child.stdin.flush()
        results = [json.loads(_expect(child, "{")) for child in children]
    finally:
        for child in children:
            for stream in (child.stdin, child.stdout):
                with contextlib.suppress(OSError):
                    if stream is not None:
                        stream.close()
            if child.wait(60) != 0:
                raise RuntimeError(f"a load process exited with {child.returncode}")
    elapsed = max(r["ended"] for r in results) - min(r["started"] for r in results)
    return {
        "jobs_per_s": sum(r["jobs"] for r in results) / elapsed,
        "p50_ms": statistics.median(r["p50_ms"] for r in results),
        "p99_ms": statistics.median(r["p99_ms"] for r in results),
    }


def _split(total: int, parts: int) -> list[int]:
    return [total // parts + (i < total % parts) for i in range(parts)]


def _expect(child: subprocess.Popen[str], prefix: str) -> str:
    assert child.stdout is not None
    line = child.stdout.readline()
    if not line.startswith(prefix):
        raise RuntimeError(f"a load process said {line!r} (exit {child.poll()})")
    return line


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--connections", type=int, required=True)
    p.add_argument("--jobs", type=int, required=True)
    args = p.parse_args()
    from equeue import runner  # uvloop, as the server has: the client costs less CPU

    result = runner.run(post_share(args.port, args.key, args.connections, args.jobs))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
