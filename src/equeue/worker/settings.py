"""How a worker runs: :class:`WorkerSettings`."""

from __future__ import annotations

from dataclasses import dataclass, field

from equeue.worker.maintenance import MaintenanceSettings


@dataclass(frozen=True, slots=True)
class WorkerSettings:
    """How a worker runs. The defaults suit most deployments."""

    concurrency: int = 10  #: jobs run at once by this process
    queues: list[str] | None = None  #: queues to take jobs from; None means all
    lease_seconds: float = 30.0  #: a job whose lease is not renewed for this long is rescued
    heartbeat_interval: float | None = None  #: default: a third of the lease
    poll_interval: float = 2.0  #: fallback polling when no notification comes
    claim_batch: int = 500  #: most jobs claimed per statement
    shutdown_grace: float = 30.0  #: how long running jobs may finish on SIGTERM
    listen: bool = True  #: False for poll-only mode (PgBouncer in transaction pooling)
    handoff: bool = True  #: when idle, let single enqueues hand jobs over directly (needs listen)
    maintenance: bool = True  #: offer to run the maintenance duties
    maintenance_settings: MaintenanceSettings = field(default_factory=MaintenanceSettings)

    def __post_init__(self) -> None:
        if self.concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        if self.lease_seconds <= 0 or self.poll_interval <= 0:
            raise ValueError("lease_seconds and poll_interval must be positive")
