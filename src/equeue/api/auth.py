"""Who is calling: API keys, signed event tokens, where a request comes from, and the
rate limits (per key, and per client address for requests without a valid key)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import math
import secrets
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar
from urllib.parse import urlsplit

from starlette.requests import HTTPConnection

from equeue.api.errors import ApiError
from equeue.api.keys import SCOPES, grants, matches, split_key
from equeue.api.settings import ApiSettings, is_loopback
from equeue.records import StoredKey

ENV_KEY_ID = "env"
#: Most stored keys remembered as valid (far more than anyone creates).
_GOOD_KEYS_LIMIT = 100_000
#: Most unknown key ids remembered as such; the oldest are forgotten first.
_BAD_KEYS_LIMIT = 10_000
#: Most client addresses whose failure budget is tracked at once.
_CLIENTS_LIMIT = 100_000
#: Methods that only read; any other one changes something.
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

K = TypeVar("K")
V = TypeVar("V")


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


def client_address(connection: HTTPConnection) -> str:
    """Who pays for a failed authentication: the client's IPv4 address, or its IPv6 /64
    (one machine commonly holds a whole /64, so single addresses would be free to rotate)."""
    client = connection.scope.get("client")
    host = client[0] if client else ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host or "unknown"
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is None:
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address.ipv4_mapped if isinstance(address, ipaddress.IPv6Address) else address)


def arrived_on_loopback(connection: HTTPConnection) -> bool:
    """Whether the request reached this server on a loopback address (or a Unix socket)."""
    server = connection.scope.get("server")
    return not server or is_loopback(str(server[0]))


def changes_state(connection: HTTPConnection) -> bool:
    """A WebSocket, or a request whose method may change something."""
    return connection.scope["type"] == "websocket" or connection.scope["method"] not in (
        _SAFE_METHODS
    )


def check_origin(connection: HTTPConnection, allowed: list[str]) -> None:
    """Refuse a browser's cross-site request that would change something.

    Browsers name the page's origin in ``Origin``; other clients send none and pass. The
    server's own origin and the CORS origins (``*`` allows all) are accepted.
    """
    origin = connection.headers.get("origin")
    if origin is None or not changes_state(connection) or "*" in allowed or origin in allowed:
        return
    host = connection.headers.get("host", "").lower()
    if host and urlsplit(origin).netloc.lower() == host:
        return
    raise ApiError(
        403,
        "forbidden",
        f"requests from the origin {origin!r} may not change anything here: "
        "add it to EQUEUE_CORS_ORIGINS to allow it",
    )


class _Lru(Generic[K, V]):
    """A dict that forgets its least recently used entries beyond ``limit``."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._entries: OrderedDict[K, V] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: K) -> V | None:
        value = self._entries.get(key)
        if value is not None:
            self._entries.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        self._entries[key] = value
        self._entries.move_to_end(key)
        while len(self._entries) > self.limit:
            self._entries.popitem(last=False)

    def pop(self, key: K) -> None:
        self._entries.pop(key, None)


class KeyCache:
    """Stored keys looked up lately, each remembered for ``seconds``.

    Valid and unknown ids are kept apart, each bounded: a flood of unknown ids pushes
    out only other unknown ids, never a key that works.
    """

    UNKNOWN = object()

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._good: _Lru[str, tuple[float, StoredKey]] = _Lru(_GOOD_KEYS_LIMIT)
        self._bad: _Lru[str, float] = _Lru(_BAD_KEYS_LIMIT)

    def get(self, key_id: str) -> StoredKey | object | None:
        """The stored key, None if known not to exist, or :attr:`UNKNOWN` (look it up)."""
        now = time.monotonic()
        good = self._good.get(key_id)
        if good is not None and good[0] > now:
            return good[1]
        bad_until = self._bad.get(key_id)
        if bad_until is not None and bad_until > now:
            return None
        return self.UNKNOWN

    def last_good(self, key_id: str) -> StoredKey | None:
        """The key as it was when last found valid, however long ago."""
        good = self._good.get(key_id)
        return good[1] if good is not None else None

    def put(self, key_id: str, stored: StoredKey | None) -> None:
        until = time.monotonic() + self.seconds
        if stored is None:
            self._good.pop(key_id)
            self._bad.put(key_id, until)
        else:
            self._bad.pop(key_id)
            self._good.put(key_id, (until, stored))


class Authenticator:
    """Checks keys (the environment's admin key and stored ones) and event tokens, and
    where requests come from."""

    def __init__(
        self, settings: ApiSettings, lookup: Callable[[str], Awaitable[StoredKey | None]]
    ) -> None:
        """``lookup`` reads a stored key by id (``queue.admin.get_key``)."""
        self.settings = settings
        self._lookup_stored = lookup
        env_key = settings.api_key.get_secret_value() if settings.api_key else ""
        self._env_hash = hashlib.sha256(env_key.encode()).digest() if env_key else None
        secret = settings.token_secret.get_secret_value() if settings.token_secret else ""
        self._token_secret = secret.encode() or secrets.token_bytes(32)
        self._keys = KeyCache(settings.key_cache_seconds)
        self._origins = list(settings.cors_origins)
        self.failures = RateLimiter(
            settings.auth_failure_rate_per_second,
            settings.auth_failure_burst,
            "too many requests without a valid API key from this address",
        )

    async def authenticate(self, connection: HTTPConnection) -> Principal:
        """The caller of a request, from its headers alone (the body is not read yet).

        Raises 403 for a cross-site request that changes something, 401 without a valid
        key, and 429 once the client's address has spent its budget of failures.
        """
        check_origin(connection, self._origins)
        if self.settings.auth_disabled:
            self._require_loopback(connection)
            return ANONYMOUS
        raw = presented_key(connection)
        if raw is None:
            self.failures.take(client_address(connection))
            raise ApiError(
                401, "unauthorized", "an API key is required: x-api-key or Authorization: Bearer"
            )
        principal = await self._verify(raw, connection)
        if principal is None:
            raise ApiError(401, "unauthorized", "the API key is not valid")
        return principal

    async def authenticate_socket(self, connection: HTTPConnection, token: str | None) -> Principal:
        """The caller of an events socket: an event token, else a key as for requests."""
        if token is None or self.settings.auth_disabled:
            return await self.authenticate(connection)
        check_origin(connection, self._origins)
        principal = await self.check_token(token)
        if principal is None:
            self.failures.take(client_address(connection))
            raise ApiError(401, "unauthorized", "the event token is not valid or has expired")
        return principal

    def admit_sign_in(self, connection: HTTPConnection) -> str:
        """Before a sign-in code is looked up: refuse a cross-site request, and spend a
        token of the client's failure budget (429 once spent); returns the client, to give
        the token back if the code works."""
        check_origin(connection, self._origins)
        client = client_address(connection)
        self.failures.take(client)
        return client

    def _require_loopback(self, connection: HTTPConnection) -> None:
        # Without authentication, a request that reached us on a non-loopback address is
        # refused even if the server was bound wider by mistake.
        if not arrived_on_loopback(connection):
            raise ApiError(403, "forbidden", "authentication is disabled: only loopback is served")

    async def _verify(self, raw: str, connection: HTTPConnection) -> Principal | None:
        """The key's caller, or None (401).

        A failure costs the client's address (:func:`client_address`, worked out only
        then) one token of its budget. A database lookup is paid
        for before it is made (429 when the budget is spent) and given back when the key
        turns out good, unless the key is one that was valid before: its holder is not
        made to wait because others at the same address guess keys.
        """
        principal = self._env_principal(raw)
        if principal is not None:
            return principal
        parts = split_key(raw)
        if parts is None:
            self.failures.take(client_address(connection))
            return None
        key_id, secret = parts
        stored = self._keys.get(key_id)
        if stored is KeyCache.UNKNOWN:
            return await self._verify_uncached(key_id, secret, client_address(connection))
        if isinstance(stored, StoredKey) and matches(stored, secret):
            return Principal(stored.id, stored.scopes)
        self.failures.take(client_address(connection))
        return None

    async def _verify_uncached(self, key_id: str, secret: str, client: str) -> Principal | None:
        known = self._keys.last_good(key_id)
        vouched = known is not None and matches(known, secret)
        if not vouched:
            self.failures.take(client)
        stored = await self._fetch(key_id)
        if stored is None or not matches(stored, secret):
            return None
        if not vouched:
            self.failures.give_back(client)
        return Principal(stored.id, stored.scopes)

    def _env_principal(self, raw: str) -> Principal | None:
        presented = hashlib.sha256(raw.encode()).digest()
        if self._env_hash is not None and hmac.compare_digest(presented, self._env_hash):
            return Principal(ENV_KEY_ID, frozenset(SCOPES))
        return None

    async def check_key(self, raw: str) -> Principal | None:
        """The caller a key stands for, or None; no budget is spent."""
        principal = self._env_principal(raw)
        if principal is not None:
            return principal
        parts = split_key(raw)
        if parts is None:
            return None
        key_id, secret = parts
        stored = await self._lookup(key_id)
        if stored is None or not matches(stored, secret):
            return None
        return Principal(stored.id, stored.scopes)

    async def _lookup(self, key_id: str) -> StoredKey | None:
        stored = self._keys.get(key_id)
        if stored is KeyCache.UNKNOWN:
            return await self._fetch(key_id)
        return stored if isinstance(stored, StoredKey) else None

    async def _fetch(self, key_id: str) -> StoredKey | None:
        stored = await self._lookup_stored(key_id)
        self._keys.put(key_id, stored)
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
    """A token bucket per key: ``rate`` requests per second, bursts up to ``burst``.

    ``what`` names what is limited in the 429 message. The buckets of the least recently
    seen keys are forgotten beyond a bound, so memory stays flat whatever the callers.
    """

    def __init__(self, rate: float, burst: int, what: str = "") -> None:
        self.rate = rate
        self.burst = float(burst)
        self.what = what or f"rate limit of {rate:g} requests per second exceeded"
        self._buckets: _Lru[str, tuple[float, float]] = _Lru(_CLIENTS_LIMIT)

    def take(self, key: str) -> None:
        """Spend one token; raises 429 with ``Retry-After`` when the bucket is empty."""
        now = time.monotonic()
        tokens = self._tokens(key, now)
        if tokens < 1.0:
            self._buckets.put(key, (tokens, now))
            wait = math.ceil((1.0 - tokens) / self.rate)
            raise ApiError(
                429,
                "rate_limited",
                f"{self.what}; retry in {wait}s",
                headers={"Retry-After": str(wait)},
            )
        self._buckets.put(key, (tokens - 1.0, now))

    def give_back(self, key: str) -> None:
        """Return a token taken for something that turned out not to count."""
        now = time.monotonic()
        self._buckets.put(key, (min(self.burst, self._tokens(key, now) + 1.0), now))

    def _tokens(self, key: str, now: float) -> float:
        tokens, updated = self._buckets.get(key) or (self.burst, now)
        return min(self.burst, tokens + (now - updated) * self.rate)
