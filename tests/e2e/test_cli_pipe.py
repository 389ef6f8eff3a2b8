"""The installed ``equeue`` command writing into a pipe its reader has closed
(``equeue jobs list --json | head -1``)."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

INSTALLED = Path(sys.executable).parent / "equeue"


def test_a_closed_pipe_ends_the_installed_command_like_other_tools() -> None:
    process = subprocess.Popen(
        [str(INSTALLED), "--help"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None
    process.stdout.close()  # the reader is gone before the command has written anything
    _, stderr = process.communicate(timeout=60)
    # Ended by SIGPIPE as `cat` or `grep` are: quietly, and not reported as a failure of
    # its own (exit code 1) that would hide the reader's choice to stop.
    assert process.returncode == -signal.SIGPIPE, stderr.decode()
    assert b"Traceback" not in stderr
