"""The REST API: a router to mount in any FastAPI app, or a standalone server.

::

    from fastapi import FastAPI
    from equeue.api import create_router, lifespan

    app = FastAPI(lifespan=lifespan(queue))
    app.include_router(create_router(queue))
"""

from __future__ import annotations

from equeue.api.app import create_app, lifespan
from equeue.api.routes import create_router
from equeue.api.settings import ApiSettings, check_bind_host

__all__ = ["ApiSettings", "check_bind_host", "create_app", "create_router", "lifespan"]
