"""Demo tasks, always available under ``equeue dev`` for trying things from the dashboard
or with curl. Their retry backoff is short, so a failing job's whole life shows in seconds.

Run them in any worker with ``equeue worker equeue.demo:queue``, or add them to your own
queue with :func:`register_demo_tasks`.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
from collections.abc import Callable
from typing import Any

from equeue.context import current_job, progress
from equeue.queue import Queue
from equeue.retry import Backoff

#: Under a second between attempts: 0.2 s, 0.4 s, then 0.8 s (±10 %).
DEMO_BACKOFF = Backoff(base=0.2, factor=2.0, max=0.8, jitter=0.1)

#: The task names :func:`register_demo_tasks` adds.
DEMO_TASKS = (
    "demo.echo",
    "demo.sleep",
    "demo.fail",
    "demo.flaky",
    "demo.cpu",
    "text.reverse",
    "email.send",
    "report.generate",
    "sms.send",
    "newsletter.send",
    "data.cleanup",
    "demo.progress",
)


class DemoFailure(Exception):
    """Raised on purpose by ``demo.fail`` and ``demo.flaky``."""


async def echo(**payload: Any) -> dict[str, Any]:
    """Return the payload unchanged."""
    return payload


async def sleep(seconds: float = 1.0) -> dict[str, float]:
    """Sleep ``seconds`` (cancellable, honours the job's timeout)."""
    await asyncio.sleep(float(seconds))
    return {"slept": float(seconds)}


async def fail(message: str = "demo.fail always fails") -> None:
    """Always raise, with ``message``: watch a job retry and land in the dead-letter set."""
    raise DemoFailure(message)


async def flaky(fail_times: int = 1) -> dict[str, int]:
    """Fail the first ``fail_times`` attempts of the job, then succeed."""
    attempt = current_job().attempt
    if attempt <= fail_times:
        raise DemoFailure(f"attempt {attempt} of the first {fail_times} fails on purpose")
    return {"attempts": attempt}


def cpu(rounds: int = 200_000) -> dict[str, Any]:
    """A plain, CPU-bound function (runs in the worker's thread pool): chained hashing."""
    rounds = max(0, min(int(rounds), 50_000_000))
    digest = b"equeue"
    for _ in range(rounds):
        digest = hashlib.sha256(digest).digest()
    return {"rounds": rounds, "digest": digest.hex()}


async def reverse(text: str) -> str:
    """Return ``text`` reversed: ``{"text": "hello"}`` gives ``"olleh"``."""
    return text[::-1]


async def send_email(to: str = "user@example.com", subject: str = "", **_: Any) -> dict[str, Any]:
    """Pretend to send an email (a short, random delay)."""
    await asyncio.sleep(random.uniform(0.05, 0.3))
    return {"sent_to": to, "subject": subject}


async def generate_report(name: str = "daily", rows: int = 1000, **_: Any) -> dict[str, Any]:
    """Pretend to build a report (a longer delay)."""
    await asyncio.sleep(random.uniform(0.5, 2.0))
    return {"report": name, "rows": int(rows)}


async def send_sms(to: str = "+10000000000", body: str = "", **_: Any) -> dict[str, Any]:
    """Pretend to send a text message."""
    await asyncio.sleep(random.uniform(0.02, 0.2))
    return {"sent_to": to, "length": len(body)}


async def send_newsletter(issue: int = 1, recipients: int = 100, **_: Any) -> dict[str, Any]:
    """Pretend to send a newsletter to many recipients."""
    await asyncio.sleep(random.uniform(0.2, 1.0))
    return {"issue": int(issue), "recipients": int(recipients)}


async def cleanup_data(older_than_days: int = 30, **_: Any) -> dict[str, Any]:
    """Pretend to delete old rows."""
    await asyncio.sleep(random.uniform(0.1, 0.5))
    return {"deleted": random.randint(0, 500), "older_than_days": int(older_than_days)}


async def steps(steps: int = 10, seconds: float = 0.5) -> dict[str, int]:
    """Do ``steps`` steps of ``seconds`` each, reporting progress after every one."""
    for done in range(1, int(steps) + 1):
        await asyncio.sleep(float(seconds))
        progress(done / int(steps), f"step {done} of {int(steps)}")
    return {"steps": int(steps)}


def register_demo_tasks(queue: Queue) -> Queue:
    """Register every demo task on ``queue`` (returned, for chaining)."""
    plain: dict[str, Callable[..., Any]] = {
        "demo.echo": echo,
        "demo.sleep": sleep,
        "demo.fail": fail,
        "demo.flaky": flaky,
        "demo.cpu": cpu,
        "text.reverse": reverse,
        "email.send": send_email,
        "report.generate": generate_report,
        "sms.send": send_sms,
        "newsletter.send": send_newsletter,
        "data.cleanup": cleanup_data,
        "demo.progress": steps,
    }
    for name, func in plain.items():
        # demo.fail shows the dead-letter path quickly: three attempts, not five.
        attempts = 3 if name == "demo.fail" else 5
        queue.task(name=name, max_attempts=attempts, retry=DEMO_BACKOFF)(func)
    return queue


#: A queue with only the demo tasks: ``equeue worker equeue.demo:queue``.
queue = register_demo_tasks(Queue())
