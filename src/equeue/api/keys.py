"""API keys: created, listed and revoked without a server (the CLI calls these), and
the one-time sign-in codes a dashboard link carries.

A key reads ``eqk_<id>_<secret>``. Only the SHA-256 of the secret is stored (the secret
is 256 random bits, so a plain hash is enough: there is nothing to brute-force); the id
finds the row and is what listings show. A sign-in code is 256 random bits too, stored
the same way; it is exchanged once, within 10 minutes, for a key that expires after 12
hours.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime

from equeue.queue import Queue
from equeue.records import KeyInfo, StoredKey

#: Scopes a key may carry. read, write and admin each include the ones before them (admin
#: can do all, write can also read); work, for workers over HTTP, lets a key claim jobs
#: and report on them, and nothing else: only admin includes it.
SCOPES = ("read", "write", "admin", "work")
_RANKED = ("read", "write", "admin")
_PREFIX = "eqk"
#: How long a sign-in code may be exchanged.
SIGN_IN_CODE_SECONDS = 600.0
#: How long the key a sign-in code gives works.
SIGN_IN_KEY_SECONDS = 12 * 3600.0
#: Where a sign-in link leads: the dashboard page that exchanges its code.
SIGN_IN_PATH = "/dashboard/sign-in"
_SIGN_IN_KEY_NAME = "dashboard sign-in"


def normalise_scopes(scopes: Iterable[str]) -> list[str]:
    """Check scope names; raises :class:`ValueError` naming an unknown one."""
    wanted = []
    for scope in scopes:
        if scope not in SCOPES:
            raise ValueError(f"unknown scope {scope!r}: use {', '.join(SCOPES)}")
        if scope not in wanted:
            wanted.append(scope)
    if not wanted:
        raise ValueError(f"give at least one scope ({', '.join(SCOPES)})")
    return sorted(wanted, key=SCOPES.index)


def grants(scopes: Iterable[str], needed: str) -> bool:
    """Whether a key with ``scopes`` may do what ``needed`` allows."""
    if needed not in _RANKED:
        return needed in scopes or "admin" in scopes
    rank = _RANKED.index(needed)
    return any(_RANKED.index(s) >= rank for s in scopes if s in _RANKED)


def hash_secret(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


def split_key(raw: str) -> tuple[str, str] | None:
    """The (id, secret) of a key in our format, or None."""
    prefix, _, rest = raw.partition("_")
    key_id, _, secret = rest.partition("_")
    if prefix != _PREFIX or not key_id or not secret:
        return None
    return key_id, secret


def matches(stored: StoredKey, secret: str) -> bool:
    """Compare a presented secret with a stored hash in constant time; an expired key
    matches nothing (checked here too, as a key may be remembered past its expiry)."""
    fresh = stored.expires_at is None or stored.expires_at > datetime.now(UTC)
    return hmac.compare_digest(stored.secret_hash, hash_secret(secret)) and fresh


async def create_key(queue: Queue, scopes: list[str], name: str | None = None) -> tuple[str, str]:
    """Create a key; returns ``(key_id, raw_key)``. The raw key is not stored: show it once."""
    wanted = normalise_scopes(scopes)
    key_id, secret = _new_key()
    await queue.admin.insert_key(key_id, name, wanted, hash_secret(secret))
    return key_id, f"{_PREFIX}_{key_id}_{secret}"


def _new_key() -> tuple[str, str]:
    return secrets.token_hex(6), secrets.token_urlsafe(32)


async def list_keys(queue: Queue) -> list[KeyInfo]:
    """Every key, revoked ones included (with ``revoked_at`` set), oldest first."""
    return await queue.admin.list_keys()


async def revoke_key(queue: Queue, key_id: str) -> bool:
    """Revoke a key; False when no active key has this id."""
    return await queue.admin.revoke_key(key_id)


async def create_sign_in_code(queue: Queue, scopes: list[str]) -> tuple[str, datetime]:
    """A one-time sign-in code for a key with ``scopes``; returns it and its expiry. Only
    its hash is stored: show it once (in a link, see :func:`sign_in_link`)."""
    wanted = normalise_scopes(scopes)
    code = secrets.token_urlsafe(32)
    expires_at = await queue.admin.insert_sign_in_code(
        hash_secret(code), wanted, SIGN_IN_CODE_SECONDS
    )
    return code, expires_at


def sign_in_link(base_url: str, code: str) -> str:
    """The dashboard's sign-in address at ``base_url`` (``http://host:port``) for ``code``."""
    return f"{base_url.rstrip('/')}{SIGN_IN_PATH}?code={code}"


async def exchange_sign_in_code(queue: Queue, code: str) -> tuple[KeyInfo, str] | None:
    """Use a sign-in code: a new key with its scopes, expiring after
    :data:`SIGN_IN_KEY_SECONDS`, as ``(info, raw key)``; None when the code is unknown,
    used or expired. A code gives one key at most, however many callers race with it."""
    key_id, secret = _new_key()
    info = await queue.admin.exchange_sign_in_code(
        hash_secret(code), key_id, hash_secret(secret), _SIGN_IN_KEY_NAME, SIGN_IN_KEY_SECONDS
    )
    return None if info is None else (info, f"{_PREFIX}_{key_id}_{secret}")
