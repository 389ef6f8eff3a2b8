"""The worker's account of its hand-off offer, and the notification it reads."""

from __future__ import annotations

import uuid

from equeue.storage import Handoff
from equeue.worker.handoff import OfferBook, OfferState


def test_a_notification_starts_a_job_only_for_the_opening_now_open_and_only_once() -> None:
    book = OfferBook(poll_interval=2)
    first = book.for_claim(listener_pid=42)
    assert not first.may_be_open and first.seconds == 5
    book.claimed(first, claimed=0, wanted=3)
    assert book.state is OfferState.OPEN
    job = uuid.uuid4()
    assert not book.take(first.next_generation - 1, job)  # an older opening's
    assert book.take(first.next_generation, job)
    assert not book.take(first.next_generation, job)  # one job per opening
    # The next claim need not look at the offer: its job came with the notification.
    assert not book.for_claim(listener_pid=42).may_be_open


def test_a_full_claim_or_no_listener_leaves_the_offer_closed() -> None:
    book = OfferBook(poll_interval=2)
    offer = book.for_claim(listener_pid=42)
    book.claimed(offer, claimed=3, wanted=3)
    assert book.state is OfferState.CLOSED
    offer = book.for_claim(listener_pid=None)
    book.claimed(offer, claimed=0, wanted=3)
    assert book.state is OfferState.CLOSED and not book.take(offer.next_generation, uuid.uuid4())


def test_after_a_failed_claim_the_offer_is_looked_at_and_no_generation_is_reused() -> None:
    """A claim statement may land although its answer is lost: the offer it opened may
    have been used. The next claim must look, and a late notification of that opening
    must never match a later one."""
    book = OfferBook(poll_interval=2)
    job = uuid.uuid4()
    lost = book.for_claim(listener_pid=42)
    book.claim_failed()
    assert not book.take(lost.next_generation, job)
    retry = book.for_claim(listener_pid=42)
    assert retry.may_be_open and retry.next_generation != lost.next_generation
    book.claimed(retry, claimed=0, wanted=3)
    assert not book.take(lost.next_generation, job)
    assert book.take(retry.next_generation, job)


def test_a_hand_off_the_table_does_not_confirm_makes_the_next_claim_look() -> None:
    book = OfferBook(poll_interval=2)
    offer = book.for_claim(listener_pid=42)
    book.claimed(offer, claimed=0, wanted=3)
    assert book.take(offer.next_generation, uuid.uuid4())
    book.unconfirmed()  # a forged notification, or the read failed
    assert book.state is OfferState.UNKNOWN and book.handed is None
    assert book.for_claim(listener_pid=42).may_be_open


def test_the_notification_names_ids_and_numbers_only() -> None:
    job_id = uuid.uuid4()
    handoff = Handoff.parse(f"7 {job_id} host name:1:ab")
    assert handoff == Handoff(7, job_id, "host name:1:ab")
    assert Handoff.parse("8 host:1:ab") is None
    assert Handoff.parse(f'8 host:1:ab ["{job_id}", "t"]') is None  # not a job id


def test_no_notification_is_taken_while_a_claim_statement_is_on_its_way() -> None:
    """That statement brings back a job handed over meanwhile; taking the notification
    too would start the job twice, or not at all."""
    book = OfferBook(poll_interval=2)
    first = book.for_claim(listener_pid=42)
    book.claimed(first, claimed=0, wanted=3)
    second = book.for_claim(listener_pid=42)
    assert second.may_be_open
    assert not book.take(first.next_generation, uuid.uuid4())
    book.claimed(second, claimed=1, wanted=3)
    assert book.take(second.next_generation, uuid.uuid4())
