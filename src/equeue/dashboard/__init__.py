"""The dashboard served at ``/dashboard``.

For now a small server-rendered status page (queues, workers, recent jobs) that refreshes
itself; ``equeue dev`` mounts it next to the API. It only reads.
"""

from __future__ import annotations

from equeue.dashboard.status import create_dashboard_router

__all__ = ["create_dashboard_router"]
