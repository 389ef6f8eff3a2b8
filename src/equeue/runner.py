"""The one way equeue starts an event loop: on uvloop when it is installed.

The command line, the local stack and every worker process (the supervisor's children
are ``equeue worker`` processes) run their coroutine through :func:`run`, so they all
get the same loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

T = TypeVar("T")


def run(work: Awaitable[T]) -> T:
    """Run ``work`` to completion on a fresh event loop and return its result."""
    try:
        import uvloop
    except ImportError:  # uvloop is optional (the ``fast`` extra)
        return asyncio.run(_as_coroutine(work))
    return uvloop.run(_as_coroutine(work))


async def _as_coroutine(work: Awaitable[T]) -> T:
    # asyncio.run and uvloop.run take coroutines only; callers may hand any awaitable.
    return await work
