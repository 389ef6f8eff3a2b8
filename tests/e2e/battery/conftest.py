"""Worker processes for the battery: real `equeue worker` processes running
battery_app's tasks, started, killed and restarted by the scenarios."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest

from equeue import Queue

ROOT = Path(__file__).parents[3]
APP = "tests.e2e.battery.battery_app:queue"
LOG_TAIL_LINES = 40  #: lines of an exited worker's log shown in a failure message


class Fleet:
    """The worker processes of one scenario; every one is killed at the end."""

    def __init__(self, url: str, schema: str, folder: Path) -> None:
        self.url, self.schema, self.folder = url, schema, folder
        self.started: list[subprocess.Popen[bytes]] = []
        self.logs: list[IO[bytes]] = []

    def spawn(self, *options: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        environment = {
            **os.environ,
            "EQUEUE_DATABASE_URL": self.url,
            "EQUEUE_SCHEMA": self.schema,
            "EQUEUE_E2E_DIR": str(self.folder),
            "PYTHONPATH": str(ROOT),
            # A worker that crashes (a fatal signal) leaves its stack in its log.
            "PYTHONFAULTHANDLER": "1",
            **(env or {}),
        }
        self.logs.append(open(self.log_path(len(self.started)), "wb"))
        command = [sys.executable, "-m", "equeue", "worker", APP, "--log-level", "WARNING"]
        proc = subprocess.Popen(
            [*command, "--poll-interval", "0.5", *options],
            env=environment,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=self.logs[-1],
        )
        self.started.append(proc)
        return proc

    def log_path(self, index: int) -> Path:
        """Where the worker started ``index``-th (from 0) writes its log."""
        return self.folder / f"worker{index}.log"

    def exited(self) -> str:
        """Each worker that is no longer running: its exit status and its log's tail
        (empty when every worker runs), for a failure message to say why."""
        reports = []
        for index, proc in enumerate(self.started):
            if proc.poll() is None:
                continue
            self.logs[index].flush()
            lines = self.log_path(index).read_text(errors="replace").splitlines()
            tail = "\n".join(lines[-LOG_TAIL_LINES:]) or "(empty)"
            reports.append(f"worker{index} (pid {proc.pid}) exited {proc.returncode}:\n{tail}")
        return "\n\n".join(reports)

    def kill_all(self) -> None:
        for proc in self.started:
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)
        for log in self.logs:
            log.close()


@pytest.fixture
def battery_queue(queue: Queue) -> Queue:
    # The workers register the tasks; this process only enqueues them.
    queue.allow_unknown_tasks = True
    return queue


@pytest.fixture
def fleet(database_url: str, schema_name: str, tmp_path: Path) -> Iterator[Fleet]:
    started = Fleet(database_url, schema_name, tmp_path)
    yield started
    started.kill_all()
