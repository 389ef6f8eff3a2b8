"""A maintenance round that fails in an unexpected way is logged with its traceback, and
the rounds go on: rescue must not stop for the rest of the process's life."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import pytest

from equeue.errors import DatabaseError
from equeue.worker.maintenance import Maintenance, MaintenanceSettings
from tests.conftest import wait_until


class Duties:
    """The maintenance statements as the loops call them, the first promotion failing
    with a bug of its own (not a database failure)."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    async def run_duty(self, duty: str, query: str, *args: object) -> list[Any] | None:
        self.calls.append(duty)
        if duty == "promote" and self.calls.count("promote") == 1:
            raise KeyError("a bug in one step")
        if duty in ("prune", "keys", "audit"):
            return [{"deleted": 0, "dropped": 0}]
        if duty == "archive":
            return [{"archived": 0}]
        return []

    async def fold_job_counts(self) -> None: ...

    @contextlib.asynccontextmanager
    async def tick_round(self, limit: int, *, exclusive: bool = True) -> AsyncIterator[Any]:
        self.calls.append("ticks")
        yield SimpleNamespace(due=[])  # no schedule is due


async def test_an_unexpected_failure_is_logged_with_its_traceback_and_rounds_go_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    duties = Duties()
    settings = MaintenanceSettings(interval=0.01)
    maintenance = Maintenance(duties, settings)  # type: ignore[arg-type]
    with caplog.at_level(logging.ERROR, logger="equeue.maintenance"):
        loops = asyncio.create_task(maintenance.run_forever())
        try:
            await wait_until(lambda: duties.calls.count("rescue") >= 3, timeout=5)
            assert not loops.done()
        finally:
            loops.cancel()
            await asyncio.gather(loops, return_exceptions=True)
    [failure] = caplog.records
    assert failure.getMessage() == "maintenance round failed unexpectedly; the next round goes on"
    assert failure.exc_info is not None and failure.exc_info[0] is KeyError
    assert duties.calls.count("promote") >= 2  # promoted again after the failure


class FailingPrune(Duties):
    """The first pruning round fails (a deadlock, a lost connection: the database's)."""

    async def run_duty(self, duty: str, query: str, *args: object) -> list[Any] | None:
        if duty == "prune" and "prune" not in self.calls:
            self.calls.append(duty)
            raise DatabaseError("deadlock detected", "40P01")
        return await super().run_duty(duty, query, *args)


async def test_a_failed_pruning_round_is_tried_again_soon_not_after_the_prune_interval() -> None:
    duties = FailingPrune()
    settings = MaintenanceSettings(interval=0.01, prune_interval=3600)
    maintenance = Maintenance(duties, settings)  # type: ignore[arg-type]
    loops = asyncio.create_task(maintenance.run_forever())
    try:
        await wait_until(lambda: duties.calls.count("prune") >= 2, timeout=5)
    finally:
        loops.cancel()
        await asyncio.gather(loops, return_exceptions=True)
