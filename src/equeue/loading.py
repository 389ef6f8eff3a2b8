"""Finding the user's :class:`~equeue.queue.Queue` from a ``module:attribute`` string.

Used by ``equeue worker``, ``equeue api`` and the local stack (``equeue dev``); kept
apart from the command line so that the stack does not depend on it.
"""

from __future__ import annotations

import importlib
import os
import sys

from equeue.queue import Queue


class QueueNotFoundError(ValueError):
    """``module:attribute`` does not name a Queue; the message says why."""


def load_queue(target: str) -> Queue:
    """Import ``module:attribute`` (from the working directory too) and return the
    :class:`Queue` it names; raises :class:`QueueNotFoundError`."""
    module_name, _, attribute = target.partition(":")
    if not module_name or not attribute:
        raise QueueNotFoundError(f"expected module:queue, got {target!r}")
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise QueueNotFoundError(f"cannot import {module_name!r}: {exc}") from None
    queue = getattr(module, attribute, None)
    if not isinstance(queue, Queue):
        raise QueueNotFoundError(f"{target} is not an equeue.Queue")
    return queue
