"""equeue's settings: one object for the API, the worker and the local stack.

Every setting comes from, in order of precedence: a command-line flag, an environment
variable (``EQUEUE_<NAME>``), a TOML file (``--config`` or ``EQUEUE_CONFIG``), the default.

:class:`Settings` is made of sections, each a settings class of its own that reads the
same variables: :class:`ConnectionSettings` (the database), :class:`ApiSettings` (the REST
API server), :class:`WorkerSection` and :class:`MaintenanceSection` (worker processes) and
:class:`StackSection` (the commands and the local stack). A part of equeue that needs one
section takes that class, and the whole :class:`Settings` fits wherever a section is
expected. ``docs/configuration.md`` holds the table of all of them; a test checks it
against :class:`Settings` so the two cannot drift apart.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import SecretStr, ValidationError

from equeue.settings.sections import (
    CONFIG,
    ApiSettings,
    ConnectionSettings,
    MaintenanceSection,
    QueueDefaults,
    StackSection,
    WorkerSection,
)

__all__ = [
    "ApiSettings",
    "ConnectionSettings",
    "MaintenanceSection",
    "QueueDefaults",
    "Settings",
    "SettingsError",
    "StackSection",
    "WorkerSection",
    "configuration_markdown",
    "queue_defaults",
]

CONFIG_ENV = "EQUEUE_CONFIG"


class SettingsError(ValueError):
    """The configuration is invalid; the message names the setting and the problem."""


# The sections' order is the documented table's: pydantic lists the fields of the last
# base first.
class Settings(StackSection, MaintenanceSection, WorkerSection, ApiSettings, ConnectionSettings):
    """Every operator-facing setting, read from ``EQUEUE_*`` variables (see
    :meth:`load` for flags and the TOML file)."""

    model_config = CONFIG

    def as_environment(self) -> dict[str, str]:
        """These settings as ``EQUEUE_*`` variables, to hand them to a child process (a URL
        with a password stays out of the process list this way)."""
        env: dict[str, str] = {}
        for name, value in self.model_dump().items():
            if value is None:
                continue
            if isinstance(value, SecretStr):
                value = value.get_secret_value()
            if isinstance(value, list):
                env[env_name(name)] = ",".join(value)
            elif isinstance(value, bool):
                env[env_name(name)] = "true" if value else "false"
            else:
                env[env_name(name)] = str(value)
        return env

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
            env_set = {name for name in cls.model_fields if env_name(name) in os.environ}
            merged = {**from_file}
            merged.update({k: v for k, v in from_env.items() if k in env_set})
            merged.update(given)
            return cls.model_validate(merged)
        except ValidationError as exc:
            raise SettingsError(_describe(exc)) from None


def queue_defaults() -> QueueDefaults:
    """The database URL and unknown-task policy the environment gives a Queue."""
    try:
        return QueueDefaults()
    except ValidationError as exc:
        raise SettingsError(_describe(exc)) from None


def env_name(field: str) -> str:
    """The environment variable of a setting."""
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
        if name in {"schema_name", "EQUEUE_SCHEMA"}:
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
    """Rows of (setting, environment variable, default, description) for the docs."""
    rows = []
    for name, field in Settings.model_fields.items():
        public = "schema" if name == "schema_name" else name
        default = field.get_default(call_default_factory=True)
        rows.append((public, env_name(name), _shown(default), field.description or ""))
    return rows


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
