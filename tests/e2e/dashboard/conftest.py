"""The dashboard's browser tests: a real ``equeue dev`` stack per module (its own schema
in the test database), driven by Debian's headless Chromium through Playwright.

Every page is watched: any console error or uncaught exception fails the test, unless
the test named it as expected (a server it stopped on purpose). Each test writes a
screenshot of its view into ``$EQUEUE_SCREENSHOTS_DIR`` (``build/screenshots`` unless
set; ``make screenshots`` writes ``docs/screenshots``).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import re
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import httpx
import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    sync_playwright,
)

from tests.e2e.test_api_http import _drop_schema
from tests.e2e.test_dev import DevStack, free_port

ROOT = Path(__file__).resolve().parents[3]
CHROMIUM = Path("/usr/bin/chromium")
#: Without these Chromium reaches for the network at start (updates, sync, QUIC probes).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = ROOT / "dashboard" / "node_modules" / "axe-core" / "axe.min.js"
LAPTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}
#: Seconds a test waits for something the dashboard should show.
WAIT_MS = 20_000


def screenshots_dir() -> Path:
    folder = Path(os.environ.get("EQUEUE_SCREENSHOTS_DIR", ROOT / "build" / "screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@dataclass
class Stack:
    """A running ``equeue dev`` and what it printed."""

    dev: DevStack
    key: str
    sign_in_link: str
    database_url: str
    schema: str

    @property
    def base(self) -> str:
        return self.dev.base

    def client(self, key: str | None = None) -> httpx.Client:
        return httpx.Client(
            base_url=self.base, headers={"authorization": f"Bearer {key or self.key}"}, timeout=10
        )


def start_stack(tmp: Path, database_url: str, schema: str, port: int | None = None) -> Stack:
    """``equeue dev`` on the test database, in ``schema``; waits for its banner."""
    data_dir = tmp / "data"
    dev = DevStack(
        data_dir,
        port or free_port(),
        tmp / f"dev-{uuid.uuid4().hex[:6]}.log",
        "--database-url",
        database_url,
        env={"EQUEUE_SCHEMA": schema},
    )
    try:
        key = dev.wait_ready()
        link = re.search(r"Dashboard\s+(\S+/dashboard/sign-in\?code=\S+)", dev.output())
        assert link, dev.output()
    except BaseException:
        kill(dev)
        raise
    return Stack(dev, key, link.group(1), database_url, schema)


def drop_schema(database_url: str, schema: str) -> None:
    """Drop a test schema (from a thread of its own: Playwright's synchronous API keeps an
    event loop in this one)."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, _drop_schema(database_url, schema)).result()


def kill(dev: DevStack) -> None:
    """Kill a stack and whatever it started (it must not outlive a failed test)."""
    for child in dev.descendants():
        child.kill()
    dev.process.kill()
    dev.process.wait(10)


def stop_stack(stack: Stack) -> None:
    """Stop a stack the way Ctrl+C does; kill it if it does not stop."""
    if stack.dev.process.poll() is not None:
        return
    try:
        stack.dev.stop(timeout=30)
    except subprocess.TimeoutExpired:
        kill(stack.dev)
        raise


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, database_url: str) -> Iterator[Stack]:
    schema = f"t_dash_{uuid.uuid4().hex[:12]}"
    running = start_stack(tmp_path_factory.mktemp("dash"), database_url, schema)
    try:
        yield running
    finally:
        stop_stack(running)
        drop_schema(database_url, schema)


# Module-scoped, not session-scoped: while Playwright's synchronous API is started, its
# event loop counts as running in this thread, and asyncio tests of other modules (run by
# the same worker) could not start theirs.
@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    assert CHROMIUM.exists(), "no Chromium: scripts/test installs it (apt-get install chromium)"
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    try:
        yield launched
    finally:
        launched.close()


@dataclass
class Console:
    """Errors a page logged; those matching an expected pattern are let through."""

    errors: list[str] = field(default_factory=list)
    expected: list[re.Pattern[str]] = field(default_factory=list)

    def expect(self, pattern: str) -> None:
        self.expected.append(re.compile(pattern))

    def on_message(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"{message.text} ({message.location.get('url', '')})")

    def unexpected(self) -> list[str]:
        return [e for e in self.errors if not any(p.search(e) for p in self.expected)]


@dataclass
class Dashboard:
    """A browser tab on the dashboard, signed in or not."""

    page: Page
    stack: Stack
    console: Console

    def go(self, path: str = "/") -> None:
        self.page.goto(self.stack.base + "/dashboard" + path)

    def nav(self, name: str) -> None:
        self.page.get_by_role("navigation", name="Views").get_by_role("link", name=name).click()
        self.page.get_by_role("heading", level=1).wait_for()

    def wait_live(self) -> None:
        self.page.locator(".connection[data-state=live]").wait_for(timeout=WAIT_MS)

    def screenshot(self, name: str) -> None:
        self.page.screenshot(path=str(screenshots_dir() / f"{name}.png"), full_page=True)

    def axe(self) -> list[dict[str, Any]]:
        """Serious and critical accessibility violations of the page as it is now."""
        if not self.page.evaluate("typeof window.axe !== 'undefined'"):
            # Evaluated through the debugging protocol: the page's CSP does not apply.
            self.page.evaluate(AXE.read_text())
        violations: list[dict[str, Any]] = self.page.evaluate(
            """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
                .filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => ({id: v.id, impact: v.impact, help: v.help,
                            nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"""
        )
        return violations

    def assert_accessible(self) -> None:
        violations = self.axe()
        assert violations == [], violations


Opener = Callable[..., Dashboard]


@pytest.fixture
def open_tab(browser: Browser) -> Iterator[Opener]:
    """Opens tabs on a stack (signed in with ``key``, or not when it is None); each tab
    must end the test with no unexpected console error."""
    opened: list[tuple[Dashboard, BrowserContext]] = []

    def open_tab(
        stack: Stack,
        key: str | None,
        viewport: dict[str, int] | None = None,
        color_scheme: Literal["dark", "light"] = "light",
    ) -> Dashboard:
        context = browser.new_context(viewport=viewport or LAPTOP, color_scheme=color_scheme)
        if key is not None:
            # As the sign-in form keeps it: in this tab's session storage.
            context.add_init_script(f"sessionStorage.setItem('equeue.apiKey', {key!r})")
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        console = Console()
        page.on("console", console.on_message)
        page.on("pageerror", lambda error: console.errors.append(f"uncaught: {error}"))
        tab = Dashboard(page, stack, console)
        opened.append((tab, context))
        return tab

    yield open_tab
    try:
        for tab, _ in opened:
            assert tab.console.unexpected() == [], tab.console.errors
    finally:
        for _, context in opened:
            context.close()


@pytest.fixture
def admin(stack: Stack, open_tab: Opener) -> Dashboard:
    """A tab signed in with the stack's admin key, on the overview, live."""
    tab = open_tab(stack, stack.key)
    tab.go("/")
    tab.wait_live()
    return tab


def wait_for_job(client: httpx.Client, job_id: str, *statuses: str, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        job = client.get(f"/v1/jobs/{job_id}").json()
        if job["status"] in statuses:
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.1)
