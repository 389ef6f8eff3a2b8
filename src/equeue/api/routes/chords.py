"""Chords: a group of jobs with a callback, enqueued once when every job has finished
(docs/chains.md). Chains need no route of their own: a job's ``on_success`` and
``on_failure`` travel with it through ``POST /v1/jobs`` and the batch."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path

from equeue.api.errors import error_responses
from equeue.api.models.chains import ChordIn, ChordOut, chord_model
from equeue.api.routing import KEYED, ApiState, ReadKey, WriteKey, annotate

ChordId = Annotated[uuid.UUID, Path(description="the chord's id")]


def add_routes(router: APIRouter, state: ApiState) -> None:
    """The routes of chords, on ``router``."""
    queue = state.queue
    body_model = chord_model(state.inputs.job, queue.limits, state.settings.max_batch_size)

    @router.post(
        "/v1/chords",
        status_code=201,
        response_model=ChordOut,
        tags=["chords"],
        responses=error_responses(400, *KEYED, 413),
    )
    @annotate(body=body_model)
    async def create_chord(body: ChordIn, _: WriteKey) -> ChordOut:
        """Enqueue ``jobs`` together (all or nothing, none with a dedupe key) and a
        ``callback`` enqueued exactly once when all have finished, whatever their
        outcome; its payload gets ``chord``: the chord's id and each job's outcome."""
        chord = await queue.chord(
            [job.model_dump(exclude_unset=True) for job in body.jobs],
            body.callback.model_dump(exclude_unset=True),
        )
        return ChordOut.of(chord)

    @router.get(
        "/v1/chords/{chord_id:uuid}",
        response_model=ChordOut,
        tags=["chords"],
        responses=error_responses(*KEYED, 404),
    )
    async def get_chord(chord_id: ChordId, _: ReadKey) -> ChordOut:
        """A chord: its jobs' statuses, and its callback job's id once enqueued."""
        return ChordOut.of(await queue.get_chord(chord_id))
