"""Job ids: time-ordered UUIDs (version 7), made in Python.

They are built as asyncpg's own UUID type, a C subclass of :class:`uuid.UUID` that is an
order of magnitude cheaper to make and that the driver sends without converting: the
one reason this module imports the driver.
"""

from __future__ import annotations

import os
import threading
import time
import uuid

from asyncpg.pgproto.pgproto import UUID as FastUUID

_uuid7_lock = threading.Lock()
_uuid7_last = [0, 0]  # last millisecond used, counter within it


def uuid7() -> uuid.UUID:
    """A time-ordered UUID (RFC 9562 version 7), monotonic within this process.

    Job ids are made in Python so a batch insert needs no round trip for them, and
    time order keeps the primary-key index append-mostly and gives "newest first"
    pagination by id alone. Within one millisecond a 12-bit counter keeps ids in the
    order they were made (RFC 9562, method 1); across processes, order is by millisecond.
    """
    return uuid7_many(1)[0]


def uuid7_many(count: int) -> list[uuid.UUID]:
    """``count`` version-7 UUIDs in the order made, at a fraction of the cost of one each."""
    stamps = []
    with _uuid7_lock:
        ms, counter = _uuid7_last
        now = time.time_ns() // 1_000_000
        if now > ms:
            ms, counter = now, int.from_bytes(os.urandom(2), "big") & 0x7FF  # room to count
        else:
            counter += 1
        for _ in range(count):
            if counter > 0xFFF:  # counter exhausted: borrow the next millisecond
                ms, counter = ms + 1, 0
            stamps.append((ms & 0xFFFF_FFFF_FFFF) << 80 | 0x7 << 76 | counter << 64)
            counter += 1
        _uuid7_last[:] = [ms, counter - 1]
    noise = os.urandom(8 * count)
    variant = 0b10 << 62
    mask = (1 << 62) - 1
    # asyncpg's UUID is a C subclass of uuid.UUID, ten times cheaper to build.
    return [
        FastUUID((stamp | variant | (int.from_bytes(noise[8 * i : 8 * i + 8]) & mask)).to_bytes(16))
        for i, stamp in enumerate(stamps)
    ]
