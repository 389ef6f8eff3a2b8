from __future__ import annotations

import random

import pytest

from equeue.retry import Backoff


def test_delays_grow_exponentially_up_to_the_cap() -> None:
    backoff = Backoff(base=1, factor=2, max=10, jitter=0)
    assert [backoff.delay(n) for n in range(1, 7)] == [1, 2, 4, 8, 10, 10]


def test_jitter_stays_within_its_fraction() -> None:
    backoff = Backoff(base=10, factor=1, max=100, jitter=0.2)
    rng = random.Random(7)
    delays = [backoff.delay(1, rng=rng) for _ in range(500)]
    assert min(delays) >= 8 and max(delays) <= 12
    assert len(set(delays)) > 100  # actually spread, not constant


def test_absurd_attempt_numbers_do_not_overflow() -> None:
    assert Backoff(base=1, factor=10, max=60, jitter=0).delay(10_000) == 60


@pytest.mark.parametrize("kwargs", [{"base": -1}, {"factor": 0.5}, {"jitter": 1.5}, {"max": -2}])
def test_invalid_backoff_is_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="backoff"):
        Backoff(**kwargs)
