"""The API's request models and parameters carry the engine's bounds: the schema declares
them, following the queue's limits and the API's settings, and the models refuse exactly
what the engine refuses."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from equeue import Queue
from equeue.api import ApiSettings, create_app
from equeue.api.models import bounded_inputs
from equeue.errors import InvalidJobError
from equeue.job import NAME_PATTERN, TEXT_PATTERN, Limits, new_job

LIMITS = Limits(
    max_tags=3,
    max_tag_length=10,
    max_name_length=12,
    max_dedupe_key_length=8,
    max_delay_seconds=100.0,
    max_timeout_seconds=50.0,
    max_attempts_limit=7,
)
SETTINGS = ApiSettings(max_batch_size=4, max_page_size=9)


def _non_null(schema: dict[str, Any]) -> dict[str, Any]:
    """The non-null branch of an ``X | None`` property."""
    if "anyOf" not in schema:
        return schema
    [branch] = [b for b in schema["anyOf"] if b != {"type": "null"}]
    return branch


@pytest.fixture(scope="module")
def openapi() -> dict[str, Any]:
    queue = Queue("postgresql://unused/unused", limits=LIMITS)
    schema: dict[str, Any] = create_app(queue, SETTINGS).openapi()
    return schema


def test_the_job_schema_carries_the_queue_limits(openapi: dict[str, Any]) -> None:
    job = openapi["components"]["schemas"]["JobIn"]["properties"]
    name = _non_null(job["queue"])
    assert (name["pattern"], name["minLength"], name["maxLength"]) == (NAME_PATTERN, 1, 12)
    assert job["type"]["pattern"] == NAME_PATTERN
    tags = _non_null(job["tags"])
    assert tags["maxItems"] == 3
    assert (tags["items"]["maxLength"], tags["items"]["pattern"]) == (10, TEXT_PATTERN)
    assert _non_null(job["dedupe_key"])["maxLength"] == 8
    assert _non_null(job["max_attempts"])["minimum"] == 1
    assert _non_null(job["max_attempts"])["maximum"] == 7
    assert _non_null(job["delay"])["maximum"] == 100
    assert _non_null(job["timeout"])["maximum"] == 50
    assert (_non_null(job["priority"])["minimum"], _non_null(job["priority"])["maximum"]) == (
        -100,
        100,
    )


def test_the_batch_and_page_bounds_are_the_settings(openapi: dict[str, Any]) -> None:
    batch = openapi["components"]["schemas"]["JobBatchIn"]["properties"]["jobs"]
    assert batch["maxItems"] == 4
    parameters = {p["name"]: p["schema"] for p in openapi["paths"]["/v1/jobs"]["get"]["parameters"]}
    assert (parameters["limit"]["minimum"], parameters["limit"]["maximum"]) == (1, 9)
    assert _non_null(parameters["queue"])["pattern"] == NAME_PATTERN
    [queue_name] = openapi["paths"]["/v1/queues/{name}/pause"]["post"]["parameters"]
    assert queue_name["schema"]["pattern"] == NAME_PATTERN


def test_keys_need_at_least_one_known_scope(openapi: dict[str, Any]) -> None:
    scopes = openapi["components"]["schemas"]["KeyIn"]["properties"]["scopes"]
    assert scopes["minItems"] == 1
    assert scopes["items"]["enum"] == ["read", "write", "admin", "work"]


def test_every_error_answer_is_declared_with_the_error_model(openapi: dict[str, Any]) -> None:
    job = openapi["paths"]["/v1/jobs/{job_id}"]
    assert set(job["get"]["responses"]) >= {"401", "403", "404", "422", "429"}
    assert set(job["delete"]["responses"]) >= {"404", "409"}
    cancel = openapi["paths"]["/v1/jobs/{job_id}/cancel"]["post"]["responses"]
    assert cancel["409"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorOut"
    }
    assert set(openapi["paths"]["/v1/jobs"]["post"]["responses"]) >= {"400", "413"}


# Values on both sides of every bound: the model and the engine must agree on each.
CANDIDATES: dict[str, list[Any]] = {
    "queue": ["default", "a.b:c-d_e", "", "x" * 12, "x" * 13, "no space", "q\n", "ü", "a\x00"],
    "tags": [["ok"], ["x" * 10], ["x" * 11], [""], ["a\x00"], ["t"] * 3, ["t"] * 4, ["a\nb"]],
    "priority": [-100, 100, 101, -101, 5.0, 5.5],
    "max_attempts": [0, 1, 7, 8, 3.0],
    "timeout": [0.0005, 0.001, 50, 50.5],
    "delay": [-1, 0, 100, 100.5],
    "dedupe_key": ["", "k", "k" * 8, "k" * 9, "a\x00", "a\nb"],
}


@pytest.mark.parametrize(
    ("field", "value"), [(field, value) for field, values in CANDIDATES.items() for value in values]
)
def test_the_model_refuses_exactly_what_the_engine_refuses(field: str, value: Any) -> None:
    model = bounded_inputs(LIMITS, SETTINGS).job
    try:
        new_job("t", {}, limits=LIMITS, **{field: value})
    except InvalidJobError:
        engine_accepts = False
    else:
        engine_accepts = True
    try:
        model.model_validate({"type": "t", field: value})
    except ValidationError:
        model_accepts = False
    else:
        model_accepts = True
    assert model_accepts == engine_accepts, (field, value, engine_accepts)


def test_the_payload_schema_forbids_nul_in_every_text(openapi: dict[str, Any]) -> None:
    # The engine checks the payload's texts (keys too, at any depth) in one pass over its
    # JSON text; the schema declares the same rule.
    schemas = openapi["components"]["schemas"]
    text = {"$ref": "#/components/schemas/PayloadText"}
    value = {"$ref": "#/components/schemas/PayloadValue"}
    assert schemas["PayloadText"] == {"type": "string", "pattern": TEXT_PATTERN}
    payload = schemas["JobIn"]["properties"]["payload"]
    assert (payload["propertyNames"], payload["additionalProperties"]) == (text, value)
    branches = schemas["PayloadValue"]["anyOf"]
    assert text in branches
    assert {"type": "array", "items": value} in branches
    assert {"type": "object", "propertyNames": text, "additionalProperties": value} in branches
    for nul in ({"a": "b\x00"}, {"a\x00": 1}, {"a": [{"b": "\x00"}]}):
        with pytest.raises(InvalidJobError, match="NUL"):
            new_job("t", nul)
