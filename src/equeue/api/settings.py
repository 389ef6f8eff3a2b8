"""Settings of the REST API, read from ``EQUEUE_*`` environment variables."""

from __future__ import annotations

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
    #: Turn authentication off. The server then refuses to bind to anything but loopback.
    auth_disabled: bool = False
    #: Origins allowed by CORS, comma-separated; empty means no CORS headers.
    cors_origins: str = ""
    #: Token bucket per key: sustained requests per second and burst size.
    rate_limit_per_second: float = Field(default=100.0, gt=0)
    rate_limit_burst: int = Field(default=200, ge=1)
    #: Largest request body for one job (the payload limit itself is the queue's Limits).
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
    #: Apply pending migrations when the API starts.
    migrate_on_start: bool = False

    def cors_origin_list(self) -> list[str]:
        return [origin.strip() for origin in self.cors_origins.split(",") if origin.strip()]


LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})


def check_bind_host(settings: ApiSettings, host: str) -> None:
    """Refuse to serve without authentication on anything but loopback.

    Call it before binding a server; raises :class:`ValueError` saying why.
    """
    if settings.auth_disabled and host not in LOOPBACK_HOSTS:
        raise ValueError(
            f"authentication is disabled (EQUEUE_AUTH_DISABLED), so the API may only bind to "
            f"loopback (127.0.0.1, ::1, localhost), not {host!r}"
        )
