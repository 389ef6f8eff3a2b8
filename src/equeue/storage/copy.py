"""New jobs as PostgreSQL's binary COPY stream, written here rather than by the driver.

Why by hand: asyncpg's ``copy_records_to_table`` runs a codec per column per row and
sends nothing until it holds half a megabyte, so the database waits while Python encodes
and Python waits while the database inserts. Here a job's row is its id, its payload and
a tail of columns that every job of the same task and options shares, encoded once; and
the stream goes out in slices, so the server inserts one slice while the next is built.

The format: https://www.postgresql.org/docs/current/sql-copy.html ("Binary Format").
"""

from __future__ import annotations

import struct
from collections.abc import AsyncIterator, Iterable, Sequence
from itertools import islice

from equeue.job import NewJob

#: The columns of each row, in the order the rows carry them.
COLUMNS = (
    "id",
    "payload",
    "task",
    "queue",
    "priority",
    "status",
    "max_attempts",
    "timeout",
    "tags",
    "group_key",
)
#: Rows per message sent: small enough for the server to start early, large enough that
#: the per-message cost is nothing.
SLICE = 500

_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack("!ii", 0, 0)  # signature, flags, no extension
_TRAILER = struct.pack("!h", -1)
_NULL = struct.pack("!i", -1)
_ROW_START = struct.pack("!hi", len(COLUMNS), 16)  # field count, then the id's length
_JSONB_VERSION = b"\x01"
_TEXT_OID = 25
_int32 = struct.Struct("!i").pack


def _field(data: bytes) -> bytes:
    return _int32(len(data)) + data


def _text_array(values: Sequence[str]) -> bytes:
    """A one-dimensional text[] in binary: dimensions, no NULLs, element type, then items."""
    if not values:
        return struct.pack("!iii", 0, 0, _TEXT_OID)
    head = struct.pack("!iiiii", 1, 0, _TEXT_OID, len(values), 1)
    return head + b"".join(_field(value.encode()) for value in values)


def _tail(job: NewJob) -> bytes:
    """The columns after id and payload, the same for every job with these options."""
    timeout = _NULL if job.timeout is None else _field(struct.pack("!d", job.timeout))
    return b"".join(
        (
            _field(job.task.encode()),
            _field(job.queue.encode()),
            _field(struct.pack("!h", job.priority)),
            _field(b"queued"),
            _field(struct.pack("!i", job.max_attempts)),
            timeout,
            _field(_text_array(job.tags)),
            _NULL if job.group is None else _field(job.group.encode()),
        )
    )


async def stream(jobs: Iterable[NewJob], sent: list[NewJob]) -> AsyncIterator[bytes]:
    """The binary COPY data of ``jobs`` (runnable now, status ``queued``), in slices;
    each job is appended to ``sent`` as it is encoded."""
    tails: dict[tuple[object, ...], bytes] = {}
    remaining = iter(jobs)
    yield _HEADER
    while batch := list(islice(remaining, SLICE)):
        parts: list[bytes] = []
        for job in batch:
            key = (
                job.task,
                job.queue,
                job.priority,
                job.max_attempts,
                job.timeout,
                job.group,
                *job.tags,
            )
            tail = tails.get(key)
            if tail is None:
                tail = tails[key] = _tail(job)
            payload = job.payload_json.encode()
            parts += (
                _ROW_START,
                job.id.bytes,
                _int32(len(payload) + 1),
                _JSONB_VERSION,
                payload,
                tail,
            )
        sent += batch
        yield b"".join(parts)
    yield _TRAILER
