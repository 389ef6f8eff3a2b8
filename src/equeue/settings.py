"""Configuration for the ``equeue`` command line and the local stack.

Every setting comes from, in order of precedence: a command-line flag, an environment
variable (``EQUEUE_<NAME>``), a TOML file (``--config`` or ``EQUEUE_CONFIG``), the default.
``docs/configuration.md`` holds the table of all of them; a test checks it against this
model so the two cannot drift apart.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from equeue.storage.sql import validate_schema_name

if TYPE_CHECKING:
    from equeue.worker import WorkerSettings

CONFIG_ENV = "EQUEUE_CONFIG"


class SettingsError(ValueError):
    """The configuration is invalid; the message names the setting and the problem."""


class Settings(BaseSettings):
    """All of equeue's operator-facing settings, read from ``EQUEUE_*`` variables."""

    model_config = SettingsConfigDict(
        env_prefix="EQUEUE_",
        extra="ignore",
        validate_default=True,
        frozen=True,
        populate_by_name=True,
    )

    database_url: str | None = Field(
        default=None,
        description="PostgreSQL URL. Unset under `equeue dev`: an embedded server is started.",
    )
    schema_name: str = Field(
        default="equeue",
        validation_alias="EQUEUE_SCHEMA",
        description="PostgreSQL schema holding equeue's tables (one per application).",
    )
    api_key: str | None = Field(
        default=None,
        description="An admin API key accepted by the API (`equeue dev` generates one if unset).",
    )
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Origins allowed by CORS, comma-separated (e.g. `http://localhost:5173`).",
    )
    host: str = Field(default="127.0.0.1", description="Address the API binds to.")
    port: int = Field(default=8000, ge=0, le=65535, description="Port the API listens on.")
    app: str | None = Field(
        default=None,
        description="`module:queue` holding your tasks, for `equeue worker` and `dev`.",
    )
    data_dir: Path = Field(
        default=Path(".equeue"),
        description="Where `equeue dev` keeps the embedded database and its admin key.",
    )
    concurrency: int = Field(
        default=10, ge=1, le=10_000, description="Jobs one worker process runs at once."
    )
    processes: int = Field(
        default=1, ge=1, le=256, description="Worker processes `equeue worker` starts."
    )
    queues: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Queues a worker takes jobs from, comma-separated; empty means all.",
    )
    lease_seconds: float = Field(
        default=30.0,
        gt=0,
        description="A job whose worker stops renewing its lease this long is rescued.",
    )
    poll_interval: float = Field(
        default=2.0, gt=0, description="Seconds between polls when no notification arrives."
    )
    shutdown_grace: float = Field(
        default=30.0, ge=0, description="Seconds running jobs may finish after SIGTERM."
    )
    listen: bool = Field(
        default=True,
        description="Use LISTEN/NOTIFY; set false behind PgBouncer in transaction mode.",
    )
    handoff: bool = Field(
        default=True,
        description="Let an idle worker be handed single enqueues directly (needs listen).",
    )
    retention_seconds: float = Field(
        default=7 * 86400.0,
        ge=0,
        description="Finished jobs older than this many seconds are deleted by maintenance.",
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
    pool_min_size: int = Field(default=1, ge=0, description="Connections a process keeps open.")
    pool_max_size: int = Field(default=10, ge=1, description="Most pooled connections per process.")
    allow_unknown_tasks: bool = Field(
        default=False, description="Accept jobs for task names no worker has registered yet."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", description="Logging level."
    )
    log_format: Literal["text", "json"] = Field(
        default="text",
        description="Log lines as text, or as one JSON object each with the job's fields.",
    )

    @field_validator("cors_origins", "queues", mode="before")
    @classmethod
    def _split_commas(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("schema_name")
    @classmethod
    def _check_schema(cls, value: str) -> str:
        return validate_schema_name(value)

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    @property
    def schema(self) -> str:  # type: ignore[override]
        """The PostgreSQL schema (``schema`` is the public name of ``schema_name``)."""
        return self.schema_name

    def worker_settings(self) -> WorkerSettings:
        """What a worker process of these settings runs with."""
        from equeue.worker import MaintenanceSettings, WorkerSettings

        return WorkerSettings(
            concurrency=self.concurrency,
            queues=self.queues or None,
            lease_seconds=self.lease_seconds,
            poll_interval=self.poll_interval,
            shutdown_grace=self.shutdown_grace,
            listen=self.listen,
            handoff=self.handoff,
            maintenance_settings=MaintenanceSettings(
                retention_seconds=self.retention_seconds,
                prune_interval=self.prune_interval,
                prune_batch_size=self.prune_batch_size,
                prune_round_seconds=self.prune_round_seconds,
            ),
        )

    @classmethod
    def load(cls, config: Path | str | None = None, **overrides: Any) -> Settings:
        """Settings from flags (``overrides``; ``None`` means not given), the environment,
        then the TOML file ``config`` (or ``$EQUEUE_CONFIG``).

        Raises :class:`SettingsError` with a readable message when something is invalid.
        """
        given = {k: v for k, v in overrides.items() if v is not None}
        if "schema" in given:
            given["schema_name"] = given.pop("schema")
        path = config or os.environ.get(CONFIG_ENV)
        from_file = _read_config_file(Path(path)) if path else {}
        try:
            from_env = cls().model_dump()
            env_set = {name for name in cls.model_fields if _env_name(name) in os.environ}
            merged = {**from_file}
            merged.update({k: v for k, v in from_env.items() if k in env_set})
            merged.update(given)
            return cls.model_validate(merged)
        except ValidationError as exc:
            raise SettingsError(_describe(exc)) from None


def _env_name(field: str) -> str:
    return "EQUEUE_SCHEMA" if field == "schema_name" else f"EQUEUE_{field.upper()}"


def _read_config_file(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise SettingsError(f"config file {path} does not exist") from None
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(f"cannot read config file {path}: {exc}") from None
    # Allow both a flat file and one with an [equeue] table.
    table = data.get("equeue", data)
    if not isinstance(table, dict):
        raise SettingsError(f"config file {path}: [equeue] must be a table")
    known = set(Settings.model_fields) | {"schema"}
    unknown = sorted(set(table) - known)
    if unknown:
        raise SettingsError(f"config file {path}: unknown settings {', '.join(unknown)}")
    result = dict(table)
    if "schema" in result:
        result["schema_name"] = result.pop("schema")
    return result


def _describe(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors():
        name = ".".join(str(part) for part in error["loc"]) or "settings"
        if name == "schema_name":
            name = "schema"
        problems.append(f"{name}: {error['msg']}")
    return "invalid configuration: " + "; ".join(problems)


def _shown(default: Any) -> str:
    if isinstance(default, list):
        return ",".join(default) if default else "(empty)"
    if default is None:
        return "(unset)"
    if isinstance(default, bool):
        return str(default).lower()
    return str(default)


def settings_table() -> list[tuple[str, str, str, str]]:
    """Rows of (setting, environment variable, default, description) for the docs: these
    settings, then the API server's (``equeue.api.ApiSettings``)."""
    rows = []
    for name, field in Settings.model_fields.items():
        public = "schema" if name == "schema_name" else name
        default = field.get_default(call_default_factory=True)
        rows.append((public, _env_name(name), _shown(default), field.description or ""))
    from equeue.api.settings import ApiSettings

    comments = _field_comments(ApiSettings)
    for name, field in ApiSettings.model_fields.items():
        if name in Settings.model_fields:
            continue
        default = field.get_default(call_default_factory=True)
        description = field.description or comments.get(name, "")
        rows.append((name, f"EQUEUE_{name.upper()}", _shown(default), description))
    return rows


def _field_comments(model: type) -> dict[str, str]:
    """The ``#:`` comments written above each field of a class, by field name."""
    import inspect

    found: dict[str, str] = {}
    pending: list[str] = []
    for line in inspect.getsource(model).splitlines():
        stripped = line.strip()
        if stripped.startswith("#:"):
            pending.append(stripped[2:].strip())
        elif ":" in stripped and not stripped.startswith(("#", "def ", "@", "class ")):
            name = stripped.split(":", 1)[0].strip()
            if name.isidentifier() and pending:
                found[name] = " ".join(pending)
            pending = []
        else:
            pending = []
    return found


def configuration_markdown() -> str:
    """The settings table of ``docs/configuration.md``."""
    lines = [
        "| setting | environment variable | default | what it does |",
        "| --- | --- | --- | --- |",
    ]
    for name, env, default, description in settings_table():
        cell = description.replace("|", "\\|")
        lines.append(f"| `{name}` | `{env}` | `{default}` | {cell} |")
    return "\n".join(lines) + "\n"
