"""API keys: ``equeue keys create``, ``keys list``, ``keys revoke`` and
``keys sign-in-link``."""

from __future__ import annotations

import dataclasses
import importlib
from typing import Annotated, Any

import typer
from rich.table import Table

from equeue.audit import Action
from equeue.cli.common import (
    EXIT_USAGE,
    Common,
    audited,
    fail,
    out,
    print_json,
    run_async,
    shared_options,
    when,
    with_queue,
)
from equeue.queue import Queue

keys_app = typer.Typer(
    help="Create, list and revoke API keys; make dashboard sign-in links.", no_args_is_help=True
)


def _keys_module() -> Any:
    # Imported when used: the API's modules are not needed by the other commands.
    return importlib.import_module("equeue.api.keys")


@keys_app.command("create")
@shared_options()
def keys_create(
    scope: Annotated[
        list[str] | None, typer.Option(help="read, write, admin or work (repeatable) [read]")
    ] = None,
    name: Annotated[str | None, typer.Option(help="A label, e.g. the client's name")] = None,
    *,
    common: Common,
) -> None:
    """Create an API key; the key is printed once and stored only as a hash."""
    keys = _keys_module()
    settings = common.settings()
    scopes = scope or ["read"]
    try:
        keys.normalise_scopes(scopes)
    except ValueError as exc:
        fail(str(exc), EXIT_USAGE)

    async def create(queue: Queue) -> tuple[str, str]:
        await queue.migrate()
        result: tuple[str, str] = await keys.create_key(queue, scopes, name)
        target = {"key": result[0], "name": name, "scopes": scopes}
        await audited(queue, Action.KEY_CREATE, target=target)
        return result

    key_id, raw = run_async(with_queue(settings, create))
    if common.as_json:
        print_json({"id": key_id, "key": raw, "scopes": scopes, "name": name})
    else:
        out.print(f"created key {key_id} ({', '.join(scopes)})")
        out.print(f"  {raw}")
        out.print("keep it now: it cannot be shown again")


@keys_app.command("list")
@shared_options()
def keys_list(*, common: Common) -> None:
    """List API keys (never their secrets)."""
    keys = _keys_module()
    listed = run_async(with_queue(common.settings(), keys.list_keys))
    if common.as_json:
        print_json({"items": [dataclasses.asdict(k) for k in listed]})
        return
    table = Table("id", "name", "scopes", "created", "revoked", "expires")
    for key in listed:
        table.add_row(
            key.id,
            key.name or "",
            ", ".join(key.scopes),
            when(key.created_at),
            when(key.revoked_at) if key.revoked_at else "",
            when(key.expires_at) if key.expires_at else "",
        )
    out.print(table)


@keys_app.command("revoke")
@shared_options()
def keys_revoke(
    key_id: Annotated[str, typer.Argument(help="The key's id (from keys list)")],
    *,
    common: Common,
) -> None:
    """Revoke an API key."""
    keys = _keys_module()

    async def revoke(queue: Queue) -> bool:
        done: bool = await keys.revoke_key(queue, key_id)
        if done:
            await audited(queue, Action.KEY_REVOKE, target={"key": key_id})
        return done

    revoked = run_async(with_queue(common.settings(), revoke))
    if not revoked:
        fail(f"no active key {key_id!r}")
    if common.as_json:
        print_json({"revoked": key_id})
    else:
        out.print(f"revoked {key_id}")


@keys_app.command("sign-in-link")
@shared_options()
def keys_sign_in_link(
    scope: Annotated[
        list[str] | None, typer.Option(help="read, write, admin or work (repeatable) [read]")
    ] = None,
    url: Annotated[
        str | None,
        typer.Option(help="The API's address as browsers reach it [http://HOST:PORT]"),
    ] = None,
    *,
    common: Common,
) -> None:
    """Print a one-time dashboard sign-in link: opened within 10 minutes, it signs the
    browser in with a new key of these scopes, valid 12 hours."""
    keys = _keys_module()
    settings = common.settings()
    scopes = scope or ["read"]
    base = url or f"http://{settings.host}:{settings.port}"
    if not base.startswith(("http://", "https://")):
        fail(f"--url must start with http:// or https://, not {base!r}", EXIT_USAGE)
    try:
        keys.normalise_scopes(scopes)
    except ValueError as exc:
        fail(str(exc), EXIT_USAGE)

    async def make(queue: Queue) -> Any:
        await queue.migrate()
        return await keys.create_sign_in_code(queue, scopes)

    code, expires_at = run_async(with_queue(settings, make))
    link = keys.sign_in_link(base, code)
    if common.as_json:
        print_json({"url": link, "scopes": scopes, "expires_at": expires_at.isoformat()})
    else:
        out.print(link)
        out.print(f"valid once, until {when(expires_at)} ({', '.join(scopes)})")
