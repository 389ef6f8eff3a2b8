"""``equeue bench``: the benchmark, from a source checkout.

The benchmark is a development tool and is not installed with equeue: it lives in the
repository's ``bench/`` folder (``make bench`` runs it side by side with its peers). This
command hands its arguments to it when run from a checkout.
"""

from __future__ import annotations

import importlib

import typer

from equeue.cli.common import fail


def bench(ctx: typer.Context) -> None:
    """Run the throughput and latency benchmark (equeue bench --help for its options)."""
    try:
        benchmark = importlib.import_module("bench.benchmark")
    except ImportError:
        fail(
            "the benchmark is not installed with equeue: run it from a source checkout "
            "(make bench, or equeue bench from the repository's root)"
        )
    code = benchmark.main(list(ctx.args))
    raise typer.Exit(int(code or 0))
