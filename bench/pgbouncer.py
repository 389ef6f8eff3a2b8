"""A PgBouncer in transaction mode in front of a PostgreSQL, for the benchmark and the
tests: a generated configuration, a free port, a process of its own.

Debian's ``pgbouncer`` package provides the binary (``scripts/test`` and ``scripts/bench``
install it when it is missing). PgBouncer refuses to run as root, so as root it is told
to switch to ``nobody``, and its files are readable by that user.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

#: Where Debian puts the binary (outside a non-root PATH).
DEBIAN_BINARY = "/usr/sbin/pgbouncer"


def binary() -> str:
    """The pgbouncer program; raises with what to install when it is missing."""
    found = shutil.which("pgbouncer") or (DEBIAN_BINARY if Path(DEBIAN_BINARY).exists() else None)
    if found is None:
        raise RuntimeError("pgbouncer is not installed: apt-get install -y pgbouncer")
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _ini_value(text: str) -> str:
    """A value for a [databases] connection string (quoted when it has spaces)."""
    if any(c in text for c in " '\\"):
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return text


@dataclass
class PgBouncer:
    """A running PgBouncer that forwards every database of ``server_url``'s server, as
    ``server_url``'s user, in transaction mode, with ``pool_size`` server connections per
    database."""

    server_url: str
    pool_size: int = 20
    max_clients: int = 1000
    port: int = field(default_factory=free_port)
    directory: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="pgbouncer-")))
    process: subprocess.Popen[bytes] | None = None

    @property
    def log(self) -> Path:
        return self.directory / "pgbouncer.log"

    def url(self, database: str | None = None) -> str:
        """``server_url`` with PgBouncer's address (and ``database``, if given) instead."""
        parts = urlsplit(self.server_url)
        auth = parts.netloc.rpartition("@")[0]
        netloc = f"{auth}@127.0.0.1:{self.port}" if auth else f"127.0.0.1:{self.port}"
        path = f"/{database}" if database else parts.path
        return urlunsplit(parts._replace(netloc=netloc, path=path))

    def config(self) -> str:
        parts = urlsplit(self.server_url)
        target = [f"host={parts.hostname or '127.0.0.1'}", f"port={parts.port or 5432}"]
        if parts.username:
            target.append(f"user={_ini_value(unquote(parts.username))}")
        if parts.password:
            target.append(f"password={_ini_value(unquote(parts.password))}")
        return "\n".join(
            [
                "[databases]",
                "* = " + " ".join(target),
                "",
                "[pgbouncer]",
                "listen_addr = 127.0.0.1",
                f"listen_port = {self.port}",
                "unix_socket_dir =",
                # Clients are not checked here: it listens on loopback only, for one test
                # or benchmark, and logs in to PostgreSQL as the URL's user.
                "auth_type = any",
                "pool_mode = transaction",
                f"default_pool_size = {self.pool_size}",
                f"max_client_conn = {self.max_clients}",
                f"logfile = {self.log}",
                "log_connections = 1",
                "log_disconnections = 0",
                "",
            ]
        )

    def start(self, timeout: float = 15.0) -> PgBouncer:
        """Start it and wait until it accepts connections."""
        ini = self.directory / "pgbouncer.ini"
        ini.write_text(self.config())
        command = [binary()]
        if os.geteuid() == 0:
            # It refuses to run as root; the files it reads and writes must be nobody's too.
            for path in (self.directory, ini):
                os.chmod(path, 0o755 if path.is_dir() else 0o644)
            shutil.chown(self.directory, user="nobody")
            command += ["-u", "nobody"]
        with (self.directory / "stderr").open("wb") as stderr:
            self.process = subprocess.Popen(
                [*command, str(ini)], stdout=subprocess.DEVNULL, stderr=stderr
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                error = (self.directory / "stderr").read_text()
                raise RuntimeError(f"pgbouncer exited at start: {error}{self.logged()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"pgbouncer did not listen within {timeout:g} s: {self.logged()}")

    def logged(self) -> str:
        return self.log.read_text() if self.log.exists() else ""

    def logins(self) -> int:
        """How many client connections it has let in so far."""
        return self.logged().count("login attempt")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> PgBouncer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
