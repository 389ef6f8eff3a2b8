"""Imported by Python at start-up in a process whose PYTHONPATH names this folder: when
BATTERY_CLOCK_SKEW_SECONDS is set, the process's wall clock is that far off from the
start, before anything reads it (``time.time``, ``time.time_ns`` and ``datetime``'s
``now``, ``utcnow`` and ``today``). Monotonic clocks stay true: a clock set wrong does
not change how long things take.
"""

from __future__ import annotations

import datetime as _datetime
import os
import time as _time


def _skew(seconds: float) -> None:
    real_time, real_time_ns = _time.time, _time.time_ns
    shift = _datetime.timedelta(seconds=seconds)
    _time.time = lambda: real_time() + seconds
    _time.time_ns = lambda: real_time_ns() + int(seconds * 1_000_000_000)

    class SkewedDatetime(_datetime.datetime):
        @classmethod
        def now(cls, tz: _datetime.tzinfo | None = None) -> _datetime.datetime:
            return super().now(tz) + shift

        @classmethod
        def utcnow(cls) -> _datetime.datetime:
            return super().now(_datetime.UTC).replace(tzinfo=None) + shift

        @classmethod
        def today(cls) -> _datetime.datetime:
            return cls.now()

    _datetime.datetime = SkewedDatetime  # type: ignore[misc]


if os.environ.get("BATTERY_CLOCK_SKEW_SECONDS"):
    _skew(float(os.environ["BATTERY_CLOCK_SKEW_SECONDS"]))
