from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from equeue.errors import InvalidJobError
from equeue.job import FINISHED, TRANSITIONS, WAITING, Event, JobStatus, can_transition, new_job
from equeue.job import uuid7 as make_id


def test_every_status_is_reachable_and_finished_ones_only_leave_by_retry() -> None:
    targets = {t for outcomes in TRANSITIONS.values() for t in outcomes}
    assert targets | WAITING == set(JobStatus)
    for status, event in TRANSITIONS:
        if status in FINISHED:
            assert event is Event.RETRY


def test_forbidden_transitions_are_refused() -> None:
    assert not can_transition(JobStatus.SUCCEEDED, Event.CANCEL)
    assert not can_transition(JobStatus.SUCCEEDED, Event.RETRY)
    assert not can_transition(JobStatus.QUEUED, Event.SUCCEED)
    assert not can_transition(JobStatus.FAILED, Event.CLAIM)
    assert can_transition(JobStatus.RUNNING, Event.RESCUE)


def test_ids_are_time_ordered_version_7() -> None:
    ids = [make_id() for _ in range(2000)]
    assert all(i.version == 7 for i in ids)
    assert len(set(ids)) == len(ids)
    assert ids == sorted(ids), "ids made one after another must sort in that order"


def test_defaults() -> None:
    job = new_job("email.send", {"to": "a@b.c"})
    assert (job.queue, job.priority, job.max_attempts, job.timeout) == ("default", 0, 5, None)
    assert job.payload_json == '{"to":"a@b.c"}'


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"priority": 101}, "priority must be between -100 and 100"),
        ({"priority": -101}, "priority must be between -100 and 100"),
        ({"priority": 1.5}, "priority must be a whole number"),
        ({"priority": True}, "priority must be a number"),
        ({"delay": -1}, "delay must be between 0"),
        ({"delay": 10**9}, "delay must be between 0"),
        ({"delay": math.nan}, "delay must be between 0"),
        ({"max_attempts": 0}, "max_attempts must be between 1"),
        ({"timeout": 0}, "timeout must be between"),
        ({"queue": ""}, "queue name must be a non-empty string"),
        ({"queue": "no spaces"}, "queue name 'no spaces' may hold only"),
        ({"tags": ["x" * 65]}, "each tag must be a string of 1 to 64"),
        ({"tags": [str(i) for i in range(21)]}, "at most 20 tags"),
        ({"dedupe_key": ""}, "dedupe_key must be a string of 1 to 255"),
        ({"dedupe_key": "a\x00"}, "dedupe_key must be a string of 1 to 255"),
        ({"tags": ["a\x00"]}, "each tag must be a string of 1 to 64"),
        ({"run_at": datetime(2030, 1, 1)}, "run_at must carry a time zone"),
        ({"run_at": datetime.now(UTC) + timedelta(days=400)}, "more than 366 days"),
        ({"delay": 1, "run_at": datetime.now(UTC)}, "either delay or run_at"),
    ],
)
def test_bad_options_are_refused_with_a_clear_message(
    options: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidJobError, match=message.replace("(", r"\(")):
        new_job("t", {}, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"when": datetime.now(UTC)}, "payload is not JSON-serialisable"),
        ({"x": math.inf}, "payload is not JSON-serialisable"),
        ({"s": {1, 2}}, "payload is not JSON-serialisable"),
        ([1, 2], "payload must be a JSON object"),
        ({1: "a"}, "payload keys must be strings"),
        ({"text": "a\x00b"}, "must not contain the NUL character"),
        ({"text": "\ud800"}, "payload is not JSON-serialisable"),
    ],
)
def test_payload_must_be_a_json_object(payload: object, message: str) -> None:
    with pytest.raises(InvalidJobError, match=message):
        new_job("t", payload)  # type: ignore[arg-type]


def test_a_payload_that_contains_itself_is_refused() -> None:
    loop: dict[str, object] = {}
    loop["self"] = loop
    with pytest.raises(InvalidJobError, match="nested too deeply or contains itself"):
        new_job("t", loop)


def test_payload_size_limit() -> None:
    from equeue.job import Limits

    with pytest.raises(InvalidJobError, match="larger than the limit of 100 bytes"):
        new_job("t", {"blob": "x" * 200}, limits=Limits(max_payload_bytes=100))


@pytest.mark.parametrize("name", ["q\n", "q\r\n", "\nq"])
def test_a_name_with_a_line_break_is_refused(name: str) -> None:
    with pytest.raises(InvalidJobError, match="may hold only"):
        new_job("t", {}, queue=name)
    with pytest.raises(InvalidJobError, match="may hold only"):
        new_job(name, {})
