"""Operations: Prometheus metrics, table health, liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from equeue.api.errors import error_response, error_responses
from equeue.api.models import Health, TablesHealth
from equeue.api.routing import KEYED, ApiState, ReadKey


def add_routes(router: APIRouter, state: ApiState) -> None:
    """The routes of operations (metrics, table health, liveness, readiness), on
    ``router``."""

    @router.get(
        "/metrics",
        tags=["ops"],
        response_class=Response,
        responses={
            200: {"content": {"text/plain": {"schema": {"type": "string"}}}},
            **error_responses(*KEYED),
        },
    )
    async def metrics(_: ReadKey) -> Response:
        """Prometheus metrics (text format)."""
        admin = state.queue.admin
        body = state.metrics.render(
            await admin.stats_totals(),
            await state.queue.counts(),
            await admin.count_live_workers(state.settings.worker_alive_seconds),
            await admin.table_health(),
        )
        return Response(body, media_type="text/plain; version=0.0.4; charset=utf-8")

    @router.get(
        "/v1/health/tables",
        response_model=TablesHealth,
        tags=["ops"],
        responses=error_responses(*KEYED),
    )
    async def table_health(_: ReadKey) -> TablesHealth:
        """The schema's tables: sizes, live and dead rows, last vacuum, partitions; what
        holds vacuum back; and the warnings of the documented thresholds."""
        return TablesHealth.of(await state.queue.admin.table_health())

    @router.get("/healthz", response_model=Health, tags=["ops"])
    async def healthz() -> Health:
        """The process is up."""
        return Health(status="ok")

    @router.get("/readyz", response_model=Health, tags=["ops"], responses=error_responses(503))
    async def readyz() -> Response:
        """The database answers and every migration is applied (asked at most once per
        ``ready_cache_seconds``; the reason for a 503 is in the server log)."""
        problem = await state.readiness.problem()
        if problem is not None:
            return error_response(503, "unavailable", f"not ready: {problem}")
        return JSONResponse({"status": "ready"})
