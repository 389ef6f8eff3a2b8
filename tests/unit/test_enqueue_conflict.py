"""A refused enqueue is a 409 with its message in the API, never a 500."""

from __future__ import annotations

import json

from equeue import EnqueueConflictError
from equeue.api.errors import response_for


def test_enqueue_conflict_is_a_409_conflict_with_its_message() -> None:
    error = EnqueueConflictError("the holders of dedupe key(s) k kept finishing", ["k"])
    response = response_for(error)
    assert response is not None and response.status_code == 409
    body = json.loads(bytes(response.body))
    assert body == {"error": {"code": "conflict", "message": str(error)}}
