"""Credentials: API keys, and the short-lived tokens of the events socket."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema

from equeue.api.keys import SCOPES, normalise_scopes
from equeue.job import TEXT_PATTERN
from equeue.records import KeyInfo


class EventToken(BaseModel):
    token: str
    expires_at: datetime


def _known_scope(scope: str) -> str:
    normalise_scopes([scope])  # raises ValueError naming the scopes there are
    return scope


#: A scope a key may be given.
Scope = Annotated[
    str, AfterValidator(_known_scope), WithJsonSchema({"type": "string", "enum": list(SCOPES)})
]


class KeyIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"scopes": ["read"], "name": "grafana"}]}
    )

    scopes: list[Scope] = Field(min_length=1)
    name: str | None = Field(default=None, max_length=200, pattern=TEXT_PATTERN)


class KeyOut(BaseModel):
    id: str
    name: str | None
    scopes: list[str]
    created_at: datetime
    revoked_at: datetime | None
    expires_at: datetime | None = Field(
        default=None, description="null: it never expires (keys given at sign-in do)"
    )

    @classmethod
    def of(cls, info: KeyInfo) -> KeyOut:
        return cls(
            id=info.id,
            name=info.name,
            scopes=info.scopes,
            created_at=info.created_at,
            revoked_at=info.revoked_at,
            expires_at=info.expires_at,
        )


class KeyCreated(KeyOut):
    key: str = Field(description="the key itself: shown this once, never stored")


class KeyList(BaseModel):
    items: list[KeyOut]
