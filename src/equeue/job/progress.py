"""The checks a running job's progress report must pass (the value itself is
:class:`~equeue.job.states.Progress`). The worker throttles and writes reports
(worker/progress.py); storage keeps the latest one on the job's row."""

from __future__ import annotations

import math

#: The longest progress message, in characters: a status line, not a log.
MAX_PROGRESS_MESSAGE = 500


def check_progress(fraction: object, message: object = None) -> tuple[float, str | None]:
    """The progress as stored; raises ValueError for a fraction that is not a number from
    0 to 1 or a message that is not text of at most :data:`MAX_PROGRESS_MESSAGE` chars."""
    if isinstance(fraction, bool) or not isinstance(fraction, int | float):
        raise ValueError(f"progress must be a number from 0 to 1, not {fraction!r}")
    value = float(fraction)
    if math.isnan(value) or not 0.0 <= value <= 1.0:
        raise ValueError(f"progress must be a number from 0 to 1, not {fraction!r}")
    if message is not None:
        if not isinstance(message, str):
            raise ValueError(f"a progress message must be text, not {type(message).__name__}")
        if len(message) > MAX_PROGRESS_MESSAGE:
            raise ValueError(
                f"a progress message holds at most {MAX_PROGRESS_MESSAGE} characters "
                f"({len(message)} given)"
            )
        if "\x00" in message:
            raise ValueError("a progress message cannot hold a NUL character")
    return value, message
