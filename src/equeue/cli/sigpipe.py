"""What a write into a pipe or socket closed at the other end does, by kind of command.

A command that prints ends on it, as ``cat`` or ``grep`` do: ``equeue jobs list --json |
head`` stops quietly when ``head`` has read enough. A command that serves until stopped
(``dev``, ``api``, ``worker``) must not: its connections to the database and to its
clients are sockets too, and one closed at the other end (the database restarting, a
client hanging up, a peer a task talks to) must be an error it handles
(``BrokenPipeError``), never a silent end of the whole process by SIGPIPE.
"""

from __future__ import annotations

import contextlib
import functools
import signal
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


@contextlib.contextmanager
def sigpipe(handler: signal.Handlers) -> Iterator[None]:
    """SIGPIPE handled by ``handler`` (``SIG_DFL``: the process ends; ``SIG_IGN``: the
    write raises) within the block; nothing changes where there is no SIGPIPE (Windows)."""
    if not hasattr(signal, "SIGPIPE"):
        yield
        return
    previous = signal.signal(signal.SIGPIPE, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGPIPE, previous)


def serving(command: F) -> F:
    """Mark a command that serves until stopped: SIGPIPE is ignored while it runs.

    Programs it starts get SIGPIPE's default back (``subprocess`` restores it), so the
    worker processes a supervisor starts decide for themselves, as every command does.
    """

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        with sigpipe(signal.SIG_IGN):
            return command(*args, **kwargs)

    return run  # type: ignore[return-value]
