"""The worker's progress reporter: many reports, few writes, the last one always kept."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from equeue.worker.progress import ProgressReporter


class Recorder:
    """Keeps every write the reporter sends, as the database would; can refuse them."""

    def __init__(self, lease_held: bool = True) -> None:
        self.writes: list[tuple[float, str | None]] = []
        self.lease_held = lease_held

    async def __call__(self, fraction: float, message: str | None) -> bool:
        await asyncio.sleep(0.01)  # a round trip
        if self.lease_held:
            self.writes.append((fraction, message))
        return self.lease_held


async def test_many_reports_make_few_writes_and_the_last_is_written_on_flush() -> None:
    store = Recorder()
    reporter = ProgressReporter(uuid.uuid4(), store, asyncio.get_running_loop(), interval=0.2)
    for i in range(1, 1001):
        reporter.report(i / 1000, f"{i}/1000")
        if i % 100 == 0:
            await asyncio.sleep(0.05)  # 1,000 reports over about half a second
    await reporter.flush()
    assert 2 <= len(store.writes) <= 6  # one per 0.2 s window, not one per report
    assert store.writes[0] == (0.001, "1/1000")  # the first goes out at once
    assert store.writes[-1] == (1.0, "1000/1000")  # the last is never lost


async def test_the_last_value_is_written_after_the_interval_without_a_flush() -> None:
    store = Recorder()
    reporter = ProgressReporter(uuid.uuid4(), store, asyncio.get_running_loop(), interval=0.1)
    reporter.report(0.1)
    reporter.report(0.2)
    reporter.report(0.3, "three")
    await asyncio.sleep(0.3)
    assert store.writes == [(0.1, None), (0.3, "three")]


async def test_reports_from_another_thread_are_written() -> None:
    store = Recorder()
    reporter = ProgressReporter(uuid.uuid4(), store, asyncio.get_running_loop(), interval=0.05)
    await asyncio.to_thread(reporter.report, 0.5, "from a thread")
    await asyncio.sleep(0.1)
    await reporter.flush()
    assert store.writes == [(0.5, "from a thread")]


async def test_after_a_refused_write_nothing_more_is_sent() -> None:
    store = Recorder(lease_held=False)
    calls: list[float] = []

    async def write(fraction: float, message: str | None) -> bool:
        calls.append(fraction)
        return await store(fraction, message)

    reporter = ProgressReporter(uuid.uuid4(), write, asyncio.get_running_loop(), interval=0.01)
    reporter.report(0.1)
    await asyncio.sleep(0.05)
    reporter.report(0.2)
    await asyncio.sleep(0.05)
    await reporter.flush()
    assert calls == [0.1]  # the lease was lost at the first write: no more were tried


@pytest.mark.parametrize(
    ("fraction", "message", "error"),
    [
        (1.01, None, "from 0 to 1"),
        (-0.1, None, "from 0 to 1"),
        (float("nan"), None, "from 0 to 1"),
        ("0.5", None, "from 0 to 1"),
        (True, None, "from 0 to 1"),
        (0.5, "x" * 501, "at most 500 characters"),
        (0.5, 42, "must be text"),
    ],
)
async def test_invalid_progress_is_refused_at_the_call(
    fraction: object, message: object, error: str
) -> None:
    reporter = ProgressReporter(uuid.uuid4(), Recorder(), asyncio.get_running_loop())
    with pytest.raises(ValueError, match=error):
        reporter.report(fraction, message)  # type: ignore[arg-type]
