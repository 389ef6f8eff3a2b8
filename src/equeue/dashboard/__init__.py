"""The dashboard served at ``/dashboard``: a single-page app (built from the top-level
``dashboard/`` folder into ``static/``) that reads and acts through the REST API with
the key the user signed in with. This package only serves its files."""

from __future__ import annotations

from equeue.dashboard.spa import DASHBOARD_PATH, STATIC_DIR, create_dashboard_router

__all__ = ["DASHBOARD_PATH", "STATIC_DIR", "create_dashboard_router"]
