"""The example's tasks, shared by the web app (which enqueues) and the worker (which runs).

Run the worker with:  equeue worker tasks:queue   (from this folder)
"""

from __future__ import annotations

import logging
import os

from equeue import Backoff, Queue

log = logging.getLogger("example")

queue = Queue(
    os.environ.get("EQUEUE_DATABASE_URL"), schema=os.environ.get("EQUEUE_SCHEMA", "equeue")
)


@queue.task(name="email.welcome", queue="emails", max_attempts=5, retry=Backoff(base=2))
async def send_welcome(user_id: int, email: str) -> dict[str, object]:
    """Send the welcome email (here: log it). Returns what the dashboard shows as result."""
    log.info("welcome email to %s (user %d)", email, user_id)
    return {"sent_to": email, "user_id": user_id}
