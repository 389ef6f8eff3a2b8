"""Settings: precedence (flag > environment > file > default), parsing, clear errors, and
the documented table staying in step with the model."""

from __future__ import annotations

from pathlib import Path

import pytest

from equeue.settings import Settings, SettingsError, configuration_markdown

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
    maintenance = settings.worker_settings().maintenance_settings
    assert maintenance.retention_seconds == 3600  # file
    assert maintenance.prune_batch_size == 20000  # file
    assert maintenance.prune_round_seconds == 0.5  # environment
    assert maintenance.prune_interval == 15  # flag
    with pytest.raises(SettingsError, match="prune_batch_size"):
        Settings.load(prune_batch_size=0)
