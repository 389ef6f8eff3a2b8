"""``equeue dev``: the whole stack in one process tree, for trying equeue and developing.

One process runs the API (with the dashboard) and a worker on one event loop; its child
is an embedded PostgreSQL kept in the data dir, unless a database URL is given. SIGINT or
SIGTERM stops, in order: the API and the worker (running jobs finish or are released),
then the database. A second signal stops at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

import uvicorn
from fastapi import FastAPI
from pydantic import SecretStr

from equeue import runner
from equeue.api import create_app
from equeue.api.keys import create_sign_in_code, sign_in_link
from equeue.api.settings import check_bind_host
from equeue.demo import register_demo_tasks
from equeue.embedded import EmbeddedPostgres
from equeue.loading import load_queue
from equeue.queue import Queue
from equeue.redact import mask_dsn
from equeue.settings import Settings
from equeue.worker import Worker
from equeue.worker.configure import worker_settings

log = logging.getLogger("equeue.dev")


KEY_FILE = "admin-key"


class _Server(uvicorn.Server):
    """A uvicorn server that leaves signal handling to the dev stack."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield

    def install_signal_handlers(self) -> None:  # older uvicorn versions
        return


def admin_key(settings: Settings, data_dir: Path) -> str:
    """``EQUEUE_API_KEY`` if set, else the key kept in the data dir (made on first use)."""
    if settings.api_key:
        return settings.api_key.get_secret_value()
    path = data_dir / KEY_FILE
    if path.exists():
        key = path.read_text().strip()
        if key:
            return key
    key = f"eqdev-{secrets.token_urlsafe(24)}"
    data_dir.mkdir(parents=True, exist_ok=True)
    # Readable by its owner only: it is an admin credential.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key


def build_app(queue: Queue, settings: Settings, key: str) -> FastAPI:
    """The API with the dashboard, and ``/`` leading to it."""
    # The stack migrates before serving; the key is the one it prints.
    api_settings = settings.model_copy(
        update={"api_key": SecretStr(key), "migrate_on_start": False}
    )
    check_bind(settings)
    return create_app(queue, api_settings)


def check_bind(settings: Settings) -> None:
    """Refuse to serve without authentication beyond loopback (``EQUEUE_AUTH_DISABLED``
    on a wider ``--host``); raises :class:`ValueError` with a one-line reason."""
    check_bind_host(settings, settings.host)


def load_dev_queue(settings: Settings, app_target: str | None) -> Queue:
    """The user's queue (``module:queue``) or a fresh one, with the demo tasks added."""
    # Without a database URL, the embedded server's is set once it has started.
    queue = load_queue(app_target) if app_target else Queue.from_settings(settings)
    return register_demo_tasks(queue)


def run_dev(settings: Settings) -> None:
    """Run the stack until SIGINT/SIGTERM, with the tasks of ``settings.app`` (when set)
    and the demo tasks; raises :class:`~equeue.loading.QueueNotFoundError` when
    ``settings.app`` names no queue."""
    check_bind(settings)
    data_dir = settings.data_dir.expanduser().resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    queue = load_dev_queue(settings, settings.app)
    database: EmbeddedPostgres | None = None
    url = settings.database_url
    if not url:
        # Started from the main thread, before the event loop: the server is tied to it.
        database = EmbeddedPostgres(data_dir)
        url = database.start()
    try:
        queue.dsn = url
        key = admin_key(settings, data_dir)
        runner.run(_serve(queue, settings, key, database))
    finally:
        if database is not None:
            database.stop()


async def _serve(
    queue: Queue, settings: Settings, key: str, database: EmbeddedPostgres | None
) -> None:
    await queue.migrate()
    # The API gets a queue (and pool) of its own: its lifespan closes it on shutdown, while
    # the worker may still be writing outcomes through the other one.
    api_queue = Queue(
        queue.dsn,
        schema=queue.schema,
        allow_unknown_tasks=queue.allow_unknown_tasks,
        limits=queue.limits,
    )
    api_queue.tasks = queue.tasks
    app = build_app(api_queue, settings, key)
    server = _Server(
        uvicorn.Config(
            app,
            host=settings.host,
            port=settings.port,
            log_level="warning",
            access_log=False,
            lifespan="on",
        )
    )
    worker = Worker(queue, worker_settings(settings))
    loop = asyncio.get_running_loop()

    def stop() -> None:
        server.should_exit = True
        if not worker.stopping:
            worker.stop()

    def on_signal() -> None:
        if server.should_exit:  # a second signal: stop at once
            server.force_exit = True
            worker.stop()
        stop()

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, on_signal)
    try:
        serving = asyncio.create_task(server.serve(), name="equeue-api")
        working = asyncio.create_task(worker.run(), name="equeue-worker")
        await _announce(server, serving, settings, key, queue, database)
        done, _ = await asyncio.wait({serving, working}, return_when=asyncio.FIRST_COMPLETED)
        # Either part ending (a stop, or a crash) ends the whole stack.
        stop()
        await asyncio.gather(serving, working, return_exceptions=True)
        for task in done:
            if task.exception() is not None:
                raise task.exception()  # type: ignore[misc]
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        await queue.close()
        await api_queue.close()
    log.info("equeue dev stopped")


async def _announce(
    server: uvicorn.Server,
    serving: asyncio.Task[None],
    settings: Settings,
    key: str,
    queue: Queue,
    database: EmbeddedPostgres | None,
) -> None:
    while not server.started:
        if serving.done():
            return  # it failed to start (port taken...): the caller reports it
        await asyncio.sleep(0.02)
    port = settings.port
    with contextlib.suppress(Exception):
        port = server.servers[0].sockets[0].getsockname()[1]
    host = "127.0.0.1" if settings.host in {"0.0.0.0", "::"} else settings.host
    base = f"http://{host}:{port}"
    where = f"embedded, data in {database.pgdata}" if database else "external"
    # The link signs the browser in with a key of its own (admin, 12 hours): the admin
    # key below never has to be pasted into a page.
    code, _ = await create_sign_in_code(queue, ["admin"])
    lines = [
        "",
        "equeue dev is running",
        f"  API        {base}/v1      (Swagger UI: {base}/docs)",
        f"  Dashboard  {sign_in_link(base, code)}",
        "             (a one-time link, valid 10 minutes: `equeue keys sign-in-link` makes more)",
        f"  Database   {mask_dsn(queue.dsn or '')}  ({where}, schema {queue.schema})",
        f"  Admin key  {key}",
        f"  Tasks      {', '.join(queue.tasks.names())}",
        "",
        "  Try it:",
        f"    curl -s -H 'x-api-key: {key}' -H 'content-type: application/json' \\",
        f'      -d \'{{"type": "text.reverse", "payload": {{"text": "hello"}}}}\' {base}/v1/jobs',
        "",
        "Press Ctrl+C to stop.",
        "",
    ]
    sys.stdout.write("\n".join(lines) + "\n")
    sys.stdout.flush()
