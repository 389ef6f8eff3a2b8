"""The dashboard's API over real HTTP: a uvicorn process, real workers, real PostgreSQL.
Signing in with a one-time code, the caller's scopes, statistics per step and dead-letter
groups from jobs workers ran, actions on many jobs, workers' liveness, and the pages of
the single-page app with their caching and security policy."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from equeue import Queue
from equeue.api.keys import create_sign_in_code
from tests.e2e.serving import wait_until_serving
from tests.e2e.test_api_http import (
    ADMIN_KEY,
    Server,
    _drop_schema,
    _migrated_schema,
    assert_error,
    free_port,
    start_server,
    start_worker,
    stop,
    unique,
    wait_for,
)

pytestmark = pytest.mark.e2e


async def _sign_in_code(server: Server, scopes: list[str]) -> str:
    async with Queue(server.dsn, schema=server.schema) as queue:
        code, _ = await create_sign_in_code(queue, scopes)
        return code


async def _until(probe: Any, timeout: float = 30.0) -> Any:
    """Call ``probe`` until it returns something true; returns that."""
    deadline = time.monotonic() + timeout
    while True:
        found = await probe()
        if found:
            return found
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.2)


# --- who is calling, and signing in -------------------------------------------------------


async def test_a_sign_in_code_buys_one_expiring_key_with_its_scopes(server: Server) -> None:
    code = await _sign_in_code(server, ["write"])
    async with server.client(key=None) as anonymous:
        assert_error(await anonymous.get("/v1/me"), 401, "unauthorized")
        signed = await anonymous.post("/v1/sign-in", json={"code": code})
        assert signed.status_code == 200, signed.text
        body = signed.json()
        assert body["scopes"] == ["write"] and body["key"].startswith("eqk_")
        message = assert_error(
            await anonymous.post("/v1/sign-in", json={"code": code}), 401, "unauthorized"
        )
        assert "used already" in message
        assert_error(await anonymous.post("/v1/sign-in", json={"code": "a b"}), 422, "invalid")
        assert_error(await anonymous.post("/v1/sign-in", json={}), 422, "invalid")
    async with server.client(key=body["key"]) as signed_in:
        me = (await signed_in.get("/v1/me")).json()
        assert me == {
            "key_id": body["key_id"],
            "scopes": ["write"],
            "can_write": True,
            "can_admin": False,
        }
        assert (await signed_in.post("/v1/jobs", json={"type": "api.echo"})).status_code == 201
        assert_error(await signed_in.get("/v1/keys"), 403, "forbidden")
    async with server.client() as admin:
        assert (await admin.get("/v1/me")).json()["can_admin"] is True
        listed = {k["id"]: k for k in (await admin.get("/v1/keys")).json()["items"]}
        assert listed[body["key_id"]]["expires_at"] == body["expires_at"]


async def test_a_cross_site_page_cannot_sign_in(server: Server) -> None:
    code = await _sign_in_code(server, ["admin"])
    async with server.client(key=None) as browser:
        refused = await browser.post(
            "/v1/sign-in", json={"code": code}, headers={"origin": "https://evil.example"}
        )
        assert_error(refused, 403, "forbidden")
        # Refused before the code was looked at: it still works from the right place.
        accepted = await browser.post("/v1/sign-in", json={"code": code})
        assert accepted.status_code == 200, accepted.text


async def test_guessing_codes_runs_out_of_the_addresss_budget(database_url: str) -> None:
    schema = f"t_signin_{uuid.uuid4().hex[:12]}"
    await _migrated_schema(database_url, schema)
    running = start_server(
        database_url,
        schema,
        EQUEUE_AUTH_FAILURE_BURST="3",
        EQUEUE_AUTH_FAILURE_RATE_PER_SECOND="0.01",
    )
    try:
        good = await _sign_in_code(running, ["read"])
        async with running.client(key=None) as guesser:
            for _ in range(3):
                wrong = {"code": uuid.uuid4().hex}
                assert_error(await guesser.post("/v1/sign-in", json=wrong), 401)
            spent = await guesser.post("/v1/sign-in", json={"code": good})
            assert_error(spent, 429, "rate_limited")
            assert int(spent.headers["retry-after"]) > 0
    finally:
        stop(running.process)
        await _drop_schema(database_url, schema)


# --- statistics per step and dead letters, from jobs a worker ran --------------------------


async def test_the_series_and_the_dead_letters_show_what_workers_did(server: Server) -> None:
    queue = unique("charts")
    jobs = [{"type": "api.echo", "queue": queue}] * 3 + [{"type": "api.boom", "queue": queue}] * 2
    async with server.client() as api:
        created = await api.post("/v1/jobs/batch", json={"jobs": jobs})
        assert created.status_code == 201, created.text
        worker = start_worker(server, queue)
        try:

            async def counted() -> dict[str, Any] | None:
                series = (await api.get("/v1/stats/series", params={"queue": queue})).json()
                done = sum(p["succeeded"] for p in series["points"])
                failed = sum(p["failed"] for p in series["points"])
                return series if (done, failed) == (3, 2) else None

            series = await _until(counted)
        finally:
            stop(worker)
        assert series["step_seconds"] == 10 and len(series["points"]) == 90
        times = [p["at"] for p in series["points"]]
        assert times == sorted(times)
        busy = [p for p in series["points"] if p["succeeded"] or p["failed"]]
        for point in busy:
            assert 0 <= point["run_p50"] <= point["run_p95"] <= point["run_p99"] < 1
            assert 0 <= point["wait_p50"] <= point["wait_p99"] < 30
        idle = [p for p in series["points"] if not (p["succeeded"] or p["failed"])]
        assert idle and all(p["run_p50"] is None and p["wait_p99"] is None for p in idle)
        elsewhere = (await api.get("/v1/stats/series", params={"queue": unique("no")})).json()
        assert not any(p["succeeded"] for p in elsewhere["points"])

        letters = (await api.get("/v1/dead-letters", params={"queue": queue})).json()
        assert letters["total"] == 2
        [group] = letters["groups"]
        assert (group["type"], group["error"], group["count"]) == (
            "api.boom",
            "RuntimeError: boom",
            2,
        )
        assert group["queues"] == [queue]
        sample = (await api.get(f"/v1/jobs/{group['sample_job_id']}")).json()
        assert sample["status"] == "failed"
        replay = {"queue": queue, "type": "api.boom"}
        none = await api.post("/v1/replay-dlq", params={**replay, "error": "RuntimeError"})
        assert none.json() == {"replayed": 0}
        both = await api.post("/v1/replay-dlq", params={**replay, "error": group["error"]})
        assert both.json() == {"replayed": 2}
        after = (await api.get("/v1/dead-letters", params={"queue": queue})).json()
        assert after == {"groups": [], "total": 0}


@pytest.mark.parametrize("minutes", ["0", "61", "x"])
async def test_a_series_window_out_of_bounds_is_refused(
    api: httpx.AsyncClient, minutes: str
) -> None:
    answer = await api.get("/v1/stats/series", params={"minutes": minutes})
    assert "minutes" in assert_error(answer, 422, "invalid")


async def test_an_hour_of_series_has_ninety_steps_of_forty_seconds(api: httpx.AsyncClient) -> None:
    series = (await api.get("/v1/stats/series", params={"minutes": 60})).json()
    assert series["step_seconds"] == 40 and len(series["points"]) == 90


# --- actions on many jobs -----------------------------------------------------------------


async def test_bulk_actions_over_http(server: Server) -> None:
    queue = unique("bulk")
    async with server.client() as api:
        first = (await api.post("/v1/jobs", json={"type": "api.echo", "queue": queue})).json()
        second = (await api.post("/v1/jobs", json={"type": "api.echo", "queue": queue})).json()
        unknown = str(uuid.uuid4())
        cancel = {"action": "cancel", "ids": [first["id"], second["id"], unknown]}
        answer = await api.post("/v1/jobs/bulk", json=cancel)
        assert answer.status_code == 200, answer.text
        assert answer.json() == {
            "done": [first["id"], second["id"]],
            "skipped": [{"id": unknown, "reason": "not found"}],
        }
        retry = await api.post("/v1/jobs/bulk", json={"action": "retry", "ids": [first["id"]]})
        assert retry.json() == {"done": [first["id"]], "skipped": []}
        assert (await api.get(f"/v1/jobs/{first['id']}")).json()["status"] == "queued"
        again = await api.post("/v1/jobs/bulk", json={"action": "cancel", "ids": [second["id"]]})
        assert again.json()["skipped"] == [
            {"id": second["id"], "reason": "job has already finished (cancelled)"}
        ]
        found = await api.get("/v1/jobs", params={"id": first["id"], "queue": queue})
        assert [j["id"] for j in found.json()["items"]] == [first["id"]]

        too_many = {"action": "retry", "ids": [str(uuid.uuid4()) for _ in range(1001)]}
        assert "ids" in assert_error(await api.post("/v1/jobs/bulk", json=too_many), 422)
        odd = {"action": "explode", "ids": [first["id"]]}
        assert "action" in assert_error(await api.post("/v1/jobs/bulk", json=odd), 422)
        bad_id = {"action": "retry", "ids": ["nope"]}
        assert_error(await api.post("/v1/jobs/bulk", json=bad_id), 422, "invalid")

    code = await _sign_in_code(server, ["write"])
    async with server.client(key=None) as anonymous:
        key = (await anonymous.post("/v1/sign-in", json={"code": code})).json()["key"]
    async with server.client(key=key) as writer:
        delete = {"action": "delete", "ids": [first["id"]]}
        assert "admin" in assert_error(await writer.post("/v1/jobs/bulk", json=delete), 403)
    async with server.client() as admin:
        deleted = await admin.post("/v1/jobs/bulk", json=delete)
        assert deleted.json() == {"done": [first["id"]], "skipped": []}
        assert_error(await admin.get(f"/v1/jobs/{first['id']}"), 404)


# --- workers ------------------------------------------------------------------------------


async def test_a_worker_lists_the_jobs_it_runs_and_is_not_stale(server: Server) -> None:
    queue = unique("held")
    async with server.client() as api:
        job = (
            await api.post(
                "/v1/jobs", json={"type": "api.slow", "queue": queue, "payload": {"seconds": 3}}
            )
        ).json()
        worker = start_worker(server, queue)
        try:
            await wait_for(api, job["id"], "running")

            async def holding() -> dict[str, Any] | None:
                items = (await api.get("/v1/workers")).json()["items"]
                mine = [w for w in items if w["queues"] == [queue]]
                return mine[0] if mine and mine[0]["running_jobs"] == [job["id"]] else None

            listed = await _until(holding)
            assert listed["stale"] is False
            assert 0 <= listed["heartbeat_age_seconds"] < 30
        finally:
            stop(worker)


# --- the single-page app ------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A stand-in for the built app: its index and a hashed asset."""
    folder = tmp_path_factory.mktemp("bundle")
    (folder / "assets").mkdir()
    (folder / "index.html").write_text(
        '<!doctype html><div id="root"></div><script src="/dashboard/assets/app-1a2b3c.js">'
        "</script>"
    )
    (folder / "assets" / "app-1a2b3c.js").write_text("console.log('equeue')")
    (folder / "favicon.svg").write_text("<svg/>")
    (folder.parent / "secret.txt").write_text("not for the web")
    return folder


@pytest.fixture(scope="module")
def app_server(database_url: str, bundle: Path) -> Iterator[Server]:
    schema = f"t_spa_{uuid.uuid4().hex[:12]}"
    asyncio.run(_migrated_schema(database_url, schema))
    running = start_server(database_url, schema, DASHBOARD_DIR=str(bundle))
    try:
        yield running
    finally:
        stop(running.process)
        asyncio.run(_drop_schema(database_url, schema))


def _secured(response: httpx.Response) -> None:
    policy = response.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "frame-ancestors 'none'" in policy
    host = response.request.headers["host"]
    assert f"connect-src 'self' ws://{host} wss://{host};" in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"


async def test_the_root_leads_to_the_dashboard_and_every_client_route_is_the_app(
    app_server: Server, bundle: Path
) -> None:
    index = (bundle / "index.html").read_text()
    async with httpx.AsyncClient(base_url=app_server.url, timeout=10) as browser:
        root = await browser.get("/")
        assert (root.status_code, root.headers["location"]) == (307, "/dashboard/")
        for path in ("/dashboard", "/dashboard/", "/dashboard/jobs/123", "/dashboard/sign-in"):
            page = await browser.get(path, params={"code": "x"})
            assert (page.status_code, page.text) == (200, index), path
            assert page.headers["content-type"].startswith("text/html")
            assert page.headers["cache-control"] == "no-cache"
            _secured(page)
        head = await browser.head("/dashboard/queues")
        assert head.status_code == 200 and head.text == ""


async def test_hashed_assets_are_cached_for_good_and_nothing_else_is_served(
    app_server: Server,
) -> None:
    async with httpx.AsyncClient(base_url=app_server.url, timeout=10) as browser:
        asset = await browser.get("/dashboard/assets/app-1a2b3c.js")
        assert (asset.status_code, asset.text) == (200, "console.log('equeue')")
        assert "javascript" in asset.headers["content-type"]
        assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
        _secured(asset)
        icon = await browser.get("/dashboard/favicon.svg")
        assert icon.status_code == 200 and icon.headers["cache-control"] == "public, max-age=3600"
        missing = await browser.get("/dashboard/assets/app-000000.js")
        assert missing.status_code == 404  # never the page in place of a script
        escapes = ("/dashboard/%2e%2e/secret.txt", "/dashboard/assets/%2e%2e/%2e%2e/secret.txt")
        for escape in escapes:
            answer = await browser.get(escape)
            assert "not for the web" not in answer.text, escape


async def test_without_a_built_bundle_the_dashboard_says_so(
    database_url: str, tmp_path: Path
) -> None:
    schema = f"t_spa_{uuid.uuid4().hex[:12]}"
    await _migrated_schema(database_url, schema)
    running = start_server(database_url, schema, DASHBOARD_DIR=str(tmp_path))
    try:
        async with httpx.AsyncClient(base_url=running.url, timeout=10) as browser:
            answer = await browser.get("/dashboard/")
            assert answer.status_code == 503 and "not built" in answer.text
    finally:
        stop(running.process)
        await _drop_schema(database_url, schema)


MOUNTED = """
import os, pathlib, uvicorn
from fastapi import FastAPI
from equeue import Queue
from equeue.api import ApiSettings, create_router, lifespan
from equeue.dashboard import create_dashboard_router
queue = Queue(os.environ["DSN"], schema=os.environ["SCHEMA"])
settings = ApiSettings()
app = FastAPI(lifespan=lifespan(queue, settings))

@app.get("/")
async def home():
    return {"app": "mine"}

app.include_router(create_router(queue, settings))
app.include_router(create_dashboard_router(pathlib.Path(os.environ["DASHBOARD_DIR"])))
uvicorn.run(app, host="127.0.0.1", port=int(os.environ["PORT"]), log_level="warning")
"""


async def test_a_users_app_mounts_the_dashboard_beside_the_router(
    app_server: Server, bundle: Path
) -> None:
    port = free_port()
    env = {
        **os.environ,
        "DSN": app_server.dsn,
        "SCHEMA": app_server.schema,
        "PORT": str(port),
        "DASHBOARD_DIR": str(bundle),
        "EQUEUE_API_KEY": ADMIN_KEY,
    }
    process = subprocess.Popen([sys.executable, "-c", MOUNTED], env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        await asyncio.to_thread(wait_until_serving, process, f"{url}/readyz")
        async with httpx.AsyncClient(base_url=url, timeout=10) as browser:
            assert (await browser.get("/")).json() == {"app": "mine"}  # the user's own root
            page = await browser.get("/dashboard/jobs")
            assert page.status_code == 200 and 'id="root"' in page.text
            _secured(page)
            me = await browser.get("/v1/me", headers={"x-api-key": ADMIN_KEY})
            assert me.json()["can_admin"] is True
    finally:
        stop(process)
