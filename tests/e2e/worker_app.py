"""Tasks for the end-to-end tests, run by real `equeue worker` processes.

The schema comes from EQUEUE_SCHEMA and the database from EQUEUE_DATABASE_URL; each
task leaves evidence of its runs in files under EQUEUE_E2E_DIR, so a test can count
executions independently of what the database says.
"""

from __future__ import annotations

import asyncio
import os
import socket
import time
from pathlib import Path
from typing import Any

from equeue import Queue

queue = Queue(schema=os.environ.get("EQUEUE_SCHEMA", "equeue"))
EVIDENCE = Path(os.environ.get("EQUEUE_E2E_DIR", "."))


def _append(name: str, line: str) -> None:
    with open(EVIDENCE / f"{name}.{os.getpid()}", "a") as out:
        out.write(line + "\n")


@queue.task(name="e2e.record")
async def record(n: int) -> int:
    _append("record", str(n))
    return n


@queue.task(name="e2e.sleep", max_attempts=3)
async def sleep(seconds: float, tag: str) -> str:
    _append("started", tag)
    await asyncio.sleep(seconds)
    _append("finished", tag)
    return tag


@queue.task(name="e2e.block_loop", max_attempts=3)
async def block_loop(seconds: float) -> str:
    # Deliberately blocks the event loop (CPU-bound work written as async def).
    _append("started", "block")
    time.sleep(seconds)
    return "done"


@queue.task(name="e2e.sleep_sync", max_attempts=1)
def sleep_sync(seconds: float) -> None:
    # A plain function: its thread cannot be stopped, only abandoned.
    _append("started", "sleep_sync")
    time.sleep(seconds)


@queue.task(name="e2e.record_sync")
def record_sync(n: int) -> int:
    _append("record_sync", str(n))
    return n


def _raise(kind: str) -> None:
    if kind == "exit":
        raise SystemExit(3)
    raise KeyboardInterrupt


@queue.task(name="e2e.raise_base", max_attempts=1)
async def raise_base(kind: str) -> None:
    _raise(kind)


@queue.task(name="e2e.raise_base_sync", max_attempts=1)
def raise_base_sync(kind: str) -> None:
    _raise(kind)


@queue.task(name="e2e.send_to_closed_peer", max_attempts=1)
async def send_to_closed_peer() -> None:
    # The write a worker makes into any connection whose other end is gone: a database
    # connection during a server restart, as much as a peer that hung up on a task.
    ours, theirs = socket.socketpair()
    theirs.close()
    with ours:
        ours.send(b"hello?")


@queue.task(name="e2e.chain_step")
async def chain_step(n: int, parent: dict[str, Any] | None = None) -> int:
    # A follow-up adds its parent's result to its own number (docs/chains.md).
    return n + (parent["result"] if parent else 0)


@queue.task(name="e2e.chord_sum")
async def chord_sum(chord: dict[str, Any]) -> int:
    return sum(member["result"] for member in chord["members"])
