"""The worker's hand-off bookkeeping (worker/handoff.py) as the claim loop drives it,
against an in-memory storage that keeps the offer as the claim statement does."""

from __future__ import annotations

import asyncio

from equeue import Queue
from equeue.worker.handoff import OfferState
from tests.conftest import wait_until
from tests.unit.fake_storage import FakeStorage
from tests.unit.worker_harness import FakeListener, make_queue, serving


def recording_queue() -> tuple[Queue, list[str]]:
    """A queue whose task ``record`` notes the tags it ran with, in order."""
    queue = make_queue()
    ran: list[str] = []

    @queue.task(name="record")
    async def record(tag: str) -> None:
        ran.append(tag)

    return queue, ran


def _offer_state(worker: object) -> OfferState:
    claimer = worker._claimer  # type: ignore[attr-defined]
    state: OfferState = claimer.offers.state
    return state


async def test_a_notified_hand_off_is_read_started_once_and_the_offer_opened_again() -> None:
    queue, ran = recording_queue()
    storage = FakeStorage()
    async with serving(queue, storage, FakeListener(), poll_interval=30) as worker:
        await wait_until(lambda: worker.id in storage.offers)
        assert _offer_state(worker) is OfferState.OPEN
        assert storage.claims[-1].listener_pid == 4242
        claims = len(storage.claims)
        job = storage.add("record", status="parked", payload={"tag": "handed"})
        notification = storage.hand_over(job, worker.id)
        assert notification is not None
        worker.on_notification(notification)
        await wait_until(lambda: job.status == "succeeded")
        # The read answered, then one claim round opened the offer again, under a new
        # generation, telling the statement which job its notification brought.
        await wait_until(lambda: storage.offers[worker.id].open)
        assert storage.calls_of("read_handed") == [1]
        assert len(storage.claims) == claims + 1
        assert storage.claims[-1].seen == job.id and not storage.claims[-1].may_be_open
        assert storage.offers[worker.id].generation > int(notification[2:].split()[0])
    assert ran == ["handed"]


async def test_a_hand_off_whose_notification_is_lost_is_collected_by_the_next_claim() -> None:
    queue, ran = recording_queue()
    storage = FakeStorage()
    async with serving(queue, storage, FakeListener(), poll_interval=30) as worker:
        await wait_until(lambda: worker.id in storage.offers)
        job = storage.add("record", status="parked", payload={"tag": "collected"})
        assert storage.hand_over(job, worker.id) is not None  # its notification never comes
        worker.on_notification("q:default")  # any wake-up: the claim looks at the offer
        await wait_until(lambda: job.status == "succeeded")
        assert storage.claims[-1].may_be_open
        assert storage.calls_of("read_handed") == []
    assert ran == ["collected"]


async def test_forged_hand_off_notifications_start_nothing() -> None:
    queue, ran = recording_queue()
    storage = FakeStorage()
    async with serving(queue, storage, FakeListener(), poll_interval=30) as worker:

        def settled(claims: int) -> bool:
            return len(storage.claims) == claims and _offer_state(worker) is OfferState.OPEN

        await wait_until(lambda: settled(1))
        generation = storage.offers[worker.id].generation
        job = storage.add("record", status="parked", payload={"tag": "never"})
        # Another worker's, or none the database sends: not even a wake-up.
        worker.on_notification(f"h:{generation} {job.id} someone-else")
        worker.on_notification(f"h:{generation} not-a-job {worker.id}")
        await asyncio.sleep(0.1)
        assert len(storage.claims) == 1
        # An older opening's: not read; a claim round collects whatever it brought.
        worker.on_notification(f"h:{generation - 1} {job.id} {worker.id}")
        await wait_until(lambda: settled(2))
        assert storage.calls_of("read_handed") == []
        # The opening now open, but the table shows no such hand-off: the next claim
        # statement must look at the offer itself.
        generation = storage.offers[worker.id].generation
        worker.on_notification(f"h:{generation} {job.id} {worker.id}")
        await wait_until(lambda: settled(3))
        assert storage.calls_of("read_handed") == [1]
        assert storage.claims[-1].may_be_open and storage.claims[-1].seen is None
    assert ran == [] and job.status == "parked"


async def test_a_stopping_worker_gives_back_a_job_handed_over_too_late() -> None:
    queue = make_queue()

    @queue.task(name="record")
    async def record(tag: str) -> None:
        raise AssertionError("a stopping worker starts nothing")

    storage = FakeStorage()
    async with serving(queue, storage, FakeListener(), poll_interval=30) as worker:
        await wait_until(lambda: worker.id in storage.offers)
        job = storage.add("record", status="parked", payload={"tag": "late"})
        notification = storage.hand_over(job, worker.id)
        assert notification is not None
        worker.stop()
        worker.on_notification(notification)
    assert job.status == "queued" and job.attempts == 0
    assert storage.calls_of("withdraw_offer") == [1]
    assert storage.calls_of("release") == [1]
    assert worker.id not in storage.offers
