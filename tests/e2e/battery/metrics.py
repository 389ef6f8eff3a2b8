"""The fleet's metrics as an operator scrapes them: ``GET /metrics`` of the API app,
parsed with prometheus_client's own parser."""

from __future__ import annotations

import uuid

import httpx
from prometheus_client.parser import text_string_to_metric_families

from equeue import Queue
from equeue.api import ApiSettings, create_app

#: A sample's name and labels, sorted: ("equeue_jobs_failed_total", (("queue", "q"), ...)).
SampleKey = tuple[str, tuple[tuple[str, str], ...]]


async def scrape(url: str, schema: str) -> dict[SampleKey, float]:
    """Every sample of ``/metrics``, served by an API app on the battery's schema."""
    key = f"battery-{uuid.uuid4().hex}"
    app = create_app(Queue(url, schema=schema), ApiSettings(api_key=key))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as api:
            response = await api.get("/metrics", headers={"x-api-key": key})
    assert response.status_code == 200, response.text
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }
