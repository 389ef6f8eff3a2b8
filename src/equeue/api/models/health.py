"""The health of the schema's tables: sizes, dead rows, partitions, and what holds vacuum
back, with the warnings the documented thresholds give (docs/deploy.md)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from equeue.records import TableHealth


class PartitionOut(BaseModel):
    name: str
    bound: str = Field(description="the partition's bounds, as PostgreSQL writes them")
    total_bytes: int


class TableOut(BaseModel):
    name: str
    total_bytes: int = Field(description="the table, its indexes and its TOAST")
    index_bytes: int
    live_rows: int = Field(description="as PostgreSQL's statistics estimate them")
    dead_rows: int = Field(description="rows deleted or updated, not yet vacuumed away")
    last_vacuum: datetime | None
    last_analyze: datetime | None
    partitions: list[PartitionOut]


class VacuumHorizonOut(BaseModel):
    """What keeps vacuum from removing dead rows (null: nothing does). Other roles'
    sessions are seen only with the pg_read_all_stats (or pg_monitor) role."""

    oldest_snapshot_age: int | None = Field(
        description="transactions since the oldest snapshot a session of this database holds"
    )
    oldest_snapshot_seconds: float | None = Field(
        description="how long that session's transaction has been open"
    )
    oldest_snapshot_pid: int | None
    oldest_snapshot_application: str | None
    oldest_snapshot_state: str | None
    replication_slot_age: int | None = Field(
        description="transactions behind, the oldest replication slot"
    )
    prepared_transaction_age: int | None = Field(
        description="transactions behind, the oldest prepared transaction"
    )
    prepared_transaction_seconds: float | None


class TablesHealth(BaseModel):
    tables: list[TableOut]
    vacuum_horizon: VacuumHorizonOut
    warnings: list[str] = Field(description="what passes a documented warning threshold")

    @classmethod
    def of(cls, health: TableHealth) -> TablesHealth:
        h = health.horizon
        return cls(
            tables=[
                TableOut(
                    name=t.name,
                    total_bytes=t.total_bytes,
                    index_bytes=t.index_bytes,
                    live_rows=t.live_rows,
                    dead_rows=t.dead_rows,
                    last_vacuum=t.last_vacuum,
                    last_analyze=t.last_analyze,
                    partitions=[
                        PartitionOut(name=p.name, bound=p.bound, total_bytes=p.total_bytes)
                        for p in t.partition_list
                    ],
                )
                for t in health.tables
            ],
            vacuum_horizon=VacuumHorizonOut(
                oldest_snapshot_age=h.session_xmin_age,
                oldest_snapshot_seconds=h.session_seconds,
                oldest_snapshot_pid=h.session_pid,
                oldest_snapshot_application=h.session_application,
                oldest_snapshot_state=h.session_state,
                replication_slot_age=h.slot_xmin_age,
                prepared_transaction_age=h.prepared_xmin_age,
                prepared_transaction_seconds=h.prepared_seconds,
            ),
            warnings=health.warnings(),
        )
