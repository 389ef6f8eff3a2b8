"""Settings: precedence (flag > environment > file > default), parsing, clear errors, and
the documented table staying in step with the model."""

from __future__ import annotations

from pathlib import Path

import pytest

from equeue import Queue
from equeue.settings import Settings, SettingsError, configuration_markdown
from equeue.worker.configure import worker_settings

DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("EQUEUE_"):
            monkeypatch.delenv(name)


def test_defaults() -> None:
    settings = Settings.load()
    assert settings.database_url is None
    assert settings.schema == "equeue"
    assert (settings.port, settings.concurrency, settings.queues) == (8000, 10, [])
    assert settings.listen is True


def test_flag_beats_environment_beats_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "equeue.toml"
    config.write_text('concurrency = 3\nport = 9001\nschema = "from_file"\nqueues = "a,b"\n')
    from_file = Settings.load(config)
    assert (from_file.concurrency, from_file.port, from_file.schema) == (3, 9001, "from_file")
    assert from_file.queues == ["a", "b"]

    monkeypatch.setenv("EQUEUE_CONCURRENCY", "5")
    monkeypatch.setenv("EQUEUE_SCHEMA", "from_env")
    from_env = Settings.load(config)
    assert (from_env.concurrency, from_env.port, from_env.schema) == (5, 9001, "from_env")

    from_flags = Settings.load(config, concurrency=7, schema="from_flag", port=None)
    assert (from_flags.concurrency, from_flags.port, from_flags.schema) == (7, 9001, "from_flag")


def test_config_file_from_environment_and_equeue_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "settings.toml"
    config.write_text('[equeue]\ndatabase_url = "postgresql://db/app"\nlisten = false\n')
    monkeypatch.setenv("EQUEUE_CONFIG", str(config))
    settings = Settings.load()
    assert settings.database_url == "postgresql://db/app"
    assert settings.listen is False


def test_lists_are_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EQUEUE_CORS_ORIGINS", "http://a.test, http://b.test,")
    monkeypatch.setenv("EQUEUE_QUEUES", "emails")
    settings = Settings.load()
    assert settings.cors_origins == ["http://a.test", "http://b.test"]
    assert settings.queues == ["emails"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"port": 70000}, "port: Input should be less than or equal to 65535"),
        ({"concurrency": 0}, "concurrency: Input should be greater than or equal to 1"),
        ({"schema": "bad-name;"}, "schema"),
        ({"log_level": "LOUD"}, "log_level"),
    ],
)
def test_invalid_values_name_the_setting(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(SettingsError, match="invalid configuration") as caught:
        Settings.load(**overrides)
    assert message in str(caught.value)


def test_invalid_environment_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EQUEUE_LEASE_SECONDS", "soon")
    with pytest.raises(SettingsError, match="lease_seconds"):
        Settings.load()


def test_file_errors(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="does not exist"):
        Settings.load(tmp_path / "missing.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("concurrency = = 3")
    with pytest.raises(SettingsError, match="cannot read config file"):
        Settings.load(broken)
    typo = tmp_path / "typo.toml"
    typo.write_text("concurency = 3")
    with pytest.raises(SettingsError, match="unknown settings concurency"):
        Settings.load(typo)


def test_log_level_is_case_insensitive() -> None:
    assert Settings.load(log_level="debug").log_level == "DEBUG"


def test_documented_table_matches_the_model() -> None:
    text = DOC.read_text()
    start = text.index("<!-- settings-table:start -->\n") + len("<!-- settings-table:start -->\n")
    end = text.index("<!-- settings-table:end -->")
    assert text[start:end] == configuration_markdown(), (
        "docs/configuration.md is out of date: regenerate its table from "
        "equeue.settings.configuration_markdown()"
    )


def test_retention_settings_reach_the_workers_maintenance(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "equeue.toml"
    config.write_text("retention_seconds = 3600\nprune_batch_size = 20000\n")
    monkeypatch.setenv("EQUEUE_PRUNE_ROUND_SECONDS", "0.5")
    settings = Settings.load(config, prune_interval=15.0)
    maintenance = worker_settings(settings).maintenance_settings
    assert maintenance.retention_seconds == 3600  # file
    assert maintenance.prune_batch_size == 20000  # file
    assert maintenance.prune_round_seconds == 0.5  # environment
    assert maintenance.prune_interval == 15  # flag
    with pytest.raises(SettingsError, match="prune_batch_size"):
        Settings.load(prune_batch_size=0)


def test_api_settings_are_a_section_of_the_one_settings_object(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from equeue.api import ApiSettings

    config = tmp_path / "equeue.toml"
    config.write_text('rate_limit_burst = 7\nallowed_hosts = "Queue.Example.com"\n')
    monkeypatch.setenv("EQUEUE_CORS_ORIGINS", "http://a.test,http://b.test")
    settings = Settings.load(config)
    assert isinstance(settings, ApiSettings)  # what the API server is handed
    assert settings.rate_limit_burst == 7
    assert settings.allowed_hosts == ["queue.example.com"]
    # Read on its own, the section reads the same variables the same way.
    assert ApiSettings().cors_origins == settings.cors_origins == ["http://a.test", "http://b.test"]


def test_every_worker_and_maintenance_setting_can_be_configured(tmp_path: Path) -> None:
    import dataclasses

    from equeue.worker import MaintenanceSettings, WorkerSettings

    config = tmp_path / "equeue.toml"
    config.write_text(
        "claim_batch = 64\nheartbeat_interval = 4.5\nmaintenance = false\n"
        "maintenance_interval = 3\nmaintenance_batch_size = 50\ndead_worker_seconds = 90\n"
    )
    worker = worker_settings(Settings.load(config))
    assert (worker.claim_batch, worker.heartbeat_interval, worker.maintenance) == (64, 4.5, False)
    kept = worker.maintenance_settings
    assert (kept.interval, kept.batch_size, kept.dead_worker_seconds) == (3, 50, 90)
    # Nothing a worker runs with is left out of the settings (and so of the docs' table).
    names = {f.name for f in dataclasses.fields(WorkerSettings)} - {"maintenance_settings"}
    own_names = ("prune", "retention", "dead", "archive")
    names |= {
        f.name if f.name.startswith(own_names) else f"maintenance_{f.name}"
        for f in dataclasses.fields(MaintenanceSettings)
    }
    assert names <= set(Settings.model_fields)


def test_a_queue_takes_its_settings_explicitly(monkeypatch: pytest.MonkeyPatch) -> None:
    from equeue import Queue

    settings = Settings.load(
        database_url="postgresql://db/app",
        schema="app",
        allow_unknown_tasks=True,
        pool_max_size=3,
    )
    queue = Queue.from_settings(settings)
    assert (queue.dsn, queue.schema, queue.allow_unknown_tasks) == (
        "postgresql://db/app",
        "app",
        True,
    )
    # Built in code, a queue falls back on the documented variables.
    monkeypatch.setenv("EQUEUE_DATABASE_URL", "postgresql://env/app")
    monkeypatch.setenv("EQUEUE_ALLOW_UNKNOWN_TASKS", "true")
    from_env = Queue()
    assert (from_env.dsn, from_env.allow_unknown_tasks) == ("postgresql://env/app", True)
    assert Queue("postgresql://given/app", allow_unknown_tasks=False).allow_unknown_tasks is False


def test_a_transaction_pooler_needs_a_direct_url(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SettingsError, match="transaction_pooler needs direct_database_url"):
        Settings.load(database_url="postgresql://bouncer:6432/app", transaction_pooler=True)
    monkeypatch.setenv("EQUEUE_DATABASE_URL", "postgresql://bouncer:6432/app")
    monkeypatch.setenv("EQUEUE_DIRECT_DATABASE_URL", "postgresql://db:5432/app")
    monkeypatch.setenv("EQUEUE_TRANSACTION_POOLER", "true")
    settings = Settings.load()
    queue = Queue.from_settings(settings)
    assert (queue.dsn, queue.session_dsn) == (
        "postgresql://bouncer:6432/app",
        "postgresql://db:5432/app",
    )
    assert queue.transaction_pooler is True
    # A queue built in code takes the three together from the environment.
    from_env = Queue()
    assert (from_env.dsn, from_env.session_dsn, from_env.transaction_pooler) == (
        queue.dsn,
        queue.session_dsn,
        True,
    )
    # Without a pooler, everything uses the one URL.
    assert Queue("postgresql://db/app").session_dsn == "postgresql://db/app"


async def test_a_queue_behind_a_pooler_without_a_direct_url_refuses_to_open() -> None:
    queue = Queue("postgresql://bouncer:6432/app", transaction_pooler=True)
    with pytest.raises(RuntimeError, match="direct_dsn"):
        await queue.open()
