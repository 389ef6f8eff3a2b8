"""Runs N copies of a command and restarts any that dies: ``equeue worker --processes N``
and ``equeue api --workers N``.

The children run in a process group of their own, so a Ctrl+C in the terminal reaches
only the supervisor, which then forwards one SIGTERM to each child (a second Ctrl+C
forwards a second one: workers then stop at once). Should the supervisor itself be
killed, Linux sends each child SIGTERM.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import FrameType

log = logging.getLogger("equeue.supervisor")

_PR_SET_PDEATHSIG = 1


@dataclass
class _Slot:
    number: int
    process: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    failures: int = 0  #: quick deaths in a row, for the restart backoff
    restart_at: float = 0.0
    restarts: int = field(default=0)


class Supervisor:
    """Keeps ``count`` processes of ``command`` running until SIGTERM/SIGINT."""

    #: A child that ran this long before dying counts as healthy: restart at once.
    healthy_after = 30.0
    max_backoff = 30.0

    def __init__(
        self,
        command: Sequence[str],
        count: int,
        *,
        env: dict[str, str] | None = None,
        what: str = "worker process",
    ) -> None:
        self.command = list(command)
        self.env = env
        self.what = what
        self.slots = [_Slot(number) for number in range(1, count + 1)]
        self._signals = 0

    def run(self) -> int:
        """Supervise until stopped; returns the exit code (0 when stopped by a signal)."""
        previous = {
            sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGTERM, signal.SIGINT)
        }
        forwarded = 0
        try:
            for slot in self.slots:
                self._start(slot)
            while not self._signals:
                self._check()
                time.sleep(0.1)
            while True:
                # Forward each signal received (a second one means "stop now").
                while forwarded < self._signals:
                    forwarded += 1
                    self._signal_children(signal.SIGTERM)
                if all(s.process is None or s.process.poll() is not None for s in self.slots):
                    break
                time.sleep(0.05)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        log.info("all %ses stopped", self.what)
        return 0

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self._signals += 1

    def _start(self, slot: _Slot) -> None:
        slot.process = subprocess.Popen(
            self.command,
            env=self.env,
            stdin=subprocess.DEVNULL,
            process_group=0,
            preexec_fn=_die_with_parent,
        )
        slot.started = time.monotonic()
        log.info("%s %d started (pid %d)", self.what, slot.number, slot.process.pid)

    def _check(self) -> None:
        now = time.monotonic()
        for slot in self.slots:
            process = slot.process
            if process is not None and process.poll() is not None:
                ran = now - slot.started
                slot.failures = 0 if ran >= self.healthy_after else slot.failures + 1
                delay = min(self.max_backoff, 0.5 * 2 ** max(slot.failures - 1, 0))
                delay = 0.0 if slot.failures == 0 else delay
                log.warning(
                    "%s %d (pid %d) exited with code %s after %.1fs; restarting in %.1fs",
                    self.what,
                    slot.number,
                    process.pid,
                    process.returncode,
                    ran,
                    delay,
                )
                slot.process = None
                slot.restart_at = now + delay
            if slot.process is None and now >= slot.restart_at and not self._signals:
                slot.restarts += 1
                self._start(slot)

    def _signal_children(self, sig: signal.Signals) -> None:
        for slot in self.slots:
            if slot.process is not None and slot.process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    slot.process.send_signal(sig)


def _die_with_parent() -> None:
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
