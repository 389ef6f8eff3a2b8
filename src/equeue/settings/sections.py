"""The sections of :class:`equeue.settings.Settings`, each readable on its own.

Every section reads the same ``EQUEUE_*`` variables as the whole; a part of equeue that
needs one section takes that class (the REST API takes :class:`ApiSettings`), and the
whole :class:`~equeue.settings.Settings` fits wherever a section is expected.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from equeue.storage.sql import validate_schema_name

CONFIG = SettingsConfigDict(
    env_prefix="EQUEUE_",
    extra="ignore",
    validate_default=True,
    frozen=True,
    populate_by_name=True,
)


def _comma_list(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


CommaList = Annotated[list[str], NoDecode]


class QueueDefaults(BaseSettings):
    """What a :class:`~equeue.queue.Queue` built in code without them takes from the
    environment: the only settings a Queue reads on its own."""

    model_config = CONFIG

    database_url: str | None = Field(
        default=None,
        description="PostgreSQL URL. Unset under `equeue dev`: an embedded server is started.",
    )
    direct_database_url: str | None = Field(
        default=None,
        description="A URL that reaches PostgreSQL itself, for the connections that need a "
        "session of their own: LISTEN (wake-ups, hand-offs, events) and migrations. Set it "
        "when `database_url` goes through a pooler in transaction mode; unset means "
        "`database_url`.",
    )
    transaction_pooler: bool = Field(
        default=False,
        description="`database_url` goes through a pooler in transaction mode (PgBouncer): "
        "no prepared statement or setting is kept between transactions. Needs "
        "`direct_database_url`.",
    )
    allow_unknown_tasks: bool = Field(
        default=False, description="Accept jobs for task names no worker has registered yet."
    )

    @model_validator(mode="after")
    def _direct_behind_a_pooler(self) -> Self:
        if self.transaction_pooler and not self.direct_database_url:
            raise ValueError(
                "transaction_pooler needs direct_database_url: LISTEN and migrations need a "
                "session of their own, which a pooler in transaction mode does not keep"
            )
        return self


class ConnectionSettings(QueueDefaults):
    """Which database and schema, and how many connections a process keeps."""

    schema_name: str = Field(
        default="equeue",
        validation_alias="EQUEUE_SCHEMA",
        description="PostgreSQL schema holding equeue's tables (one per application).",
    )
    pool_min_size: int = Field(default=1, ge=0, description="Connections a process keeps open.")
    pool_max_size: int = Field(default=10, ge=1, description="Most pooled connections per process.")
    pool_wait_seconds: float = Field(
        default=5.0,
        gt=0,
        description="Longest wait for a pooled connection when all are in use; beyond it the "
        "call fails (the API answers 503 with Retry-After) instead of queueing without end.",
    )

    @field_validator("schema_name")
    @classmethod
    def _check_schema(cls, value: str) -> str:
        return validate_schema_name(value)

    @property
    def schema(self) -> str:  # type: ignore[override]
        """The PostgreSQL schema (``schema`` is the public name of ``schema_name``)."""
        return self.schema_name

    def queue_options(self) -> dict[str, Any]:
        """The options of :class:`~equeue.Queue` these settings give, but the URL."""
        return {
            "schema": self.schema,
            "allow_unknown_tasks": self.allow_unknown_tasks,
            "pool_min_size": self.pool_min_size,
            "pool_max_size": self.pool_max_size,
            "pool_wait_seconds": self.pool_wait_seconds,
            "direct_dsn": self.direct_database_url,
            "transaction_pooler": self.transaction_pooler,
        }


class ApiSettings(BaseSettings):
    """How the REST API binds, authenticates, limits and reports."""

    model_config = CONFIG

    host: str = Field(default="127.0.0.1", description="Address the API binds to.")
    port: int = Field(default=8000, ge=0, le=65535, description="Port the API listens on.")
    api_workers: int = Field(
        default=1,
        ge=1,
        le=256,
        description="API server processes `equeue api` starts, supervised and restarted; "
        "beyond one they share the port (SO_REUSEPORT, Linux), each with its own pool "
        "(see docs/deploy.md for the connections this takes).",
    )
    api_key: SecretStr | None = Field(
        default=None,
        description="An admin API key accepted besides the stored keys "
        "(`equeue dev` generates one if unset).",
    )
    auth_disabled: bool = Field(
        default=False,
        description="Turn authentication off. The server then refuses to bind to anything but "
        "loopback, and refuses requests and sockets that arrive on any other address.",
    )
    cors_origins: CommaList = Field(
        default_factory=list,
        description="Origins allowed by CORS, comma-separated (e.g. `http://localhost:5173`); "
        "empty means no CORS headers. A browser request that changes something (or opens "
        "the events socket) from any other origin than these and the server's own is refused.",
    )
    allowed_hosts: CommaList = Field(
        default_factory=list,
        description="Host names served, besides loopback ones, to requests that arrive on a "
        "loopback address (comma-separated): a reverse proxy on the same machine that passes "
        "the public name on. Other names are refused there, against DNS rebinding.",
    )
    rate_limit_per_second: float = Field(
        default=100.0, gt=0, description="Requests per second sustained per key (token bucket)."
    )
    rate_limit_burst: int = Field(default=200, ge=1, description="Burst size per key.")
    auth_failure_rate_per_second: float = Field(
        default=1.0,
        gt=0,
        description="Requests without a valid key sustained per second per client address; "
        "beyond it they are answered 429 and no key is looked up in the database.",
    )
    auth_failure_burst: int = Field(
        default=20, ge=1, description="Burst size of requests without a valid key per address."
    )
    max_request_bytes: int = Field(
        default=1024 * 1024 + 64 * 1024,
        ge=1024,
        description="Largest request body (413 beyond), read only once the caller's key has "
        "passed; the payload limit itself is the queue's Limits.",
    )
    max_batch_request_bytes: int = Field(
        default=32 * 1024 * 1024, ge=1024, description="Largest request body for a batch."
    )
    max_batch_size: int = Field(
        default=1000, ge=1, description="Most jobs in one `POST /v1/jobs/batch`."
    )
    max_page_size: int = Field(
        default=500, ge=1, description="Most jobs in one page of `GET /v1/jobs`."
    )
    claim_max_wait_seconds: float = Field(
        default=20.0,
        ge=0,
        le=300,
        description="Longest `wait` a worker over HTTP may give a claim "
        "(`POST /v1/queues/{name}/claim`): how long it long-polls an empty queue.",
    )
    job_max_wait_seconds: float = Field(
        default=60.0,
        ge=0,
        le=300,
        description="Longest `wait` of `GET /v1/jobs/{id}?wait=`: how long a client may "
        "long-poll a job until it finishes.",
    )
    events_token_seconds: float = Field(
        default=300.0, gt=0, description="Lifetime of the tokens `POST /v1/events/token` issues."
    )
    token_secret: SecretStr | None = Field(
        default=None,
        description="Secret that signs event tokens; give every API process the same one behind "
        "a load balancer. When unset, each process draws a random one (the processes of one "
        "`equeue api --workers N` share theirs).",
    )
    events_batch_seconds: float = Field(
        default=0.1,
        gt=0,
        description="How long the event hub gathers notifications before sending one frame "
        "per client.",
    )
    events_client_buffer: int = Field(
        default=100,
        ge=1,
        description="Frames a client may fall behind by before it is disconnected.",
    )
    worker_alive_seconds: float = Field(
        default=60.0,
        gt=0,
        description="A worker counts as alive when it was seen within this many seconds.",
    )
    key_cache_seconds: float = Field(
        default=5.0,
        ge=0,
        description="How long a stored key's lookup is cached (revocation takes effect within it).",
    )
    ready_cache_seconds: float = Field(
        default=1.0,
        ge=0,
        description="How long `/readyz` reuses its last answer: however often it is asked, the "
        "database is asked at most once in this time.",
    )
    migrate_on_start: bool = Field(
        default=False, description="Apply pending migrations when the API starts."
    )

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: Any) -> Any:
        return _comma_list(value)

    @field_validator("allowed_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: Any) -> Any:
        hosts = _comma_list(value)
        return [host.lower() for host in hosts] if isinstance(hosts, list) else hosts


class WorkerSection(BaseSettings):
    """How a worker process claims and runs jobs (see :class:`~equeue.worker.WorkerSettings`)."""

    model_config = CONFIG

    concurrency: int = Field(
        default=10, ge=1, le=10_000, description="Jobs one worker process runs at once."
    )
    processes: int = Field(
        default=1, ge=1, le=256, description="Worker processes `equeue worker` starts."
    )
    queues: CommaList = Field(
        default_factory=list,
        description="Queues a worker takes jobs from, comma-separated; empty means all.",
    )
    lease_seconds: float = Field(
        default=30.0,
        gt=0,
        description="A job whose worker stops renewing its lease this long is rescued.",
    )
    heartbeat_interval: float | None = Field(
        default=None,
        gt=0,
        description="Seconds between lease renewals; unset means a third of `lease_seconds`.",
    )
    poll_interval: float = Field(
        default=2.0, gt=0, description="Seconds between polls when no notification arrives."
    )
    claim_batch: int = Field(
        default=500, ge=1, description="Most jobs a worker claims in one statement."
    )
    shutdown_grace: float = Field(
        default=30.0, ge=0, description="Seconds running jobs may finish after SIGTERM."
    )
    listen: bool = Field(
        default=True,
        description="Use LISTEN/NOTIFY (on `direct_database_url` when set) to hear of new jobs "
        "at once; false: poll every `poll_interval` only.",
    )
    handoff: bool = Field(
        default=True,
        description="Let an idle worker be handed single enqueues directly (needs listen).",
    )
    worker_migrate: bool = Field(
        default=True,
        description="A worker applies pending migrations when it starts; false: it refuses to "
        "start while any is pending, naming them (migrations then run as a deploy step, "
        "`equeue migrate`).",
    )

    @field_validator("queues", mode="before")
    @classmethod
    def _split_queues(cls, value: Any) -> Any:
        return _comma_list(value)


class MaintenanceSection(BaseSettings):
    """The duties one worker of the fleet runs at a time: rescue, promotion, retention."""

    model_config = CONFIG

    maintenance: bool = Field(
        default=True,
        description="Let this worker take its turn at maintenance (rescuing expired leases, "
        "promoting due jobs, pruning); at least one worker of a fleet must.",
    )
    maintenance_interval: float = Field(
        default=1.0, gt=0, description="Seconds between rescue and promotion rounds."
    )
    maintenance_batch_size: int = Field(
        default=1000, ge=1, description="Jobs per rescue or promotion statement."
    )
    retention_seconds: float = Field(
        default=7 * 86400.0,
        ge=0,
        description="Finished jobs, and audit records, older than this many seconds are "
        "deleted by maintenance (archived jobs a whole day at a time: docs/history.md).",
    )
    prune_interval: float = Field(
        default=60.0,
        gt=0,
        description="Seconds between pruning rounds once pruning has caught up.",
    )
    prune_batch_size: int = Field(
        default=5000,
        ge=1,
        le=1_000_000,
        description="Finished jobs deleted per pruning statement (one short transaction).",
    )
    prune_round_seconds: float = Field(
        default=2.0,
        gt=0,
        description="Longest pruning round; still behind, the next starts a second later.",
    )
    dead_worker_seconds: float = Field(
        default=300.0, gt=0, description="Worker rows not seen for this long are forgotten."
    )
    archive_after_seconds: float = Field(
        default=10.0,
        ge=0,
        description="Finished jobs move from the jobs table to job_history this many "
        "seconds after they finished (docs/history.md).",
    )
    archive_batch_size: int = Field(
        default=5000,
        ge=1,
        le=1_000_000,
        description="Finished jobs moved to job_history per statement (one short transaction).",
    )


class StackSection(BaseSettings):
    """What the commands run and how they log."""

    model_config = CONFIG

    app: str | None = Field(
        default=None,
        description="`module:queue` holding your tasks, for `equeue worker`, `api` and `dev`.",
    )
    data_dir: Path = Field(
        default=Path(".equeue"),
        description="Where `equeue dev` keeps the embedded database and its admin key.",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", description="Logging level."
    )
    log_format: Literal["text", "json"] = Field(
        default="text",
        description="Log lines as text, or as one JSON object each with the job's fields.",
    )

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value
