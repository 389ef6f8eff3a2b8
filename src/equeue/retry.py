"""Retry backoff: how long a failed job waits before its next attempt (pure logic)."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Backoff:
    """Exponential backoff with jitter.

    The n-th retry waits ``min(max, base * factor ** (n - 1))`` seconds, then that delay is
    spread by ``jitter`` (a fraction: 0.1 draws uniformly within ±10 %) so that jobs
    failing together do not all come back at once.
    """

    base: float = 1.0
    factor: float = 2.0
    max: float = 3600.0
    jitter: float = 0.1

    def __post_init__(self) -> None:
        if self.base < 0 or self.max < 0:
            raise ValueError("backoff base and max must not be negative")
        if self.factor < 1:
            raise ValueError("backoff factor must be at least 1")
        if not 0 <= self.jitter <= 1:
            raise ValueError("backoff jitter must be a fraction between 0 and 1")

    def delay(self, attempt: int, *, rng: random.Random | None = None) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        exponent = max(attempt - 1, 0)
        # Cap the exponent so float overflow never happens on absurd attempt counts.
        raw = self.base * self.factor ** min(exponent, 64)
        capped = min(raw, self.max)
        if not self.jitter:
            return capped
        spread = capped * self.jitter
        draw = (rng or random).uniform(-spread, spread)
        return max(0.0, capped + draw)


DEFAULT_BACKOFF = Backoff()
