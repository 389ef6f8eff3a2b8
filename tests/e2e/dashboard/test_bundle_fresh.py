"""The committed dashboard is what its source builds: the bundle shipped in the package
and the API types generated from the served OpenAPI schema are both current, and the
first load stays within its JavaScript budget. Regenerate both with ``make dashboard``."""

from __future__ import annotations

import gzip
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.e2e.dashboard.conftest import ROOT

pytestmark = pytest.mark.e2e

DASHBOARD = ROOT / "dashboard"
BUNDLE = ROOT / "src" / "equeue" / "dashboard" / "static"
TYPES = DASHBOARD / "src" / "api" / "schema.d.ts"
BUDGET_JS_GZIP_BYTES = 300 * 1024
STALE = "stale: run `make dashboard` and commit the result"


def run_node(*args: str) -> None:
    assert (DASHBOARD / "node_modules").is_dir(), "run `npm ci` in dashboard/ (scripts/test does)"
    env = os.environ | {"EQUEUE_PYTHON": sys.executable}
    done = subprocess.run(args, cwd=DASHBOARD, env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr


def files_under(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_the_api_types_are_generated_from_the_current_schema(tmp_path: Path) -> None:
    fresh = tmp_path / "schema.d.ts"
    run_node("node", "scripts/gen-api.mjs", str(fresh))
    assert fresh.read_text() == TYPES.read_text(), f"dashboard/src/api/schema.d.ts is {STALE}"


def test_the_committed_bundle_is_what_the_source_builds(tmp_path: Path) -> None:
    out = tmp_path / "static"
    run_node("node_modules/.bin/vite", "build", "--outDir", str(out), "--emptyOutDir")
    fresh, committed = files_under(out), files_under(BUNDLE)
    assert sorted(fresh) == sorted(committed), f"src/equeue/dashboard/static is {STALE}"
    differing = [name for name in fresh if fresh[name] != committed[name]]
    assert differing == [], f"src/equeue/dashboard/static is {STALE}"


def test_the_first_load_is_within_its_javascript_budget() -> None:
    index = (BUNDLE / "index.html").read_text()
    scripts = re.findall(r'src="/dashboard/(assets/[^"]+\.js)"', index)
    preloads = re.findall(r'rel="modulepreload"[^>]*href="/dashboard/(assets/[^"]+\.js)"', index)
    assert scripts, index
    size = sum(len(gzip.compress((BUNDLE / f).read_bytes(), 9)) for f in {*scripts, *preloads})
    print(f"initial load: {size / 1024:.1f} KB of JavaScript gzipped")
    assert size <= BUDGET_JS_GZIP_BYTES


def test_every_file_of_the_bundle_is_shipped_in_the_package() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    package = BUNDLE.parent.parent
    # Globbed as setuptools globs package data: "*" stays within one folder.
    shipped = {
        path
        for pattern in pyproject["tool"]["setuptools"]["package-data"]["equeue"]
        for path in package.glob(pattern)
        if path.is_file()
    }
    files = {path for path in BUNDLE.rglob("*") if path.is_file()}
    assert files and files - shipped == set()
