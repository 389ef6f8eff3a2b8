"""Who is calling: API keys, signed event tokens, and the per-key rate limit."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.requests import HTTPConnection

from equeue.api.errors import ApiError
from equeue.api.keys import SCOPES, grants, matches, split_key
from equeue.api.settings import ApiSettings
from equeue.storage.api import ApiStorage, StoredKey

ENV_KEY_ID = "env"
_CACHE_LIMIT = 10_000


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller."""

    key_id: str
    scopes: frozenset[str]

    def require(self, scope: str) -> None:
        if not grants(self.scopes, scope):
            raise ApiError(403, "forbidden", f"this API key lacks the {scope!r} scope")


ANONYMOUS = Principal("anonymous", frozenset(SCOPES))


def presented_key(connection: HTTPConnection) -> str | None:
    """The key from ``x-api-key`` or ``Authorization: Bearer``."""
    key = connection.headers.get("x-api-key")
    if key:
        return key
    scheme, _, value = connection.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


class Authenticator:
    """Checks keys (the environment's admin key and stored ones) and event tokens."""

    def __init__(
        self, settings: ApiSettings, store_factory: Callable[[], Awaitable[ApiStorage]]
    ) -> None:
        self.settings = settings
        self._store_factory = store_factory
        env_key = settings.api_key.get_secret_value() if settings.api_key else ""
        self._env_hash = hashlib.sha256(env_key.encode()).digest() if env_key else None
        secret = settings.token_secret.get_secret_value() if settings.token_secret else ""
        self._token_secret = secret.encode() or secrets.token_bytes(32)
        self._cache: dict[str, tuple[float, StoredKey | None]] = {}

    async def authenticate(self, connection: HTTPConnection) -> Principal:
        """The caller of a request; raises 401 without a valid key."""
        if self.settings.auth_disabled:
            return ANONYMOUS
        raw = presented_key(connection)
        if raw is None:
            raise ApiError(
                401, "unauthorized", "an API key is required: x-api-key or Authorization: Bearer"
            )
        principal = await self.check_key(raw)
        if principal is None:
            raise ApiError(401, "unauthorized", "the API key is not valid")
        return principal

    async def check_key(self, raw: str) -> Principal | None:
        presented = hashlib.sha256(raw.encode()).digest()
        if self._env_hash is not None and hmac.compare_digest(presented, self._env_hash):
            return Principal(ENV_KEY_ID, frozenset(SCOPES))
        parts = split_key(raw)
        if parts is None:
            return None
        key_id, secret = parts
        stored = await self._lookup(key_id)
        if stored is None or not matches(stored, secret):
            return None
        return Principal(stored.id, stored.scopes)

    async def _lookup(self, key_id: str) -> StoredKey | None:
        now = time.monotonic()
        cached = self._cache.get(key_id)
        if cached is not None and cached[0] > now:
            return cached[1]
        stored = await (await self._store_factory()).get_key(key_id)
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[key_id] = (now + self.settings.key_cache_seconds, stored)
        return stored

    # --- event tokens: what a browser puts in the WebSocket URL instead of a key --------

    def issue_token(self, principal: Principal) -> tuple[str, float]:
        """A signed token for the events socket; returns it and its expiry (epoch)."""
        expires = time.time() + self.settings.events_token_seconds
        body = json.dumps({"k": principal.key_id, "s": sorted(principal.scopes), "e": expires})
        encoded = _b64(body.encode())
        return f"{encoded}.{_b64(self._sign(encoded))}", expires

    async def check_token(self, token: str) -> Principal | None:
        encoded, _, signature = token.partition(".")
        try:
            valid = hmac.compare_digest(_unb64(signature), self._sign(encoded))
            claims = json.loads(_unb64(encoded)) if valid else None
        except (ValueError, TypeError):
            return None
        if not isinstance(claims, dict) or not claims.get("e", 0) > time.time():
            return None
        key_id = str(claims.get("k"))
        # A revoked key's tokens die with it (within the cache time).
        if key_id not in (ENV_KEY_ID, ANONYMOUS.key_id) and await self._lookup(key_id) is None:
            return None
        return Principal(key_id, frozenset(claims.get("s", ())))

    def _sign(self, encoded: str) -> bytes:
        return hmac.new(self._token_secret, encoded.encode(), hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class RateLimiter:
    """A token bucket per key: ``rate`` requests per second, bursts up to ``burst``."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = float(burst)
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, updated)

    def take(self, key: str) -> None:
        """Spend one token; raises 429 with ``Retry-After`` when the bucket is empty."""
        now = time.monotonic()
        tokens, updated = self._buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - updated) * self.rate)
        if tokens < 1.0:
            self._buckets[key] = (tokens, now)
            wait = math.ceil((1.0 - tokens) / self.rate)
            raise ApiError(
                429,
                "rate_limited",
                f"rate limit of {self.rate:g} requests per second exceeded; retry in {wait}s",
                headers={"Retry-After": str(wait)},
            )
        self._buckets[key] = (tokens - 1.0, now)
        if len(self._buckets) > _CACHE_LIMIT:  # forget idle keys rather than grow
            self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < 60}
