"""One way to start an event loop: :func:`equeue.runner.run`, on uvloop when installed."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import uvloop

import equeue
from equeue import runner

PACKAGE = Path(equeue.__file__).resolve().parent


def test_run_uses_uvloop_and_returns_the_result() -> None:
    async def loop_type() -> type:
        return type(asyncio.get_running_loop())

    assert runner.run(loop_type()) is uvloop.Loop


def test_only_the_runner_picks_the_event_loop() -> None:
    picking = re.compile(r"\buvloop\b")
    others = [
        str(path.relative_to(PACKAGE))
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.name != "runner.py" and picking.search(path.read_text())
    ]
    assert others == []
