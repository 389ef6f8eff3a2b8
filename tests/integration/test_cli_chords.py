"""``equeue chords show`` and the links ``equeue jobs show`` prints, against a real
PostgreSQL and a real worker."""

from __future__ import annotations

import asyncio
import uuid

from equeue import Queue
from tests.integration.test_cli import cli, env, run_demo_worker_until

__all__ = ["env"]  # the fixture, shared with test_cli


def make_chord(env: dict[str, str]) -> tuple[uuid.UUID, list[str]]:
    """A chord of two demo jobs with a callback; its id and its members' ids."""

    async def go() -> tuple[uuid.UUID, list[str]]:
        queue = Queue(env["EQUEUE_DATABASE_URL"], schema=env["EQUEUE_SCHEMA"])
        queue.allow_unknown_tasks = True
        try:
            chord = await queue.chord(
                [{"type": "text.reverse", "payload": {"text": t}} for t in ("ab", "cd")],
                {"type": "demo.echo"},
            )
            return chord.id, [str(m.id) for m in chord.members]
        finally:
            await queue.close()

    return asyncio.run(go())


def test_chords_show_follows_the_members_to_the_callback(env: dict[str, str]) -> None:
    cli(env, "migrate")
    chord_id, members = make_chord(env)
    waiting = cli(env, "chords", "show", str(chord_id), "--json")
    assert (waiting["remaining"], waiting["callback_job_id"]) == (2, None)
    assert [m["id"] for m in waiting["members"]] == members
    assert "2 of 2 members running" in cli(env, "chords", "show", str(chord_id)).stdout

    run_demo_worker_until(env, members, "succeeded")
    done = cli(env, "chords", "show", str(chord_id), "--json")
    assert done["remaining"] == 0
    assert [(m["status"], m["result"]) for m in done["members"]] == [
        ("succeeded", "ba"),
        ("succeeded", "dc"),
    ]
    callback = cli(env, "jobs", "show", done["callback_job_id"], "--json")
    assert callback["chord_id"] == str(chord_id)
    member = cli(env, "jobs", "show", members[0]).stdout
    assert [line.split() for line in member.splitlines() if line.startswith("chord_id")] == [
        ["chord_id", str(chord_id)]
    ]

    missing = cli(env, "chords", "show", str(uuid.uuid4()), code=1)
    assert "not found" in missing.stderr
    cli(env, "chords", "show", "nope", code=2)
