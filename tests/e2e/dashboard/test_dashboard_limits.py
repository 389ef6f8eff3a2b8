"""The Queues view sets, shows and clears a queue's fleet-wide limits, in a real browser
against a real ``equeue dev`` stack; the limits it sets are the ones the API then reads."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.dashboard.conftest import Dashboard, Stack

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("dashboard")]


def limits_of(stack: Stack, queue: str) -> dict[str, object] | None:
    with stack.client() as client:
        items = client.get("/v1/queue-limits").json()["items"]
    return next((row for row in items if row["name"] == queue), None)


def test_limits_are_set_shown_and_cleared_from_the_queues_view(
    admin: Dashboard, stack: Stack
) -> None:
    page = admin.page
    queue = f"capped-{uuid.uuid4().hex[:6]}"
    with stack.client() as client:
        client.post("/v1/jobs", json={"type": "demo.echo", "queue": queue, "delay": 3600})
    admin.nav("Queues")
    form = page.get_by_role("form", name="Queue limits")
    form.get_by_label("Limits of queue").fill(queue)
    form.get_by_label("Running at once", exact=True).fill("2")
    form.get_by_label("Started per second").fill("5")
    form.get_by_label("Running at once per group").fill("1")
    form.get_by_role("button", name="Set limits").click()
    expect(form.get_by_role("status")).to_have_text(f"Limits of {queue} set")
    assert limits_of(stack, queue) == {
        "name": queue,
        "concurrency": 2,
        "rate": 5.0,
        "burst": None,
        "group_concurrency": 1,
    }
    cell = page.locator(f"td[data-limits='{queue}']")
    expect(cell).to_have_text("≤ 2 running · 5/s · ≤ 1 per group")
    admin.assert_accessible()

    # A meaningless value is refused: below 1 by the form itself...
    running = form.get_by_label("Running at once", exact=True)
    running.fill("0")
    form.get_by_role("button", name="Set limits").click()
    assert running.evaluate("input => input.validity.valid") is False
    # ...a burst without a rate by the server, whose word the form shows.
    running.fill("2")
    form.get_by_label("Started per second").fill("")
    form.get_by_label("Burst").fill("3")
    admin.console.expect(r"422 \(Unprocessable Entity\)")
    form.get_by_role("button", name="Set limits").click()
    expect(form.get_by_role("alert")).to_contain_text("burst")
    assert limits_of(stack, queue) is not None
    assert limits_of(stack, queue)["rate"] == 5.0  # type: ignore[index]

    page.get_by_role("button", name=f"Edit the limits of {queue}").click()
    form.get_by_role("button", name="Clear limits").click()
    expect(form.get_by_role("status")).to_have_text(f"Limits of {queue} cleared")
    assert limits_of(stack, queue) is None
    expect(cell).to_have_text("")
