"""The connection indicator through a server restart: it says the dashboard is offline
and retrying, comes back to live by itself once the server is up, and the views catch
up on what changed without a reload."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.dashboard.conftest import (
    WAIT_MS,
    Opener,
    Stack,
    drop_schema,
    start_stack,
    stop_stack,
)

pytestmark = pytest.mark.e2e


@pytest.fixture
def restartable(tmp_path: Path, database_url: str) -> Iterator[list[Stack]]:
    """Stacks on one schema and port, one after the other; the last is stopped at the end."""
    schema = f"t_dash_{uuid.uuid4().hex[:12]}"
    stacks = [start_stack(tmp_path, database_url, schema)]
    try:
        yield stacks
    finally:
        for stack in stacks:
            stop_stack(stack)
        drop_schema(database_url, schema)


def test_the_indicator_recovers_after_the_server_restarts(
    restartable: list[Stack], open_tab: Opener, tmp_path: Path
) -> None:
    first = restartable[0]
    tab = open_tab(first, first.key)
    # While the server is down, loading anything fails: the browser says so in its console.
    tab.console.expect(r"ERR_CONNECTION_REFUSED|ERR_CONNECTION_RESET|ERR_EMPTY_RESPONSE")
    tab.console.expect(r"WebSocket connection to .* failed")
    tab.go("/jobs?type=demo.echo")
    tab.wait_live()
    indicator = tab.page.locator(".connection")
    expect(indicator).to_have_text("● Live")

    stop_stack(first)
    expect(indicator).to_have_attribute("data-state", "reconnecting", timeout=WAIT_MS)
    expect(indicator).to_contain_text("Offline, retrying in")
    tab.screenshot("offline")

    port = int(first.base.rsplit(":", 1)[1])
    second = start_stack(tmp_path, first.database_url, first.schema, port=port)
    restartable.append(second)
    with second.client() as client:
        made = client.post("/v1/jobs", json={"type": "demo.echo", "payload": {"after": "restart"}})
    job_id = made.json()["id"]

    tab.page.evaluate("window.sameDocument = true")
    expect(indicator).to_have_attribute("data-state", "live", timeout=30_000)
    # The job made while the tab was away shows up, finished, without a reload.
    expect(tab.page.locator(f"tr[data-job='{job_id}']")).to_have_attribute(
        "data-status", "succeeded", timeout=WAIT_MS
    )
    assert tab.page.evaluate("window.sameDocument") is True
