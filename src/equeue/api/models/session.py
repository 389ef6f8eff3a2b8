"""Who is signed in, and signing in with a one-time code."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

#: A sign-in code as links carry it (URL-safe base64 of 32 random bytes).
SignInCode = Annotated[
    str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")
]


class Me(BaseModel):
    """The caller: its key and what the key may do."""

    key_id: str | None = Field(description="null when authentication is off")
    scopes: list[str]
    can_write: bool = Field(description="enqueue, cancel and retry")
    can_admin: bool = Field(description="delete, purge, replay, pause and resume, keys")


class SignInIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"code": "Vx3sY0bC1qk9lDdN2mJ5wTQyE8uH6fAaR4pZoXiKgLc"}]},
    )

    code: SignInCode = Field(description="the code of a sign-in link: valid once, 10 minutes")


class SignedIn(BaseModel):
    """A fresh API key, given for a sign-in code."""

    key: str = Field(description="the key itself: shown this once, never stored")
    key_id: str
    scopes: list[str]
    expires_at: datetime
