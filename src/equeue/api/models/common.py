"""The answers every group of routes shares: errors and health."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ErrorDetail(BaseModel):
    code: str = Field(description="stable, for programs: not_found, conflict, invalid...")
    message: str = Field(description="for people: what is wrong")


class ErrorOut(BaseModel):
    """Every error answer."""

    error: ErrorDetail


class Health(BaseModel):
    status: str
