"""LISTEN/NOTIFY: one connection per worker process wakes it for new jobs, hand-offs and
cancels.

Notifications are hints, never the source of truth. Anyone who can connect may send
one, so they carry ids and numbers only, and the worker checks against the tables what
it acts on. It also polls, so a lost notification (or a lost connection) costs latency,
not jobs. The connection is opened again whenever it is lost (see
:class:`equeue.listener.Listener`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from equeue.listener import Listener
from equeue.storage.sql import Queries, channel_name

log = logging.getLogger("equeue.worker")


class Notifier(Listener):
    """The worker's LISTEN connection on its schema's channel."""

    def __init__(
        self,
        dsn: str,
        queries: Queries,
        on_message: Callable[[str], None],
        on_connect: Callable[[], None],
    ) -> None:
        super().__init__(
            dsn,
            channel_name(queries.schema),
            on_message,
            name="worker notifier",
            application_name=f"equeue:{queries.schema}:listen",
            check_query=queries["check_listener"],
            # The caller should poll then: anything sent while it was down was missed.
            on_connect=on_connect,
            log=log,
        )
