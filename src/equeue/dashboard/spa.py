"""Serving the dashboard: a single-page app built into ``static/`` (``index.html`` and
hashed files under ``assets/``), under ``/dashboard``.

- ``/dashboard/assets/<file>``: a file of the bundle. Its name holds a hash of its
  content, so it is cached for a year and never revalidated; a missing one is 404.
- Other files at the top of the bundle (an icon): served, cached for an hour.
- ``/dashboard`` and any other path under it (the app's own routes, such as
  ``/dashboard/jobs/<id>``): ``index.html``, never cached, so a new bundle is seen at
  once.

Every answer carries a Content-Security-Policy that lets the page load scripts, styles
and fonts from this origin only and connect only to it (the API, and its events socket
on the same host), never be framed, and leak no address (the sign-in code is in one) in
a ``Referer``. The page holds no data: everything it shows comes from the API, with the
key the user signed in with.
"""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse, PlainTextResponse

#: Where the built bundle lives in the package.
STATIC_DIR = Path(__file__).resolve().parent / "static"
#: The path the dashboard is served under (the bundle is built for it).
DASHBOARD_PATH = "/dashboard"
_ASSETS = "assets"
_IMMUTABLE = "public, max-age=31536000, immutable"
_HOUR = "public, max-age=3600"
#: A Host header fit to name in the policy: a name or an address, and a port.
_HOST = re.compile(r"^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$")


def content_security_policy(host: str | None) -> str:
    """The policy of every dashboard answer for a request that named ``host``."""
    sockets = f" ws://{host} wss://{host}" if host and _HOST.match(host) else ""
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"font-src 'self'; connect-src 'self'{sockets}; manifest-src 'self'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


def create_dashboard_router(static_dir: Path | None = None) -> APIRouter:
    """A router serving the dashboard under ``/dashboard`` from ``static_dir`` (the
    bundle shipped in the package by default).

    Mount it at the root of the app that serves the API router at its root too: the
    page calls ``/v1/...`` on its own origin.
    """
    root = (static_dir or STATIC_DIR).resolve()
    router = APIRouter(include_in_schema=False)

    @router.api_route(DASHBOARD_PATH, methods=["GET", "HEAD"])
    async def index(request: Request) -> Response:
        return _index(root, request)

    @router.api_route(DASHBOARD_PATH + "/{path:path}", methods=["GET", "HEAD"])
    async def page(path: str, request: Request) -> Response:
        file = _bundle_file(root, path)
        if file is not None:
            cache = _IMMUTABLE if path.startswith(_ASSETS + "/") else _HOUR
            return _secured(FileResponse(file, headers={"Cache-Control": cache}), request)
        if path == _ASSETS or path.startswith(_ASSETS + "/"):
            missing = PlainTextResponse("no such file in the dashboard's bundle", 404)
            return _secured(missing, request)
        return _index(root, request)

    return router


def _bundle_file(root: Path, path: str) -> Path | None:
    """The file of the bundle at ``path`` (never ``index.html``, never outside the
    bundle), or None."""
    if not path or path == "index.html":
        return None
    candidate = (root / path).resolve()
    if not candidate.is_relative_to(root) or not candidate.is_file():
        return None
    return candidate


def _index(root: Path, request: Request) -> Response:
    index = root / "index.html"
    if not index.is_file():
        # A checkout whose bundle was never built: say so rather than a bare 404.
        missing = PlainTextResponse(
            "the dashboard is not built: run `npm ci && npm run build` in dashboard/", 503
        )
        return _secured(missing, request)
    return _secured(FileResponse(index, headers={"Cache-Control": "no-cache"}), request)


def _secured(response: Response, request: Request) -> Response:
    headers = response.headers
    headers["Content-Security-Policy"] = content_security_policy(request.headers.get("host"))
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "no-referrer"
    headers["X-Frame-Options"] = "DENY"
    return response
