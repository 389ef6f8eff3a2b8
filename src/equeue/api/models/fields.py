"""Field types with bounds: names, texts, numbers and payloads, as the engine checks them
and as the schema declares them."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field, GetPydanticSchema, Strict, StringConstraints
from pydantic_core import core_schema

from equeue.job import NAME_PATTERN, TEXT_PATTERN, Limits


def _payload_schema(*, any_value: bool = False) -> core_schema.CoreSchema:
    """A JSON object (with ``any_value``, any JSON value) whose texts, its keys included,
    at any depth, jsonb can store (no NUL character): the rule
    :func:`equeue.job.encode_payload` enforces, as a schema."""
    text = core_schema.definition_reference_schema("PayloadText")
    value = core_schema.definition_reference_schema("PayloadValue")
    return core_schema.definitions_schema(
        value if any_value else core_schema.dict_schema(text, value),
        [
            core_schema.str_schema(pattern=TEXT_PATTERN, ref="PayloadText"),
            core_schema.nullable_schema(
                core_schema.union_schema(
                    [
                        core_schema.bool_schema(),
                        core_schema.int_schema(),
                        core_schema.float_schema(),
                        text,
                        core_schema.list_schema(value),
                        core_schema.dict_schema(text, value),
                    ]
                ),
                ref="PayloadValue",
            ),
        ],
    )


_PAYLOAD_SCHEMA = _payload_schema()
_RESULT_SCHEMA = _payload_schema(any_value=True)
#: A payload: validated as a plain dict (the engine checks its JSON text in one pass, far
#: cheaper than walking it here), declared in the schema with the rule that check enforces.
Payload = Annotated[
    dict[str, Any],
    GetPydanticSchema(get_pydantic_json_schema=lambda _schema, handler: handler(_PAYLOAD_SCHEMA)),
]

#: A job's result as a worker over HTTP reports it: any JSON value jsonb can store.
ResultValue = Annotated[
    Any,
    Field(default=None),
    GetPydanticSchema(get_pydantic_json_schema=lambda _schema, handler: handler(_RESULT_SCHEMA)),
]


def name_type(limits: Limits) -> Any:
    return Annotated[
        str,
        StringConstraints(min_length=1, max_length=limits.max_name_length, pattern=NAME_PATTERN),
    ]


def text_type(max_length: int) -> Any:
    return Annotated[
        str, StringConstraints(min_length=1, max_length=max_length, pattern=TEXT_PATTERN)
    ]


def _as_int_when_whole(value: object) -> object:
    # JSON Schema counts 5.0 as an integer; strict validation alone would refuse it.
    if type(value) is float and value.is_integer():
        return int(value)
    return value


def whole_type(low: int, high: int) -> Any:
    """A JSON integer from ``low`` to ``high``: 5 or 5.0, never true or "5"."""
    return Annotated[int, Strict(), Field(ge=low, le=high), BeforeValidator(_as_int_when_whole)]


def number_type(low: float, high: float) -> Any:
    """A JSON number from ``low`` to ``high``, never true or "5"."""
    return Annotated[float, Strict(), Field(ge=low, le=high)]
