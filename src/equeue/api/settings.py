"""The REST API's settings (:class:`ApiSettings`, a section of :class:`equeue.settings.Settings`)
and the checks on where it may bind."""

from __future__ import annotations

import functools
import ipaddress

from equeue.settings import ApiSettings

__all__ = ["LOOPBACK_HOSTS", "ApiSettings", "check_bind_host", "is_loopback"]


LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})


@functools.lru_cache(maxsize=1024)
def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address) can only be reached from this machine.

    Remembered (a few at a time): every request asks it of its server address and of
    its ``Host``, and parsing an address costs more than the rest of the check.
    """
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
