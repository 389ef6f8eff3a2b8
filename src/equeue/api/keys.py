"""API keys: created, listed and revoked without a server (the CLI calls these).

A key reads ``eqk_<id>_<secret>``. Only the SHA-256 of the secret is stored (the secret
is 256 random bits, so a plain hash is enough: there is nothing to brute-force); the id
finds the row and is what listings show.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable

from equeue.queue import Queue
from equeue.records import KeyInfo, StoredKey

#: Scopes a key may carry. read, write and admin each include the ones before them (admin
#: can do all, write can also read); work, for workers over HTTP, lets a key claim jobs
#: and report on them, and nothing else: only admin includes it.
SCOPES = ("read", "write", "admin", "work")
_RANKED = ("read", "write", "admin")
_PREFIX = "eqk"


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
    """Compare a presented secret with a stored hash in constant time."""
    return hmac.compare_digest(stored.secret_hash, hash_secret(secret))


async def create_key(queue: Queue, scopes: list[str], name: str | None = None) -> tuple[str, str]:
    """Create a key; returns ``(key_id, raw_key)``. The raw key is not stored: show it once."""
    wanted = normalise_scopes(scopes)
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    await queue.admin.insert_key(key_id, name, wanted, hash_secret(secret))
    return key_id, f"{_PREFIX}_{key_id}_{secret}"


async def list_keys(queue: Queue) -> list[KeyInfo]:
    """Every key, revoked ones included (with ``revoked_at`` set), oldest first."""
    return await queue.admin.list_keys()


async def revoke_key(queue: Queue, key_id: str) -> bool:
    """Revoke a key; False when no active key has this id."""
    return await queue.admin.revoke_key(key_id)
