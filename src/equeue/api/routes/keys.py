"""API keys: list, create and revoke them."""

from __future__ import annotations

from fastapi import APIRouter, Response

from equeue.api import keys as api_keys
from equeue.api.errors import ApiError, error_responses
from equeue.api.models import KeyCreated, KeyIn, KeyList, KeyOut
from equeue.api.routing import KEYED, AdminKey, ApiState, Audit
from equeue.audit import Action


def add_routes(router: APIRouter, state: ApiState) -> None:
    """The routes of API keys, on ``router``."""
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
