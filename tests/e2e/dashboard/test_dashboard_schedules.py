"""The Schedules view in a real browser against a real ``equeue dev`` stack: each schedule
with its cron expression, time zone, next run and state; pause and resume for admin keys,
none for a read-only key; an accessibility check."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.dashboard.conftest import Dashboard, Opener, Stack

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("dashboard")]


def make_schedule(stack: Stack) -> dict[str, str]:
    name = f"nightly-{uuid.uuid4().hex[:6]}"
    body = {"name": name, "task": "demo.echo", "cron": "0 3 * * *", "timezone": "Asia/Tokyo"}
    with stack.client() as client:
        made = client.post("/v1/schedules", json=body)
        assert made.status_code == 201, made.text
    created: dict[str, str] = made.json()
    return created


def test_schedules_are_listed_and_paused_and_resumed(admin: Dashboard, stack: Stack) -> None:
    schedule = make_schedule(stack)
    name = schedule["name"]
    page = admin.page
    admin.nav("Schedules")
    row = page.locator(f"tr[data-schedule='{name}']")
    expect(row).to_contain_text("0 3 * * *")
    expect(row).to_contain_text("Asia/Tokyo")
    expect(row.locator("time").first).to_have_attribute("datetime", schedule["next_run_at"])
    expect(row).to_have_attribute("data-paused", "false")
    admin.assert_accessible()

    row.get_by_role("button", name=f"Pause {name}").click()
    expect(row).to_have_attribute("data-paused", "true")
    with stack.client() as client:
        assert client.get(f"/v1/schedules/{name}").json()["paused"] is True
    row.get_by_role("button", name=f"Resume {name}").click()
    expect(row).to_have_attribute("data-paused", "false")
    admin.assert_accessible()


def test_a_read_only_key_sees_schedules_without_buttons(stack: Stack, open_tab: Opener) -> None:
    schedule = make_schedule(stack)
    with stack.client() as client:
        made = client.post("/v1/keys", json={"scopes": ["read"], "name": "viewer"})
        assert made.status_code == 201, made.text
    tab = open_tab(stack, made.json()["key"])
    tab.go("/schedules")
    tab.wait_live()
    row = tab.page.locator(f"tr[data-schedule='{schedule['name']}']")
    expect(row).to_contain_text("0 3 * * *")
    assert tab.page.get_by_role("button", name=f"Pause {schedule['name']}").all() == []
    assert tab.page.get_by_role("columnheader", name="Action").all() == []
    tab.assert_accessible()
