"""Stopping: running jobs get a grace period to finish, then are given back.

A first stop ends claiming and lets running jobs finish within ``shutdown_grace``; a
second one (or the end of the grace) cancels them. Their outcomes, if any, are written;
the jobs cancelled by the stop are released in one statement, runnable at once by
another worker, their attempt not counted against them.
"""

from __future__ import annotations

import asyncio
import logging

from equeue.storage import WorkerStorage
from equeue.worker.held import CancelReason, HeldJobs
from equeue.worker.outcomes import Outcomes

log = logging.getLogger("equeue.worker")


async def drain(
    storage: WorkerStorage, held: HeldJobs, outcomes: Outcomes, grace: float, *, at_once: bool
) -> None:
    """Let running jobs finish within ``grace`` seconds (none with ``at_once``), then
    write what ended and release the rest."""
    running = held.running_tasks()
    if running and not at_once:
        log.info("waiting up to %.0fs for %d running jobs", grace, len(running))
        await asyncio.wait(running, timeout=grace)
    held.cancel_all(CancelReason.SHUTDOWN)
    pending = held.running_tasks()
    if pending:
        await asyncio.wait(pending)
    await outcomes.flush()
    leftover = [h.lease for h in held if h.cancel_reason is CancelReason.SHUTDOWN]
    if leftover:
        released = await storage.release(leftover)
        log.info("released %d unfinished jobs for other workers", len(released))
        for job_id, _ in leftover:
            held.forget(job_id)
