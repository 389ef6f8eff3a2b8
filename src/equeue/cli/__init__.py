"""The ``equeue`` command line.

Human-readable tables by default, ``--json`` for scripts. Exit codes: 0 ok, 1 failure
(e.g. no such job, database unreachable), 2 usage error (bad flags or input). Settings
come from flags, ``EQUEUE_*`` environment variables or a TOML file (``--config``); see
``docs/configuration.md``.

One module per group of commands: :mod:`~equeue.cli.stack` (dev, api, worker, migrate),
:mod:`~equeue.cli.jobs` (enqueue, jobs, replay-dlq; ``jobs wait`` in
:mod:`~equeue.cli.waiting`), :mod:`~equeue.cli.queues`,
:mod:`~equeue.cli.keys` and :mod:`~equeue.cli.bench`; the options they share are in
:mod:`~equeue.cli.common`. Every command reaches the database through a
:class:`~equeue.queue.Queue`.
"""

from __future__ import annotations

import signal

import typer

from equeue.cli import bench, chords, jobs, keys, queues, schedules, stack, waiting
from equeue.cli.common import AsJson, Common, ConfigFile, DatabaseUrl, Schema, remember
from equeue.cli.sigpipe import sigpipe

app = typer.Typer(
    help="equeue: a PostgreSQL-backed job queue.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def root(
    ctx: typer.Context,
    database_url: DatabaseUrl = None,
    schema: Schema = None,
    config: ConfigFile = None,
    as_json: AsJson = False,
) -> None:
    """equeue: a PostgreSQL-backed job queue.

    The options here apply to every command; each command takes them too.
    """
    remember(ctx, Common(database_url, schema, config, as_json))


app.command()(stack.dev)
app.command()(stack.api)
app.command()(stack.worker)
app.command()(stack.migrate)
app.command()(jobs.enqueue)
jobs.jobs_app.command("wait")(waiting.jobs_wait)
app.add_typer(jobs.jobs_app, name="jobs")
app.add_typer(chords.chords_app, name="chords")
app.add_typer(keys.keys_app, name="keys")
app.add_typer(queues.queues_app, name="queues")
app.add_typer(schedules.schedules_app, name="schedules")
app.command("replay-dlq")(jobs.replay_dlq)
app.command(
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    add_help_option=False,
)(bench.bench)


def main() -> None:
    """The ``equeue`` command (the console script and ``python -m equeue``)."""
    # `equeue jobs list --json | head` ends quietly, as other command-line tools do; the
    # commands that serve ignore SIGPIPE again while they run (see cli/sigpipe.py).
    with sigpipe(signal.SIG_DFL):
        app()


__all__ = ["app", "main"]
