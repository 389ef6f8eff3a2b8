"""Storage for the REST API: API keys, queue statistics, events, metrics, table health.

Like the rest of the storage layer, it runs named statements (``queries/api.sql``) and
holds no SQL of its own.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from equeue.records import (
    DeadLetterGroup,
    KeyInfo,
    PartitionInfo,
    QueueStats,
    StatCell,
    StepCell,
    StoredKey,
    TableHealth,
    TableInfo,
    VacuumHorizon,
)
from equeue.storage import Storage
from equeue.storage.errors import translated
from equeue.storage.sql import Queries


def events_channel(schema: str) -> str:
    """The channel job-change events are sent on (see migration 0002)."""
    return f"equeue_{schema}_ev"


def check_listener_query(schema: str) -> str:
    """The statement a LISTEN connection runs to learn that it still lives."""
    return Queries(schema)["check_listener"]


@translated
class ApiStorage:
    """The API's statements, run over the pool of a :class:`Storage`."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.q = storage.q

    async def insert_key(
        self, key_id: str, name: str | None, scopes: list[str], secret_hash: bytes
    ) -> KeyInfo:
        row = await self.storage.pool.fetchrow(
            self.q["insert_api_key"], key_id, name, scopes, secret_hash
        )
        assert row is not None  # INSERT ... RETURNING always returns the row
        return KeyInfo(**dict(row))

    async def get_key(self, key_id: str) -> StoredKey | None:
        row = await self.storage.pool.fetchrow(self.q["get_api_key"], key_id)
        if row is None:
            return None
        return StoredKey(
            row["id"], frozenset(row["scopes"]), bytes(row["secret_hash"]), row["expires_at"]
        )

    async def list_keys(self) -> list[KeyInfo]:
        return [KeyInfo(**dict(r)) for r in await self.storage.pool.fetch(self.q["list_api_keys"])]

    async def revoke_key(self, key_id: str) -> bool:
        return await self.storage.pool.fetchval(self.q["revoke_api_key"], key_id) is not None

    async def queue_stats(self, window_seconds: float) -> list[QueueStats]:
        await self.storage.fold_job_counts()
        rows = await self.storage.pool.fetch(self.q["queue_stats"], window_seconds)
        return [
            QueueStats(
                name=r["name"],
                paused=r["paused"],
                counts=json.loads(r["counts"]),
                oldest_queued_age=r["oldest_queued_age"],
                succeeded_recent=r["succeeded_recent"],
                failed_recent=r["failed_recent"],
            )
            for r in rows
        ]

    async def live_workers(
        self, alive_seconds: float, default_lease_seconds: float
    ) -> list[dict[str, Any]]:
        rows = await self.storage.pool.fetch(
            self.q["live_workers"], alive_seconds, default_lease_seconds
        )
        return [dict(r) for r in rows]

    async def count_live_workers(self, alive_seconds: float) -> int:
        count: int = await self.storage.pool.fetchval(self.q["count_live_workers"], alive_seconds)
        return count

    async def watch_events(self, watcher: str, seconds: float) -> None:
        """Have the triggers send job-change events for ``seconds`` more (see migration 0003)."""
        await self.storage.pool.execute(self.q["watch_events"], watcher, seconds)

    async def unwatch_events(self, watcher: str) -> None:
        """This watcher has no events clients left."""
        await self.storage.pool.execute(self.q["unwatch_events"], watcher)

    async def event_jobs(self, ids: list[uuid.UUID]) -> dict[uuid.UUID, tuple[str, str]]:
        """Task and queue of each job still present, by id."""
        rows = await self.storage.pool.fetch(self.q["event_jobs"], ids)
        return {r["id"]: (r["task"], r["queue"]) for r in rows}

    async def stats_totals(self) -> list[StatCell]:
        rows = await self.storage.pool.fetch(self.q["stats_totals"])
        return [StatCell(**dict(r)) for r in rows]

    # --- the dashboard ----------------------------------------------------------------

    async def insert_sign_in_code(
        self, code_hash: bytes, scopes: list[str], valid_seconds: float
    ) -> datetime:
        expires_at: datetime = await self.storage.pool.fetchval(
            self.q["insert_sign_in_code"], code_hash, scopes, valid_seconds
        )
        return expires_at

    async def exchange_sign_in_code(
        self, code_hash: bytes, key_id: str, secret_hash: bytes, name: str, key_seconds: float
    ) -> KeyInfo | None:
        row = await self.storage.pool.fetchrow(
            self.q["exchange_sign_in_code"], code_hash, key_id, secret_hash, name, key_seconds
        )
        return KeyInfo(**dict(row)) if row is not None else None

    async def stats_steps(
        self, step_seconds: int, steps: int, queue: str | None, metrics: list[str]
    ) -> list[tuple[datetime, StepCell | None]]:
        rows = await self.storage.pool.fetch(
            self.q["stats_steps"], step_seconds, steps, queue, metrics
        )
        return [
            (r["at"], StepCell(r["at"], r["metric"], r["le"], r["n"]) if r["metric"] else None)
            for r in rows
        ]

    async def dead_letter_groups(
        self, queue: str | None, limit: int
    ) -> tuple[list[DeadLetterGroup], int]:
        rows = await self.storage.pool.fetch(self.q["dead_letter_groups"], queue, limit)
        groups = [
            DeadLetterGroup(
                task=r["task"],
                error=r["error"],
                count=r["n"],
                queues=list(r["queues"]),
                first_failed_at=r["first_failed_at"],
                last_failed_at=r["last_failed_at"],
                sample_job_id=r["sample_job_id"],
            )
            for r in rows
        ]
        return groups, (rows[0]["total"] if rows else 0)

    async def bulk_jobs(self, action: str, ids: list[uuid.UUID]) -> list[dict[str, Any]]:
        """Run ``bulk_<action>_jobs`` over distinct ``ids``: one row per id."""
        rows = await self.storage.pool.fetch(self.q[f"bulk_{action}_jobs"], ids)
        return [dict(r) for r in rows]

    async def table_health(self) -> TableHealth:
        """Sizes, rows and vacuum state of the schema's tables, and what holds vacuum back."""
        pool = self.storage.pool
        partitions: dict[str, list[PartitionInfo]] = {}
        for row in await pool.fetch(self.q["table_partitions"]):
            partitions.setdefault(row["parent"], []).append(
                PartitionInfo(row["name"], row["bound"], row["total_bytes"])
            )
        tables = [
            TableInfo(**dict(row), partition_list=partitions.get(row["name"], []))
            for row in await pool.fetch(self.q["table_health"])
        ]
        horizon = await pool.fetchrow(self.q["vacuum_horizon"])
        assert horizon is not None  # a SELECT without FROM always returns its row
        return TableHealth(tables=tables, horizon=VacuumHorizon(**dict(horizon)))
