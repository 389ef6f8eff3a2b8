"""Settings of the REST API, read from ``EQUEUE_*`` environment variables."""

from __future__ import annotations

import ipaddress

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class ApiSettings(BaseSettings):
    """How the REST API authenticates, limits and reports.

    Every field can be set from the environment with the ``EQUEUE_`` prefix, e.g.
    ``EQUEUE_API_KEY``, ``EQUEUE_CORS_ORIGINS``, ``EQUEUE_RATE_LIMIT_PER_SECOND``.
    """

    model_config = SettingsConfigDict(env_prefix="EQUEUE_", extra="ignore")

    #: An admin key accepted besides the stored keys (for the local stack and tests).
    api_key: SecretStr | None = None
    #: Turn authentication off. The server then refuses to bind to anything but loopback,
    #: and refuses requests and sockets that arrive on any other address.
    auth_disabled: bool = False
    #: Origins allowed by CORS, comma-separated; empty means no CORS headers. A browser
    #: request that changes something (or opens the events socket) from any other origin
    #: than these and the server's own is refused.
    cors_origins: str = ""
    #: Host names served, besides loopback ones, to requests that arrive on a loopback
    #: address (comma-separated): a reverse proxy on the same machine that passes the
    #: public name on. Other names are refused there, against DNS rebinding.
    allowed_hosts: str | None = None
    #: Token bucket per key: sustained requests per second and burst size.
    rate_limit_per_second: float = Field(default=100.0, gt=0)
    rate_limit_burst: int = Field(default=200, ge=1)
    #: Token bucket per client address for requests without a valid key: sustained
    #: failures per second and burst size. Beyond it they are answered 429 and no key
    #: is looked up in the database.
    auth_failure_rate_per_second: float = Field(default=1.0, gt=0)
    auth_failure_burst: int = Field(default=20, ge=1)
    #: Largest request body (413 beyond), read only once the caller's key has passed; the
    #: payload limit itself is the queue's Limits.
    max_request_bytes: int = Field(default=1024 * 1024 + 64 * 1024, ge=1024)
    #: Largest request body for a batch.
    max_batch_request_bytes: int = Field(default=32 * 1024 * 1024, ge=1024)
    #: Most jobs in one ``POST /v1/jobs/batch``.
    max_batch_size: int = Field(default=1000, ge=1)
    #: Most jobs in one page of ``GET /v1/jobs``.
    max_page_size: int = Field(default=500, ge=1)
    #: Lifetime of the tokens ``POST /v1/events/token`` issues.
    events_token_seconds: float = Field(default=300.0, gt=0)
    #: Secret that signs event tokens; give every API process the same one behind a load
    #: balancer. When unset, each process draws a random one.
    token_secret: SecretStr | None = None
    #: How long the event hub gathers notifications before sending one frame per client.
    events_batch_seconds: float = Field(default=0.1, gt=0)
    #: Frames a client may fall behind by before it is disconnected.
    events_client_buffer: int = Field(default=100, ge=1)
    #: A worker counts as alive when it was seen within this many seconds.
    worker_alive_seconds: float = Field(default=60.0, gt=0)
    #: How long a stored key's lookup is cached (revocation takes effect within it).
    key_cache_seconds: float = Field(default=5.0, ge=0)
    #: How long ``/readyz`` reuses its last answer: however often it is asked, the
    #: database is asked at most once in this time.
    ready_cache_seconds: float = Field(default=1.0, ge=0)
    #: Apply pending migrations when the API starts.
    migrate_on_start: bool = False

    def cors_origin_list(self) -> list[str]:
        return _comma_list(self.cors_origins)

    def allowed_host_list(self) -> list[str]:
        return [host.lower() for host in _comma_list(self.allowed_hosts or "")]


def _comma_list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address) can only be reached from this machine."""
    name = host.strip("[]").lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True  # names under .localhost resolve to loopback (RFC 6761)
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def check_bind_host(settings: ApiSettings, host: str) -> None:
    """Refuse to serve without authentication on anything but loopback.

    Call it before binding a server; raises :class:`ValueError` with a one-line reason.
    """
    if settings.auth_disabled and not is_loopback(host):
        raise ValueError(
            f"authentication is disabled (EQUEUE_AUTH_DISABLED), so the API may only bind to "
            f"loopback (127.0.0.1, ::1, localhost), not {host!r}"
        )
