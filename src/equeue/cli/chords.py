"""Chords (a group of jobs with a callback, docs/chains.md): ``equeue chords show``."""

from __future__ import annotations

import dataclasses
import json
import uuid
from typing import Annotated, Any

import typer
from rich.table import Table

from equeue.cli.common import (
    Common,
    check_id,
    json_default,
    out,
    print_json,
    run_async,
    shared_options,
    when,
    with_queue,
)
from equeue.job.chords import Chord

chords_app = typer.Typer(help="Chords: a group of jobs whose callback runs once all finished.")


def chord_to_dict(chord: Chord) -> dict[str, Any]:
    """A chord with the REST API's field names (``GET /v1/chords/{id}``)."""
    data = dataclasses.asdict(chord)
    data["id"] = str(chord.id)
    data["callback_job_id"] = str(chord.callback_job_id) if chord.callback_job_id else None
    data["members"] = [dict(m, id=str(m["id"])) for m in data["members"]]
    return data


@chords_app.command("show")
@shared_options()
def chords_show(
    chord_id: Annotated[str, typer.Argument(help="The chord's id.")], *, common: Common
) -> None:
    """Show a chord: its members' statuses and, once all finished, its callback job."""
    settings = common.settings()
    check_id(chord_id, "chord id")
    chord = run_async(with_queue(settings, lambda q: q.get_chord(uuid.UUID(chord_id))))
    if common.as_json:
        print_json(chord_to_dict(chord))
        return
    callback = str(chord.callback_job_id) if chord.callback_job_id else "not yet: members left"
    out.print(f"chord {chord.id}: {chord.remaining} of {len(chord.members)} members running")
    out.print(f"created {when(chord.created_at)}, finished {when(chord.finished_at)}")
    out.print(f"callback {chord.callback.get('task', '?')}: {callback}")
    table = Table("id", "type", "status", "result or error")
    for member in chord.members:
        outcome = member.error or json.dumps(member.result, default=json_default)
        table.add_row(str(member.id), member.task or "-", member.status, outcome[:60])
    out.print(table)
