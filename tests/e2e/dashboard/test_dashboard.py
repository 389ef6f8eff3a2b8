"""The dashboard in a real browser against a real ``equeue dev`` stack: signing in, the
enqueue form and live updates, dead letters and replay, cancelling, pausing, bulk
actions, the audit trail, what a read-only key sees, and an accessibility check of each
view."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.dashboard.conftest import PHONE, WAIT_MS, Dashboard, Opener, Stack, wait_for_job

# One worker runs the whole module: one stack, started once.
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("dashboard")]

#: Names of the buttons that change something; a read-only key must see none of them.
ACTIONS = re.compile(r"^(Retry|Cancel|Delete|Replay.*|Pause|Resume|Enqueue|⏸ Pause|▶ Resume)$")


def status_of(tab: Dashboard) -> str | None:
    return tab.page.locator(".job-status [data-status]").get_attribute("data-status")


def confirm(tab: Dashboard, button: str, confirm_with: str | None = None) -> None:
    """Click ``button``, then the confirming button of the dialog it opens."""
    tab.page.get_by_role("button", name=button, exact=True).first.click()
    dialog = tab.page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name=confirm_with or button, exact=True).click()
    expect(dialog).to_be_hidden()


def test_the_printed_link_signs_in_once_and_leaves_no_code_behind(
    stack: Stack, open_tab: Opener
) -> None:
    tab = open_tab(stack, None)
    tab.page.goto(stack.sign_in_link)
    tab.wait_live()
    expect(tab.page.get_by_role("heading", name="Overview")).to_be_visible()
    assert tab.page.url == stack.base + "/dashboard/"  # the code left the address bar
    key = tab.page.evaluate("sessionStorage.getItem('equeue.apiKey')")
    assert key and key != stack.key  # a key of its own, not the printed admin key
    expect(tab.page.locator(".scope")).to_have_text("admin")
    tab.assert_accessible()
    tab.page.go_back()  # nor is the code in the history: the entry was replaced
    assert tab.page.url == "about:blank"

    # The code worked once: a second tab using it is told so, and can use the form.
    again = open_tab(stack, None)
    again.console.expect(r"401 \(Unauthorized\)")
    again.page.goto(stack.sign_in_link)
    expect(again.page.get_by_role("alert")).to_contain_text("sign-in link did not work")
    again.assert_accessible()
    again.screenshot("sign-in")
    again.page.get_by_label("API key").fill(stack.key)
    again.page.get_by_role("button", name="Sign in").click()
    again.wait_live()


def test_enqueue_from_the_form_and_watch_it_succeed_without_reloading(admin: Dashboard) -> None:
    page = admin.page
    admin.nav("Enqueue")
    page.evaluate("window.sameDocument = true")  # gone if the page were loaded again
    page.get_by_label("Task").select_option("text.reverse")
    editor = page.get_by_label("Payload (JSON object)")
    editor.fill('{"text": "hello"')
    expect(page.get_by_role("alert")).to_contain_text("not valid JSON")
    expect(page.get_by_role("button", name="Enqueue")).to_be_enabled()
    editor.fill('{"text": "hello"}')
    # A short delay, so the job is seen waiting first and then changing on its own.
    page.get_by_label("Delay (seconds)").fill("1.5")
    admin.assert_accessible()
    admin.screenshot("enqueue")
    page.get_by_role("button", name="Enqueue").click()

    page.wait_for_url(re.compile(r"/dashboard/jobs/[0-9a-f-]{36}$"))
    expect(page.locator(".job-status [data-status]")).to_have_attribute("data-status", "scheduled")
    expect(page.locator(".job-status [data-status]")).to_have_attribute(
        "data-status", "succeeded", timeout=WAIT_MS
    )
    expect(page.get_by_label("Result")).to_have_text('"olleh"')
    assert page.evaluate("window.sameDocument") is True
    expect(page.locator(".timeline")).to_contain_text("attempt 1 succeeded")
    admin.assert_accessible()
    admin.screenshot("job")


def test_a_failed_job_is_in_dead_letters_with_its_traceback_and_is_replayed(
    admin: Dashboard, stack: Stack
) -> None:
    message = f"payment gateway said no {uuid.uuid4().hex[:6]}"
    with stack.client() as client:
        job = client.post("/v1/jobs", json={"type": "demo.fail", "payload": {"message": message}})
        job_id = job.json()["id"]
        wait_for_job(client, job_id, "failed")

    page = admin.page
    admin.nav("Dead letters")
    group = page.locator(".group").filter(has_text=f"DemoFailure: {message}")
    expect(group).to_contain_text("demo.fail")
    group.get_by_role("button", name="Show jobs").click()
    row = group.locator(f"[data-job='{job_id}']")
    row.get_by_role("button", name="Show traceback").click()
    traceback = group.locator(".traceback")
    expect(traceback).to_contain_text("Traceback (most recent call last)")
    expect(traceback).to_contain_text(f"DemoFailure: {message}")
    admin.assert_accessible()
    admin.screenshot("dead-letters")

    row.get_by_role("button", name="Replay").click()
    dialog = page.get_by_role("dialog", name="Replay")
    dialog.get_by_role("button", name="Replay").click()
    expect(page.locator("main .notice")).to_have_text("Replayed 1 job")
    with stack.client() as client:
        # Back in the queue: it runs its attempts again (and, being demo.fail, fails again).
        replayed = wait_for_job(client, job_id, "failed", "queued", "running", "retrying")
        assert replayed["status"] != "failed" or len(replayed["attempt_history"]) > 3
        again = wait_for_job(client, job_id, "failed")
        assert len(again["attempt_history"]) == 6


def test_cancel_a_running_job(admin: Dashboard, stack: Stack) -> None:
    with stack.client() as client:
        job = client.post("/v1/jobs", json={"type": "demo.sleep", "payload": {"seconds": 120}})
    job_id = job.json()["id"]
    admin.go(f"/jobs/{job_id}")
    page = admin.page
    status = page.locator(".job-status [data-status]")
    expect(status).to_have_attribute("data-status", "running")
    # By keyboard: the dialog takes the focus, Escape backs out, Enter confirms.
    page.get_by_role("button", name="Cancel", exact=True).focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Cancel")
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(status).to_have_attribute("data-status", "running")
    page.keyboard.press("Enter")  # the focus is back on the button
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Cancel job").focus()
    page.keyboard.press("Enter")
    expect(status).to_have_attribute("data-status", "cancelled", timeout=WAIT_MS)
    expect(admin.page.get_by_role("button", name="Retry")).to_be_visible()
    admin.assert_accessible()
    admin.screenshot("job-cancelled")


def test_a_paused_queue_keeps_its_jobs_queued_until_resumed(admin: Dashboard, stack: Stack) -> None:
    page = admin.page
    queue = f"held-{uuid.uuid4().hex[:6]}"
    admin.nav("Queues")
    page.get_by_label("Pause a queue by name").fill(queue)
    page.get_by_role("button", name="Pause", exact=True).click()
    row = page.locator(f"tr[data-queue='{queue}']")
    expect(row).to_have_attribute("data-paused", "true")
    with stack.client() as client:
        held = client.post("/v1/jobs", json={"type": "demo.echo", "queue": queue}).json()
        # The worker is running: a job of another queue, enqueued after, is done...
        other = client.post("/v1/jobs", json={"type": "demo.echo", "payload": {"n": 1}}).json()
        wait_for_job(client, other["id"], "succeeded")
        # ...while the held one has not been touched.
        assert client.get(f"/v1/jobs/{held['id']}").json()["status"] == "queued"
    admin.assert_accessible()
    admin.screenshot("queues")

    row.get_by_role("link", name=queue).click()
    job_row = page.locator(f"tr[data-job='{held['id']}']")
    expect(job_row).to_have_attribute("data-status", "queued")
    assert f"queue={queue}" in page.url
    admin.nav("Queues")
    row.get_by_role("button", name=f"Resume {queue}").click()
    expect(row).to_have_attribute("data-paused", "false")
    page.go_back()
    expect(job_row).to_have_attribute("data-status", "succeeded", timeout=WAIT_MS)


def test_the_audit_trail_shows_who_paused_a_queue(stack: Stack, open_tab: Opener) -> None:
    name = f"ops-{uuid.uuid4().hex[:6]}"
    with stack.client() as client:
        made = client.post("/v1/keys", json={"scopes": ["admin"], "name": name})
        assert made.status_code == 201, made.text
    tab = open_tab(stack, made.json()["key"])
    tab.go("/queues")
    tab.wait_live()
    page = tab.page
    queue = f"audited-{uuid.uuid4().hex[:6]}"
    page.get_by_label("Pause a queue by name").fill(queue)
    page.get_by_role("button", name="Pause", exact=True).click()
    expect(page.locator(f"tr[data-queue='{queue}']")).to_have_attribute("data-paused", "true")

    tab.nav("Audit")
    row = page.locator("tr[data-action='queue.pause']").filter(has_text=f"queue={queue}")
    expect(row).to_contain_text(name)
    assert re.match(
        r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$", row.locator("time").get_attribute("title") or ""
    )
    page.get_by_label("Action").select_option("queue.resume")
    expect(row).to_have_count(0)
    assert "action=queue.resume" in page.url
    page.go_back()  # the filter was an address: Back brings the whole trail again
    expect(row).to_contain_text(name)
    tab.assert_accessible()
    tab.screenshot("audit")
    # On a phone the table scrolls within its box; the page itself does not.
    page.set_viewport_size(PHONE)
    expect(row).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    tab.assert_accessible()


def test_jobs_table_filters_in_the_address_and_bulk_retry(stack: Stack, open_tab: Opener) -> None:
    tag = f"batch-{uuid.uuid4().hex[:6]}"
    with stack.client() as client:
        ids = [
            client.post(
                "/v1/jobs",
                json={
                    "type": "demo.fail",
                    "payload": {"message": "bulk"},
                    "tags": [tag],
                    "max_attempts": 1,
                },
            ).json()["id"]
            for _ in range(3)
        ]
        for job_id in ids:
            wait_for_job(client, job_id, "failed")
    # On a phone: the same table, scrolled sideways, the same actions.
    tab = open_tab(stack, stack.key, PHONE)
    tab.go("/jobs")
    tab.wait_live()
    page = tab.page
    page.get_by_label("Tag").fill(tag)
    page.get_by_label("Status").select_option("failed")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("table.jobs tbody tr")).to_have_count(3)
    assert f"tag={tag}" in page.url and "status=failed" in page.url
    page.reload()  # the address alone brings the same view back
    expect(page.get_by_label("Tag")).to_have_value(tag)
    expect(page.locator("table.jobs tbody tr")).to_have_count(3)
    page.get_by_label("Select every job on this page").check()
    expect(page.get_by_role("group", name="Bulk actions")).to_contain_text("3 selected jobs")
    tab.assert_accessible()
    tab.screenshot("jobs-phone")
    confirm(tab, "Retry")
    expect(page.locator(".notice")).to_have_text("retry: 3 done")
    with stack.client() as client:
        for job_id in ids:
            assert len(wait_for_job(client, job_id, "failed")["attempt_history"]) == 2


def test_overview_workers_and_tasks(admin: Dashboard) -> None:
    page = admin.page
    queues = page.get_by_role("region", name="Queues")
    expect(queues.get_by_role("row", name=re.compile(r"^default "))).to_be_visible()
    expect(page.get_by_role("img", name=re.compile(r"^Throughput"))).to_be_visible()
    admin.assert_accessible()
    admin.screenshot("overview")
    admin.nav("Workers")
    worker = page.locator("tbody tr").first
    expect(worker).to_have_attribute("data-stale", "false")
    expect(worker).to_contain_text("ago")
    admin.assert_accessible()
    admin.screenshot("workers")
    admin.nav("Tasks")
    expect(page.get_by_role("row", name=re.compile(r"^demo\.fail default 0 3 "))).to_be_visible()
    admin.assert_accessible()
    admin.screenshot("tasks")
    admin.nav("Jobs")
    admin.assert_accessible()
    admin.screenshot("jobs")


def test_dark_mode_follows_the_system(stack: Stack, open_tab: Opener) -> None:
    tab = open_tab(stack, stack.key, color_scheme="dark")
    tab.go("/")
    tab.wait_live()
    background = tab.page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(13, 17, 23)"
    tab.assert_accessible()  # contrast included
    tab.screenshot("overview-dark")


def test_a_read_only_key_sees_no_action(stack: Stack, open_tab: Opener) -> None:
    with stack.client() as client:
        made = client.post("/v1/keys", json={"scopes": ["read"], "name": "viewer"})
        assert made.status_code == 201, made.text
        failed = client.post(
            "/v1/jobs", json={"type": "demo.fail", "payload": {}, "max_attempts": 1}
        ).json()
        wait_for_job(client, failed["id"], "failed")
    tab = open_tab(stack, made.json()["key"])
    tab.go("/")
    tab.wait_live()
    expect(tab.page.locator(".scope")).to_have_text("read only")
    nav = tab.page.get_by_role("navigation", name="Views")
    expect(nav.get_by_role("link", name="Enqueue")).to_have_count(0)
    expect(nav.get_by_role("link", name="Audit")).to_have_count(0)
    tab.go("/audit")  # reached by its address, it says why it shows nothing
    expect(tab.page.get_by_text("The audit trail needs an admin key")).to_be_visible()
    for view in ("/", "/jobs", f"/jobs/{failed['id']}", "/queues", "/tasks", "/workers"):
        tab.go(view)
        tab.page.get_by_role("heading", level=1).wait_for()
        tab.page.locator("main table, main .facts").first.wait_for()
        assert tab.page.get_by_role("button", name=ACTIONS).all() == [], view
        assert tab.page.get_by_role("checkbox").all() == [], view
    tab.go("/dead-letters")
    tab.page.locator(".group").first.get_by_role("button", name="Show jobs").click()
    tab.page.locator(".group-jobs li").first.wait_for()
    assert tab.page.get_by_role("button", name=ACTIONS).all() == []
    assert tab.page.get_by_role("checkbox").all() == []
    tab.assert_accessible()
    tab.screenshot("dead-letters-read-only")
