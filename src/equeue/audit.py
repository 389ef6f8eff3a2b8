"""The audit trail's vocabulary: who did what, to which jobs, when and from where.

Every operator action through the API or the command line is recorded once it has
succeeded (a refused request records nothing), through ``queue.admin.record_action``.
Each action has a name in :class:`Action`; a new kind of action is one more line there.
"""

from __future__ import annotations

import getpass
import socket
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Action(StrEnum):
    """What an operator did."""

    JOB_CANCEL = "job.cancel"
    JOB_RETRY = "job.retry"
    JOB_DELETE = "job.delete"
    JOBS_PURGE = "jobs.purge"
    JOBS_REPLAY = "jobs.replay"
    QUEUE_PAUSE = "queue.pause"
    QUEUE_RESUME = "queue.resume"
    QUEUE_LIMITS = "queue.limits"
    KEY_CREATE = "key.create"
    KEY_REVOKE = "key.revoke"
    SCHEDULE_CREATE = "schedule.create"
    SCHEDULE_UPDATE = "schedule.update"
    SCHEDULE_PAUSE = "schedule.pause"
    SCHEDULE_RESUME = "schedule.resume"
    SCHEDULE_DELETE = "schedule.delete"


#: The actor id of every command-line action (its name is the operating system's user).
COMMAND_LINE = "cli"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acted, and from where."""

    id: str  #: the API key's id (``env`` for the environment's key), or ``cli``
    #: The key's name (looked up when the record is written, when None), or the OS user.
    name: str | None
    source: str  #: the client's address, or ``cli:<user>@<host>``

    @classmethod
    def command_line(cls) -> Actor:
        """The person running this ``equeue`` command, on this machine."""
        try:
            user = getpass.getuser()
        except (KeyError, OSError):  # no name for the uid (a bare container)
            user = "unknown"
        return cls(COMMAND_LINE, user, f"cli:{user}@{socket.gethostname()}")


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """What was done: the action and what it touched."""

    action: Action | str
    #: The jobs it changed, by id, when it named them one by one.
    job_ids: Sequence[uuid.UUID] = ()
    #: What else names its object: a bulk action's filter, a queue, a key.
    target: Mapping[str, Any] = field(default_factory=dict)
    affected: int | None = None  #: how many jobs a bulk action changed


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One row of the audit trail, as read back."""

    id: uuid.UUID
    at: datetime
    actor: str
    actor_name: str | None
    source: str
    action: str
    job_ids: list[uuid.UUID]
    target: dict[str, Any]
    affected: int | None
