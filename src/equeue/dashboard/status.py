"""A self-refreshing HTML status page: counts per queue, live workers, recent jobs."""

from __future__ import annotations

import html
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, RedirectResponse

from equeue.job import Job, JobStatus
from equeue.queue import Queue

_STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:2rem;color:#1f2328;background:#fafbfc}
h1{font-size:1.4rem;margin:0 0 .2rem}h2{font-size:1.05rem;margin:1.6rem 0 .4rem}
table{border-collapse:collapse;background:#fff;min-width:40rem}
th,td{border:1px solid #d0d7de;padding:.25rem .6rem;text-align:left}
th{background:#f3f4f6}td.n{text-align:right;font-variant-numeric:tabular-nums}
.muted{color:#656d76}.s-failed{color:#cf222e}.s-succeeded{color:#1a7f37}
.s-running{color:#0969da}code{font-size:12px}
"""


def create_dashboard_router(queue: Queue, *, refresh_seconds: int = 2) -> APIRouter:
    """A router serving the status page at ``/dashboard`` for ``queue``."""
    router = APIRouter(include_in_schema=False)

    @router.get("/dashboard", response_class=HTMLResponse)
    async def dashboard() -> HTMLResponse:
        counts = await queue.counts()
        workers = await queue.admin.workers()
        jobs, _ = await queue.list_jobs(limit=20, details=())  # the page shows none
        page = render_page(counts, workers, jobs, refresh_seconds)
        return HTMLResponse(page, headers={"Cache-Control": "no-store"})

    @router.get("/dashboard/")
    async def dashboard_slash() -> RedirectResponse:
        return RedirectResponse("/dashboard")

    return router


def render_page(
    counts: dict[str, dict[str, int]],
    workers: list[dict[str, Any]],
    jobs: list[Job],
    refresh_seconds: int = 2,
) -> str:
    """The page's HTML (everything shown is escaped)."""
    now = datetime.now(UTC).strftime("%H:%M:%S UTC")
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f'<meta http-equiv="refresh" content="{int(refresh_seconds)}">'
        f"<title>equeue</title><style>{_STYLE}</style></head><body>"
        "<h1>equeue</h1>"
        f'<div class=muted>updated {now} · <a href="/docs">API docs</a></div>'
        + _queues_table(counts)
        + _workers_table(workers)
        + _jobs_table(jobs)
        + "</body></html>"
    )


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value))


def _queues_table(counts: dict[str, dict[str, int]]) -> str:
    statuses = list(JobStatus)
    head = "".join(f"<th>{s.value}</th>" for s in statuses)
    rows = "".join(
        f"<tr><td>{_e(name)}</td>"
        + "".join(f"<td class=n>{by.get(s.value, 0)}</td>" for s in statuses)
        + "</tr>"
        for name, by in sorted(counts.items())
    )
    if not rows:
        rows = f"<tr><td colspan={len(statuses) + 1} class=muted>no jobs yet</td></tr>"
    return f"<h2>Queues</h2><table><tr><th>queue</th>{head}</tr>{rows}</table>"


def _workers_table(workers: list[dict[str, Any]]) -> str:
    rows = "".join(
        f"<tr><td><code>{_e(w.get('id'))}</code></td><td>{_e(w.get('host'))}</td>"
        f"<td class=n>{_e(w.get('pid'))}</td>"
        f"<td>{_e(', '.join(w.get('queues') or []) or 'all')}</td>"
        f"<td class=n>{_e(w.get('running'))}/{_e(w.get('concurrency'))}</td>"
        f"<td>{_e(_ago(w.get('last_seen')))}</td></tr>"
        for w in workers
    )
    if not rows:
        rows = "<tr><td colspan=6 class=muted>no worker is running</td></tr>"
    return (
        "<h2>Workers</h2><table><tr><th>id</th><th>host</th><th>pid</th><th>queues</th>"
        f"<th>running</th><th>last seen</th></tr>{rows}</table>"
    )


def _jobs_table(jobs: list[Job]) -> str:
    rows = "".join(
        f"<tr><td><code>{_e(j.id)}</code></td><td>{_e(j.task)}</td><td>{_e(j.queue)}</td>"
        f"<td class=s-{_e(j.status.value)}>{_e(j.status.value)}</td>"
        f"<td class=n>{j.attempts}/{j.max_attempts}</td><td>{_e(_ago(j.created_at))}</td>"
        f"<td>{_e((j.last_error or '')[:120])}</td></tr>"
        for j in jobs
    )
    if not rows:
        rows = "<tr><td colspan=7 class=muted>no jobs yet</td></tr>"
    return (
        "<h2>Recent jobs</h2><table><tr><th>id</th><th>type</th><th>queue</th>"
        f"<th>status</th><th>attempts</th><th>created</th><th>last error</th></tr>{rows}</table>"
    )


def _ago(moment: object) -> str:
    if not isinstance(moment, datetime):
        return ""
    seconds = (datetime.now(UTC) - moment).total_seconds()
    if seconds < 60:
        return f"{max(seconds, 0):.0f}s ago"
    if seconds < 3600:
        return f"{seconds / 60:.0f}m ago"
    return moment.strftime("%Y-%m-%d %H:%M")
