"""API keys: list, create and revoke them; who the caller is; signing in with a code."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from equeue.api import keys as api_keys
from equeue.api.auth import ANONYMOUS
from equeue.api.errors import ApiError, error_responses
from equeue.api.keys import grants
from equeue.api.models import KeyCreated, KeyIn, KeyList, KeyOut, Me, SignedIn, SignInIn
from equeue.api.routing import KEYED, AdminKey, ApiState, Audit, ReadKey
from equeue.audit import Action


def add_routes(router: APIRouter, state: ApiState) -> None:
    """The routes of API keys and sign-in, on ``router``."""
    _key_routes(router, state)
    _session_routes(router, state)


def _key_routes(router: APIRouter, state: ApiState) -> None:
    queue = state.queue

    @router.get(
        "/v1/keys", response_model=KeyList, tags=["keys"], responses=error_responses(*KEYED)
    )
    async def list_keys(_: AdminKey) -> KeyList:
        """Every API key (ids and scopes; the keys themselves are never stored)."""
        return KeyList(items=[KeyOut.of(k) for k in await api_keys.list_keys(queue)])

    @router.post(
        "/v1/keys",
        status_code=201,
        response_model=KeyCreated,
        tags=["keys"],
        responses=error_responses(400, *KEYED, 413),
    )
    async def create_key(body: KeyIn, _: AdminKey, audit: Audit) -> KeyCreated:
        """Create a key; the answer holds it once."""
        key_id, raw = await api_keys.create_key(queue, body.scopes, body.name)
        await audit(
            Action.KEY_CREATE, target={"key": key_id, "name": body.name, "scopes": body.scopes}
        )
        [info] = [k for k in await api_keys.list_keys(queue) if k.id == key_id]
        return KeyCreated(**KeyOut.of(info).model_dump(), key=raw)

    @router.delete(
        "/v1/keys/{key_id}",
        status_code=204,
        tags=["keys"],
        responses=error_responses(*KEYED, 404),
    )
    async def revoke_key(key_id: str, _: AdminKey, audit: Audit) -> Response:
        """Revoke a key."""
        if not await api_keys.revoke_key(queue, key_id):
            raise ApiError(404, "not_found", f"no active API key {key_id!r}")
        await audit(Action.KEY_REVOKE, target={"key": key_id})
        return Response(status_code=204)


def _session_routes(router: APIRouter, state: ApiState) -> None:
    queue = state.queue

    @router.get("/v1/me", response_model=Me, tags=["keys"], responses=error_responses(*KEYED))
    async def me(caller: ReadKey) -> Me:
        """The caller's key and what it may do."""
        return Me(
            key_id=None if caller == ANONYMOUS else caller.key_id,
            scopes=sorted(caller.scopes, key=api_keys.SCOPES.index),
            can_write=grants(caller.scopes, "write"),
            can_admin=grants(caller.scopes, "admin"),
        )

    @router.post(
        "/v1/sign-in",
        response_model=SignedIn,
        tags=["keys"],
        responses=error_responses(400, 401, 403, 413, 422, 429),
    )
    async def sign_in(body: SignInIn, request: Request) -> SignedIn:
        """Exchange a one-time sign-in code (from ``equeue dev`` or ``equeue keys
        sign-in-link``) for a new API key with the code's scopes, valid 12 hours. No key
        is needed; a code works once, within 10 minutes of its making."""
        client = state.auth.admit_sign_in(request)
        exchanged = await api_keys.exchange_sign_in_code(queue, body.code)
        if exchanged is None:
            raise ApiError(
                401,
                "unauthorized",
                "the sign-in code is not valid: unknown, used already or expired (a code "
                "works once, within 10 minutes); ask for a new link",
            )
        state.auth.failures.give_back(client)
        info, raw = exchanged
        assert info.expires_at is not None  # keys given at sign-in always expire
        return SignedIn(key=raw, key_id=info.id, scopes=info.scopes, expires_at=info.expires_at)
