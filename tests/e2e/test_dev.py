"""``equeue dev`` as a real process on the embedded PostgreSQL: the whole stack, then a
clean stop that leaves no process behind, then a restart that keeps the jobs."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from tests.e2e.test_api_http import _drop_schema

pytestmark = pytest.mark.e2e


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class DevStack:
    """One ``equeue dev`` process; its output is kept in a file for the assertions."""

    def __init__(
        self,
        data_dir: Path,
        port: int,
        log: Path,
        *extra_args: str,
        env: dict[str, str] | None = None,
    ) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("EQUEUE_")} | (env or {})
        self.log = log
        self.port = port
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "equeue.cli",
                    "dev",
                    "--port",
                    str(port),
                    "--data-dir",
                    str(data_dir),
                    *extra_args,
                ],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.base = f"http://127.0.0.1:{port}"

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_ready(self, timeout: float = 90.0) -> str:
        """Wait for the banner; returns the admin key it prints."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.output()
            found = re.search(r"Admin key\s+(\S+)", self.output())
            if found:
                return found.group(1)
            time.sleep(0.1)
        raise AssertionError(f"equeue dev did not start:\n{self.output()}")

    def sign_in_link(self) -> str:
        """The dashboard link the banner prints."""
        found = re.search(r"Dashboard\s+(\S+)", self.output())
        assert found, self.output()
        return found.group(1)

    def descendants(self) -> list[psutil.Process]:
        try:
            return psutil.Process(self.process.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return []

    def stop(self, timeout: float = 60.0) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout)


@pytest.fixture
def stacks(tmp_path: Path) -> Iterator[list[DevStack]]:
    started: list[DevStack] = []
    yield started
    for stack in started:  # a failed test must not leave a server running
        if stack.process.poll() is None:
            for child in stack.descendants():
                child.kill()
            stack.process.kill()
            stack.process.wait(10)


def wait_for_job(client: httpx.Client, job_id: str, status: str, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        job = client.get(f"/v1/jobs/{job_id}").json()
        if job["status"] == status:
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.05)


def test_dev_stack_runs_jobs_stops_cleanly_and_keeps_them(
    tmp_path: Path, stacks: list[DevStack]
) -> None:
    private = tmp_path / "private"  # as a checkout under /root: only its owner may enter
    private.mkdir(mode=0o700)
    data_dir = private / "data"
    # This run's own folders (those higher up are shared with the rest of the machine).
    folders = {folder: folder.stat().st_mode for folder in [private, *private.parents][:4]}
    port = free_port()
    stack = DevStack(data_dir, port, tmp_path / "dev.log")
    stacks.append(stack)
    key = stack.wait_ready()
    assert (data_dir / "admin-key").read_text().strip() == key

    headers = {"x-api-key": key}
    with httpx.Client(base_url=stack.base, headers=headers, timeout=10) as client:
        assert client.get("/healthz").status_code == 200
        assert client.get("/v1/jobs", headers={"x-api-key": "wrong"}).status_code == 401
        created = client.post(
            "/v1/jobs", json={"type": "text.reverse", "payload": {"text": "hello"}}
        )
        assert created.status_code == 201, created.text
        job_id = created.json()["id"]
        done = wait_for_job(client, job_id, "succeeded")
        assert done["result"] == "olleh"
        # The banner's dashboard link signs a browser in with an admin key of its own.
        link = stack.sign_in_link()
        assert link.startswith(f"{stack.base}/dashboard/sign-in?code=")
        code = link.split("code=", 1)[1]
        signed = httpx.post(f"{stack.base}/v1/sign-in", json={"code": code}, timeout=10)
        assert signed.status_code == 200, signed.text
        own_key = {"x-api-key": signed.json()["key"]}
        me = client.get("/v1/me", headers=own_key).json()
        assert (me["scopes"], me["can_admin"]) == (["admin"], True)
        again = httpx.post(f"{stack.base}/v1/sign-in", json={"code": code}, timeout=10)
        assert again.status_code == 401
        root = client.get("/")
        assert (root.status_code, root.headers["location"]) == (307, "/dashboard/")
        page = client.get(link.removeprefix(stack.base))
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")

    running = [stack.process.pid, *(p.pid for p in stack.descendants())]
    assert any(p.name() == "postgres" for p in stack.descendants())
    assert _postgres_on(data_dir)
    assert stack.stop() == 0
    leftovers = [pid for pid in running if psutil.pid_exists(pid)]
    alive = [psutil.Process(pid) for pid in leftovers]
    assert [p for p in alive if p.status() != psutil.STATUS_ZOMBIE] == []
    assert not _postgres_on(data_dir)
    assert "Traceback" not in stack.output()

    # Started again on the same data dir: same key, and the job is still there.
    again = DevStack(data_dir, free_port(), tmp_path / "dev2.log")
    stacks.append(again)
    assert again.wait_ready() == key
    assert again.sign_in_link() != link  # a fresh one-time code at every start
    with httpx.Client(base_url=again.base, headers=headers, timeout=10) as client:
        kept = client.get(f"/v1/jobs/{job_id}").json()
        assert (kept["status"], kept["result"]) == ("succeeded", "olleh")
    assert again.stop() == 0
    assert not _postgres_on(data_dir)
    assert {folder: folder.stat().st_mode for folder in folders} == folders  # none opened


def test_dev_on_a_given_database_runs_the_users_tasks_too(
    tmp_path: Path, stacks: list[DevStack], database_url: str
) -> None:
    # --database-url: no embedded server is started; --app: the user's tasks run beside
    # the demo ones, on the schema the user's queue names.
    schema = f"t_dev_{uuid.uuid4().hex[:12]}"
    stack = DevStack(
        tmp_path / "data",
        free_port(),
        tmp_path / "dev.log",
        "--database-url",
        database_url,
        "--app",
        "tests.e2e.worker_app:queue",
        env={"EQUEUE_SCHEMA": schema, "EQUEUE_E2E_DIR": str(tmp_path)},
    )
    stacks.append(stack)
    try:
        headers = {"x-api-key": stack.wait_ready()}
        assert "schema " + schema in stack.output()
        assert not any(p.name() == "postgres" for p in stack.descendants())
        with httpx.Client(base_url=stack.base, headers=headers, timeout=10) as client:
            mine = client.post("/v1/jobs", json={"type": "e2e.record", "payload": {"n": 7}})
            demo = client.post("/v1/jobs", json={"type": "demo.echo", "payload": {"a": 1}})
            assert mine.status_code == demo.status_code == 201, (mine.text, demo.text)
            assert wait_for_job(client, mine.json()["id"], "succeeded")["result"] == 7
            assert wait_for_job(client, demo.json()["id"], "succeeded")["result"] == {"a": 1}
        assert [p.read_text() for p in tmp_path.glob("record.*")] == ["7\n"]
        assert stack.stop() == 0
        assert "Traceback" not in stack.output()
    finally:
        asyncio.run(_drop_schema(database_url, schema))


def _postgres_on(data_dir: Path) -> list[int]:
    """Pids of postgres processes serving ``data_dir``."""
    cluster = str((data_dir / "pg").resolve())  # as root, a link to the server user's folder
    found = []
    for process in psutil.process_iter(["name", "cmdline"]):
        cmdline = process.info["cmdline"] or []
        if process.info["name"] == "postgres" and cluster in cmdline:
            found.append(process.pid)
    return found
