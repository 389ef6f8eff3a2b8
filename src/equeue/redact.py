"""Keeping secrets out of what equeue prints: database passwords, API keys, event tokens.

A key or token in a log line is a credential anyone who reads the log can replay, so
URLs are blanked before they are written: the password of a database URL, and the
values of query parameters that carry secrets (``?token=...`` of the events socket, or a
key someone put in a URL by mistake).
"""

from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit, urlunsplit

MASK = "***"
REDACTED = "[redacted]"
#: Query parameters whose values are secrets.
SECRET_PARAMETERS = (
    "token",
    "access_token",
    "key",
    "api_key",
    "apikey",
    "x-api-key",
    "password",
    "passwd",
    "secret",
)
_SECRET_QUERY = re.compile(
    r"(?P<name>(?:^|(?<=[?&;\s]))(?:" + "|".join(map(re.escape, SECRET_PARAMETERS)) + r")=)"
    r"(?P<value>[^&;\s\"']*)",
    re.IGNORECASE,
)
#: The server loggers that write request paths with their query strings.
SERVER_LOGGERS = ("uvicorn.access", "uvicorn.error")


def redact_query(text: str) -> str:
    """``text`` with the values of secret query parameters replaced by ``[redacted]``."""
    return _SECRET_QUERY.sub(lambda m: m["name"] + (REDACTED if m["value"] else ""), text)


def mask_dsn(dsn: str) -> str:
    """A database URL fit to print: its password (in the user part or the query) masked."""
    try:
        parts = urlsplit(dsn)
        password = parts.password
    except ValueError:
        return MASK  # not a URL we can take apart: show nothing of it
    netloc = parts.netloc
    if password is not None:
        user_part, _, host_part = netloc.rpartition("@")
        netloc = f"{user_part.split(':', 1)[0]}:{MASK}@{host_part}"
    query = _SECRET_QUERY.sub(lambda m: m["name"] + MASK, parts.query)
    return urlunsplit(parts._replace(netloc=netloc, query=query))


class RedactSecrets(logging.Filter):
    """Blanks secret query parameters in a record's message and arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact_query(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(
                redact_query(arg) if isinstance(arg, str) else arg for arg in record.args
            )
        return True


def redact_server_logs() -> None:
    """Install :class:`RedactSecrets` on the server's loggers (once; safe to call again).

    uvicorn writes every request's path and query to its access log and every socket's
    to its error log; the events socket's token travels in that query.
    """
    for name in SERVER_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in logger.filters):
            logger.addFilter(RedactSecrets())
