"""The worker protocol as a contract of its own: the operations of the API's OpenAPI
document that workers over HTTP use (tagged ``work``), with every schema they name.

It is published as ``docs/worker-protocol.openapi.json`` (``python -m
equeue.api.contract > docs/worker-protocol.openapi.json``), from which a worker can be
written, or generated, in any language without running a server; a test holds the file
equal to what the server serves, so the protocol changes only by a deliberate change of
that file. Its version is the path prefix: under ``/v1`` fields may be added, never
removed or given another meaning; a change a worker would notice comes as ``/v2``, with
``/v1`` served beside it for a while.
"""

from __future__ import annotations

import json
from typing import Any

#: The version of the worker protocol, and of its paths' prefix.
PROTOCOL_VERSION = "1"
#: The tag of the protocol's operations in the API's OpenAPI document.
WORK_TAG = "work"

_DESCRIPTION = (
    "Claim jobs under a lease, renew the lease, report each job's outcome; every report "
    "is fenced by the lease token the claim gave (409 lease_lost: the lease is no longer "
    "the job's, and nothing changed). Send a key with the work scope as x-api-key (or "
    "Authorization: Bearer). docs/api.md, 'Workers over HTTP', tells the whole story."
)


def worker_protocol(api: dict[str, Any]) -> dict[str, Any]:
    """The worker protocol's OpenAPI document, cut from the API's whole one (``api``)."""
    paths = {
        path: {method: op for method, op in operations.items() if WORK_TAG in op.get("tags", ())}
        for path, operations in api["paths"].items()
    }
    paths = {path: operations for path, operations in paths.items() if operations}
    schemas = api.get("components", {}).get("schemas", {})
    return {
        "openapi": api["openapi"],
        "info": {
            "title": "equeue worker protocol",
            "version": PROTOCOL_VERSION,
            "description": _DESCRIPTION,
        },
        "security": [{"apiKey": []}],
        "paths": paths,
        "components": {
            "schemas": {name: schemas[name] for name in sorted(_named(paths, schemas))},
            "securitySchemes": {"apiKey": {"type": "apiKey", "in": "header", "name": "x-api-key"}},
        },
    }


def _named(part: Any, schemas: dict[str, Any]) -> set[str]:
    """The schemas ``part`` refers to, and those they refer to in turn."""
    found: set[str] = set()
    waiting = [part]
    while waiting:
        item = waiting.pop()
        if isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
                name = ref.rsplit("/", 1)[1]
                if name not in found:
                    found.add(name)
                    waiting.append(schemas[name])
            waiting.extend(item.values())
        elif isinstance(item, list):
            waiting.extend(item)
    return found


def published() -> str:
    """The document as published: the API's default settings, as JSON text."""
    # Imported here: building the app needs the whole API, the cut above does not.
    from equeue.api.app import create_app
    from equeue.api.settings import ApiSettings
    from equeue.queue import Queue

    # The defaults alone, whatever the environment says (bounds such as the longest
    # wait of a claim come from the settings).
    defaults = ApiSettings.model_construct()
    app = create_app(Queue("postgresql://nowhere/none", allow_unknown_tasks=False), defaults)
    return json.dumps(worker_protocol(app.openapi()), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    print(published(), end="")
