"""A task's progress in a real browser against a real ``equeue dev`` stack: the bar in
the jobs table and in the job view moves as the task reports, without reloading."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.dashboard.conftest import WAIT_MS, Dashboard, Stack, wait_for_job

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("dashboard-progress")]


def test_the_progress_bar_moves_while_the_task_reports(admin: Dashboard, stack: Stack) -> None:
    page = admin.page
    admin.go("/jobs")
    page.evaluate("window.sameDocument = true")  # gone if the page were loaded again
    with stack.client() as client:
        body = {"type": "demo.progress", "payload": {"steps": 10, "seconds": 0.8}}
        job = client.post("/v1/jobs", json=body).json()

        # In the jobs table, the running job's row has a bar of its own.
        row_bar = page.locator(f'tr[data-job="{job["id"]}"] [role=progressbar]')
        expect(row_bar).to_have_attribute("aria-valuenow", re.compile(r"^[1-9]0$"), timeout=WAIT_MS)

        page.locator(f'tr[data-job="{job["id"]}"] a').first.click()
        bar = page.locator(".job-status [role=progressbar]")
        expect(bar).to_have_attribute("aria-valuenow", re.compile(r"^[1-9]0$"))
        first = int(bar.get_attribute("aria-valuenow") or 0)
        assert first < 100
        # It moves on its own (events), step by step, to the end.
        expect(bar).not_to_have_attribute("aria-valuenow", str(first), timeout=WAIT_MS)
        expect(bar).to_have_attribute("aria-valuenow", "100", timeout=WAIT_MS)
        expect(bar).to_have_attribute("aria-valuetext", "100% · step 10 of 10")
        wait_for_job(client, job["id"], "succeeded")
    expect(page.locator(".job-status [data-status]")).to_have_attribute(
        "data-status", "succeeded", timeout=WAIT_MS
    )
    assert page.evaluate("window.sameDocument") is True
    admin.assert_accessible()
