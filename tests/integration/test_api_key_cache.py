"""The key cache of the API's authenticator, against a real PostgreSQL: a flood of
unknown keys must not push out the keys that work."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg

from equeue import Queue
from equeue.api.auth import Authenticator
from equeue.api.keys import create_key
from equeue.api.settings import ApiSettings


async def test_unknown_keys_do_not_evict_good_ones(queue: Queue, database_url: str) -> None:
    _, good = await create_key(queue, ["read"], "good")
    auth = Authenticator(ApiSettings(key_cache_seconds=600), queue.admin.get_key)
    assert await auth.check_key(good) is not None
    unknown = [f"eqk_{uuid.uuid4().hex[:12]}_{uuid.uuid4().hex}" for _ in range(10_050)]
    for start in range(0, len(unknown), 200):
        found = await asyncio.gather(*(auth.check_key(k) for k in unknown[start : start + 200]))
        assert found == [None] * len(found)
    # Locked, the key table makes any lookup wait: the good key must need none.
    locker = await asyncpg.connect(database_url)
    try:
        async with locker.transaction():
            await locker.execute(f"LOCK TABLE {queue.schema}.api_keys IN ACCESS EXCLUSIVE MODE")
            principal = await asyncio.wait_for(auth.check_key(good), timeout=5)
    finally:
        await locker.close()
    assert principal is not None and principal.scopes == frozenset({"read"})
