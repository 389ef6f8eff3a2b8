"""Secrets blanked out of what is printed: database URLs and request paths."""

from __future__ import annotations

import logging

import pytest

from equeue.api.settings import is_loopback
from equeue.redact import RedactSecrets, mask_dsn, redact_query


@pytest.mark.parametrize(
    ("dsn", "shown"),
    [
        ("postgresql://app:s3cret@db:5432/app", "postgresql://app:***@db:5432/app"),
        (
            "postgresql://app:p%40ss@db/app?sslmode=require",
            "postgresql://app:***@db/app?sslmode=require",
        ),
        (
            "postgresql://app@db/app?password=s3cret&sslmode=require",
            "postgresql://app@db/app?password=***&sslmode=require",
        ),
        ("postgresql://app@db/app", "postgresql://app@db/app"),
        ("postgresql://:s3cret@db/app", "postgresql://:***@db/app"),
    ],
)
def test_printed_database_urls_hide_their_password(dsn: str, shown: str) -> None:
    assert mask_dsn(dsn) == shown


def test_secret_query_parameters_are_blanked_and_others_kept() -> None:
    path = "/v1/events?queue=default&token=abc.def&monkey=1&api_key=k&Key=K&limit=5"
    assert redact_query(path) == (
        "/v1/events?queue=default&token=[redacted]&monkey=1&api_key=[redacted]"
        "&Key=[redacted]&limit=5"
    )
    assert redact_query("/v1/jobs?token=") == "/v1/jobs?token="


def test_the_log_filter_blanks_arguments_of_access_lines() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5", "GET", "/v1/events?token=abc", "1.1", 101),
        None,
    )
    assert RedactSecrets().filter(record)
    assert record.getMessage() == '127.0.0.1:5 - "GET /v1/events?token=[redacted] HTTP/1.1" 101'


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("::1", True),
        ("[::1]", True),
        ("::ffff:127.0.0.1", True),
        ("localhost", True),
        ("app.localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.0.2.10", False),
        ("localhost.evil.example", False),
        ("example.com", False),
    ],
)
def test_loopback_names_and_addresses(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback
