"""A FastAPI app that enqueues a job inside its own database transaction.

``POST /signup`` inserts a user and enqueues the welcome email in one transaction: if
anything fails before the commit (here: an unknown referral code), neither the user nor
the job exists, so no email is ever sent for a signup that did not happen. That is the
point of a queue that lives in the application's own PostgreSQL.

Run it (from this folder):

    export EQUEUE_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres
    equeue migrate
    uvicorn app:app --port 8001          # the web app
    equeue worker tasks:queue            # the worker, in another terminal
    curl -X POST localhost:8001/signup -H 'content-type: application/json' \\
         -d '{"email": "ada@example.com"}'

The equeue REST API is mounted under ``/queue`` (``/queue/v1/jobs`` ...) to show the
router in someone else's app; it wants an API key (``EQUEUE_API_KEY``).
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import AsyncIterator

import asyncpg
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel
from tasks import queue, send_welcome

from equeue.api import create_router
from equeue.api import lifespan as equeue_lifespan

REFERRAL_CODES = frozenset({"FRIEND10"})


class Signup(BaseModel):
    email: str
    referral: str | None = None


def create_app(database_url: str | None = None, app_schema: str = "public") -> FastAPI:
    """The example app; ``app_schema`` holds its own table (``users``)."""
    url = database_url or os.environ["EQUEUE_DATABASE_URL"]
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", app_schema):
        raise ValueError(f"bad schema name {app_schema!r}")
    users = f"{app_schema}.users"
    state: dict[str, asyncpg.Pool] = {}

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        queue.dsn = queue.dsn or url
        state["pool"] = await asyncpg.create_pool(url, min_size=1, max_size=5)
        await state["pool"].execute(
            f"CREATE SCHEMA IF NOT EXISTS {app_schema};"
            f"CREATE TABLE IF NOT EXISTS {users} (id serial PRIMARY KEY, email text UNIQUE)"
        )
        await queue.migrate()
        try:
            async with equeue_lifespan(queue)(app):
                yield
        finally:
            await state["pool"].close()

    app = FastAPI(title="signup example", lifespan=lifespan)
    app.include_router(create_router(queue), prefix="/queue")

    @app.post("/signup", status_code=201)
    async def signup(body: Signup) -> dict[str, object]:
        async with state["pool"].acquire() as conn, conn.transaction():
            try:
                user_id = await conn.fetchval(
                    f"INSERT INTO {users} (email) VALUES ($1) RETURNING id", body.email
                )
            except asyncpg.UniqueViolationError:
                raise HTTPException(409, f"{body.email} is already signed up") from None
            # Same connection, same transaction: the job exists once this commits.
            job = await queue.enqueue(
                send_welcome, {"user_id": user_id, "email": body.email}, connection=conn
            )
            if body.referral is not None and body.referral not in REFERRAL_CODES:
                # Raising inside the transaction rolls back the user *and* the job:
                # no welcome email goes out for a signup that did not happen.
                raise HTTPException(400, f"unknown referral code {body.referral!r}")
        return {"user_id": user_id, "welcome_job": str(job.id)}

    return app


app = create_app() if os.environ.get("EQUEUE_DATABASE_URL") else FastAPI()
