"""A worker's own account of its hand-off offer (the design is in migration 0004).

The database decides: every claim statement closes the offer or opens it again, together
with what it claims, and collects a job handed over that the worker has not started.
This book only has to tell that statement what the worker knows, and to tell which
hand-off notifications to act on: those of the opening now open, once. Acting on one
means reading the job from the table (anyone may send a notification); until that read
answers, the worker sends no claim statement, so the offer row still shows the hand-off.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum

from equeue.storage import Offer


class OfferState(StrEnum):
    CLOSED = "closed"  #: no offer open: nothing can be handed over
    OPEN = "open"  #: open; a notification of its generation brings a job
    HANDED = "handed"  #: used; the job its notification named is read, and runs
    UNKNOWN = "unknown"  #: maybe open, maybe used: the next claim statement must look
    #: A claim statement is on its way: it decides the offer, and brings back a job handed
    #: over through it meanwhile (notifications are left to it: no job starts twice).
    CLAIMING = "claiming"


@dataclass(slots=True)
class OfferBook:
    poll_interval: float
    state: OfferState = OfferState.CLOSED
    sent: int = 0  #: generations named so far: one per claim statement, never reused
    open_generation: int = -1  #: the generation of the opening now open
    handed: uuid.UUID | None = None  #: the job this opening's notification named

    def for_claim(self, listener_pid: int | None) -> Offer:
        """What the next claim statement should do; ``listener_pid`` None: stay closed."""
        self.sent += 1
        offer = Offer(
            listener_pid=listener_pid,
            may_be_open=self.state in (OfferState.OPEN, OfferState.UNKNOWN),
            seen=self.handed,
            next_generation=self.sent,
            # An idle worker claims once per poll interval, renewing the offer each time.
            seconds=2 * self.poll_interval + 1,
        )
        self.state = OfferState.CLAIMING
        return offer

    def claimed(self, offer: Offer, claimed: int, wanted: int) -> None:
        """The claim statement landed: the offer is open again only if slots were left."""
        if offer.listener_pid is not None and claimed < wanted:
            self.state, self.open_generation = OfferState.OPEN, offer.next_generation
        else:
            self.state = OfferState.CLOSED
        self.handed = None

    def claim_failed(self) -> None:
        """The statement may have landed all the same (a connection lost after commit)."""
        self.state = OfferState.UNKNOWN

    def take(self, generation: int, job: uuid.UUID) -> bool:
        """A hand-off notification: whether to read its ``job`` and start it now.

        Only a notification of the opening now open is taken, and only once; the job of
        any other was, or will be, collected by a claim statement.
        """
        if self.state is not OfferState.OPEN or generation != self.open_generation:
            return False
        self.state, self.handed = OfferState.HANDED, job
        return True

    def unconfirmed(self) -> None:
        """The table did not show the job as handed over (a forged notification, or the
        read failed): the next claim statement looks at the offer itself."""
        self.state, self.handed = OfferState.UNKNOWN, None
