"""The running parts: ``equeue dev``, ``api``, ``worker`` and ``migrate``."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

from equeue import runner
from equeue.cli.common import (
    EXIT_USAGE,
    Common,
    apply_settings,
    fail,
    make_queue,
    out,
    print_json,
    run_async,
    shared_options,
    start_logging,
    user_queue,
    with_queue,
)
from equeue.cli.sigpipe import serving
from equeue.errors import EqueueError
from equeue.loading import QueueNotFoundError
from equeue.settings import Settings

Host = Annotated[str | None, typer.Option(help="API address [default: 127.0.0.1]")]
Port = Annotated[int | None, typer.Option(help="API port [default: 8000]")]


@serving
@shared_options(json_output=False)
def dev(
    host: Host = None,
    port: Port = None,
    data_dir: Annotated[
        Path | None, typer.Option(help="Where the embedded database lives [default: .equeue]")
    ] = None,
    app_target: Annotated[
        str | None, typer.Option("--app", help="module:queue with your tasks [env: EQUEUE_APP]")
    ] = None,
    concurrency: Annotated[int | None, typer.Option(help="Jobs run at once")] = None,
    *,
    common: Common,
) -> None:
    """Run the whole stack: PostgreSQL, migrations, API, dashboard and a worker."""
    from equeue.dev import check_bind, run_dev
    from equeue.embedded import EmbeddedPostgresError

    settings = common.settings(
        host=host, port=port, data_dir=data_dir, app=app_target, concurrency=concurrency
    )
    try:
        check_bind(settings)
    except ValueError as exc:
        fail(str(exc), EXIT_USAGE)
    start_logging(settings)
    try:
        run_dev(settings)
    except EmbeddedPostgresError as exc:
        fail(str(exc))
    except QueueNotFoundError as exc:
        fail(str(exc), EXIT_USAGE)
    except (OSError, TimeoutError) as exc:
        fail(f"cannot start: {exc}")


@serving
@shared_options(json_output=False)
def api(
    host: Annotated[str | None, typer.Option(help="Address [default: 127.0.0.1]")] = None,
    port: Annotated[int | None, typer.Option(help="Port [default: 8000]")] = None,
    app_target: Annotated[
        str | None, typer.Option("--app", help="module:queue with your tasks (optional)")
    ] = None,
    migrate_first: Annotated[
        bool | None,
        typer.Option(
            "--migrate/--no-migrate",
            help="Apply migrations at start [env: EQUEUE_MIGRATE_ON_START; default: no]",
            show_default=False,
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(help="Server processes sharing the port [env: EQUEUE_API_WORKERS; 1]"),
    ] = None,
    shared_port: Annotated[bool, typer.Option("--shared-port", hidden=True)] = False,
    *,
    common: Common,
) -> None:
    """Serve the REST API (Swagger UI at /docs)."""
    settings = common.settings(
        host=host, port=port, app=app_target, migrate_on_start=migrate_first, api_workers=workers
    )
    from equeue.api import create_app
    from equeue.api.settings import check_bind_host

    if settings.app:
        queue = apply_settings(user_queue(settings.app), settings)
    else:
        queue = make_queue(settings)
    try:
        check_bind_host(settings, settings.host)
        if settings.api_workers > 1:
            _check_shared_port(settings)
    except ValueError as exc:
        fail(str(exc), EXIT_USAGE)
    start_logging(settings)
    if settings.api_workers > 1:
        raise typer.Exit(_supervise_api(settings))
    _serve(create_app(queue, settings), settings, shared_port=shared_port)


def _supervise_api(settings: Settings) -> int:
    """Run ``api_workers`` API processes on one port; restart any that dies until stopped."""
    from equeue.supervisor import Supervisor

    env = dict(os.environ)
    env.update(settings.as_environment())
    env["EQUEUE_API_WORKERS"] = "1"
    # One secret for all: a token one process issues is checked by whichever process the
    # events socket's connection reaches.
    env.setdefault("EQUEUE_TOKEN_SECRET", secrets.token_urlsafe(32))
    command = [sys.executable, "-m", "equeue", "api", "--shared-port"]
    return Supervisor(command, settings.api_workers, env=env, what="API process").run()


def _check_shared_port(settings: Settings) -> None:
    """Refuse, before any process starts, what several processes cannot share."""
    if not hasattr(socket, "SO_REUSEPORT"):
        raise ValueError("--workers above 1 needs SO_REUSEPORT (Linux); run one process per port")
    if settings.port == 0:
        raise ValueError("--workers above 1 needs a fixed --port: each process binds the same")
    try:
        _shared_socket(settings.host, settings.port).close()
    except OSError as exc:
        raise ValueError(
            f"cannot listen on {settings.host}:{settings.port}: {exc.strerror}"
        ) from None


def _shared_socket(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` that other processes of this user may bind too; the
    kernel spreads new connections over them."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    return sock


def _serve(asgi_app: Any, settings: Settings, *, shared_port: bool = False) -> None:
    """Serve with uvicorn, but exit 0 after a clean shutdown on SIGTERM/SIGINT (uvicorn
    re-raises the signal, which supervisors and scripts read as a crash)."""
    import uvicorn

    from equeue.redact import redact_server_logs

    class GracefulServer(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            wanted = (signal.SIGINT, signal.SIGTERM)
            previous = {sig: signal.signal(sig, self.handle_exit) for sig in wanted}
            try:
                yield
            finally:
                for sig, handler in previous.items():
                    signal.signal(sig, handler)

    server_config = uvicorn.Config(
        asgi_app,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level.lower(),
        proxy_headers=True,
    )
    # After the Config, which sets uvicorn's logging up: no key or token in the logs.
    redact_server_logs()
    sockets = [_shared_socket(settings.host, settings.port)] if shared_port else None
    GracefulServer(server_config).run(sockets=sockets)


@shared_options()
def migrate(*, common: Common) -> None:
    """Apply pending schema migrations."""
    settings = common.settings()
    applied = run_async(with_queue(settings, lambda q: q.migrate()))
    if common.as_json:
        print_json({"applied": applied, "schema": settings.schema})
    elif applied:
        out.print(f"applied {len(applied)} migration(s) to schema {settings.schema}")
    else:
        out.print(f"schema {settings.schema} is up to date")


@serving
@shared_options(json_output=False)
def worker(
    target: Annotated[
        str | None, typer.Argument(help="module:queue holding your tasks [env: EQUEUE_APP]")
    ] = None,
    concurrency: Annotated[int | None, typer.Option(help="Jobs run at once per process")] = None,
    processes: Annotated[
        int | None, typer.Option(help="Worker processes, supervised and restarted")
    ] = None,
    queues: Annotated[str | None, typer.Option(help="Comma-separated queues [all]")] = None,
    lease: Annotated[float | None, typer.Option(help="Lease seconds [30]")] = None,
    heartbeat_interval: Annotated[
        float | None, typer.Option(help="Seconds between lease renewals [lease / 3]")
    ] = None,
    poll_interval: Annotated[float | None, typer.Option(help="Fallback poll seconds [2]")] = None,
    claim_batch: Annotated[
        int | None, typer.Option(help="Most jobs claimed per statement [500]")
    ] = None,
    shutdown_grace: Annotated[
        float | None, typer.Option(help="Seconds to finish on SIGTERM [30]")
    ] = None,
    listen: Annotated[
        bool | None, typer.Option("--listen/--no-listen", help="Use LISTEN/NOTIFY [on]")
    ] = None,
    handoff: Annotated[
        bool | None,
        typer.Option("--handoff/--no-handoff", help="Take single enqueues directly when idle [on]"),
    ] = None,
    maintenance: Annotated[
        bool | None,
        typer.Option("--maintenance/--no-maintenance", help="Take turns at maintenance [on]"),
    ] = None,
    maintenance_interval: Annotated[
        float | None, typer.Option(help="Seconds between rescue and promotion rounds [1]")
    ] = None,
    maintenance_batch_size: Annotated[
        int | None, typer.Option(help="Jobs per rescue or promotion statement [1000]")
    ] = None,
    retention: Annotated[
        float | None,
        typer.Option("--retention-seconds", help="Delete finished jobs this old [604800]"),
    ] = None,
    prune_interval: Annotated[
        float | None, typer.Option(help="Seconds between pruning rounds [60]")
    ] = None,
    prune_batch_size: Annotated[
        int | None, typer.Option(help="Finished jobs deleted per statement [5000]")
    ] = None,
    prune_round_seconds: Annotated[
        float | None, typer.Option(help="Longest pruning round, seconds [2]")
    ] = None,
    dead_worker_seconds: Annotated[
        float | None, typer.Option(help="Forget workers not seen this long [300]")
    ] = None,
    log_level: Annotated[str | None, typer.Option(help="DEBUG, INFO, WARNING")] = None,
    migrate_first: Annotated[
        bool | None,
        typer.Option(
            "--migrate/--no-migrate",
            help="Apply pending migrations at start; --no-migrate: refuse to start while "
            "any is pending [migrate]",
        ),
    ] = None,
    *,
    common: Common,
) -> None:
    """Run worker processes for the tasks registered on a Queue."""
    from equeue.worker import run_worker
    from equeue.worker.configure import worker_settings

    settings = common.settings(
        app=target,
        concurrency=concurrency,
        processes=processes,
        queues=queues,
        lease_seconds=lease,
        heartbeat_interval=heartbeat_interval,
        poll_interval=poll_interval,
        claim_batch=claim_batch,
        shutdown_grace=shutdown_grace,
        listen=listen,
        handoff=handoff,
        maintenance=maintenance,
        maintenance_interval=maintenance_interval,
        maintenance_batch_size=maintenance_batch_size,
        retention_seconds=retention,
        prune_interval=prune_interval,
        prune_batch_size=prune_batch_size,
        prune_round_seconds=prune_round_seconds,
        dead_worker_seconds=dead_worker_seconds,
        log_level=log_level,
        worker_migrate=migrate_first,
    )
    if not settings.app:
        fail("name your tasks' queue: equeue worker module:queue (or EQUEUE_APP)", EXIT_USAGE)
    start_logging(settings)
    if settings.processes > 1:
        user_queue(settings.app)  # fail here, once, rather than in every child
        raise typer.Exit(supervise(settings))
    queue = apply_settings(user_queue(settings.app), settings)
    try:
        runner.run(run_worker(queue, worker_settings(settings), migrate=settings.worker_migrate))
    except (OSError, TimeoutError) as exc:
        fail(f"cannot reach the database: {exc}")
    except EqueueError as exc:  # a schema it cannot run on: the message says what to do
        fail(str(exc))


def supervise(settings: Settings) -> int:
    """Run ``settings.processes`` worker processes; restart any that dies until stopped."""
    from equeue.supervisor import Supervisor

    env = dict(os.environ)
    env.update(settings.as_environment())
    env["EQUEUE_PROCESSES"] = "1"
    command = [sys.executable, "-m", "equeue", "worker"]
    return Supervisor(command, settings.processes, env=env).run()
