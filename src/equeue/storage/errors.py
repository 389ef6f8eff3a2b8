"""The driver's exceptions turned into equeue's own, at the storage boundary.

Nothing above storage imports asyncpg: every public coroutine of a storage class is
wrapped by :func:`translated`, so its callers see :class:`~equeue.errors.DatabaseError`
and its subclasses, each with the driver's exception as ``__cause__`` and the same
message.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Coroutine
from typing import Any, ParamSpec, TypeVar

import asyncpg

from equeue.errors import (
    DatabaseBusyError,
    DatabaseError,
    DatabaseReadOnlyError,
    DatabaseUnavailableError,
    DatabaseValueError,
)

P = ParamSpec("P")
R = TypeVar("R")
C = TypeVar("C", bound=type)

#: Failures that say the server cannot be reached or the connection was lost: the
#: network (OSError), the connection-exception class 08, the operator-intervention
#: class 57 (shutdown, crash recovery) and "too many connections". The driver's
#: internal state errors belong here too: a session the server ended while it sat idle
#: in the pool ("cannot switch to state ...; another operation is in progress") raises
#: one before the statement is sent, until the driver sees the socket close.
_UNAVAILABLE = (
    OSError,
    asyncpg.PostgresConnectionError,
    asyncpg.OperatorInterventionError,
    asyncpg.TooManyConnectionsError,
    asyncpg.InternalClientError,
)
_DRIVER = (asyncpg.PostgresError, asyncpg.InterfaceError, asyncpg.InternalClientError)
#: Refusals of any write: a read-only transaction (read-only database or standby), a full
#: disk. They last until an operator acts, and say nothing was written.
_WRITES_REFUSED = {"25006", "53100"}


def translate(exc: BaseException) -> BaseException:
    """equeue's error for a driver or network failure; anything else as it is."""
    if isinstance(exc, DatabaseError):
        return exc
    sqlstate = getattr(exc, "sqlstate", None)
    if isinstance(exc, TimeoutError):
        # equeue sets no statement timeouts: this is the pool's wait for a connection
        # (or the connect timeout of a new one) running out.
        return DatabaseBusyError(
            "no database connection came free in time: every pooled connection is in use "
            "(or a new one could not be opened)"
        )
    if sqlstate in _WRITES_REFUSED:
        return DatabaseReadOnlyError(str(exc), sqlstate)
    if isinstance(exc, _UNAVAILABLE):
        return DatabaseUnavailableError(str(exc), sqlstate)
    if isinstance(exc, asyncpg.DataError):
        return DatabaseValueError(str(exc), sqlstate)
    if isinstance(exc, _DRIVER):
        return DatabaseError(str(exc), sqlstate)
    return exc


def translating(
    method: Callable[P, Coroutine[Any, Any, R]],
) -> Callable[P, Coroutine[Any, Any, R]]:
    @functools.wraps(method)
    async def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await method(*args, **kwargs)
        except DatabaseError:  # translated already, by a storage method it called
            raise
        except (*_UNAVAILABLE, *_DRIVER) as exc:
            raise translate(exc) from exc

    run.__translating__ = True  # type: ignore[attr-defined]
    return run


def translated(cls: C) -> C:
    """Wrap every public coroutine method of a storage class, those it inherits from the
    statement groups it is made of included, with the translation."""
    for name in dir(cls):
        member = getattr(cls, name)
        public = not name.startswith("_") and inspect.iscoroutinefunction(member)
        if public and not getattr(member, "__translating__", False):
            setattr(cls, name, translating(member))
    return cls
