.PHONY: test dev bench lint dashboard screenshots

# The whole test suite on a fresh machine (virtualenv, install, PostgreSQL, lint, tests).
test:
	scripts/test

# The product: API + worker + dashboard, on an embedded PostgreSQL when no database is given.
dev:
	scripts/dev

bench:
	scripts/bench

lint:
	.venv/bin/ruff check src tests bench deploy/aws && .venv/bin/ruff format --check src tests bench deploy/aws && .venv/bin/mypy

# The dashboard from its source: API types from the OpenAPI schema, then the bundle.
dashboard:
	scripts/dashboard

# The dashboard's browser tests, writing their screenshots into docs/screenshots.
screenshots:
	EQUEUE_SCREENSHOTS_DIR=docs/screenshots .venv/bin/pytest -q -n 0 tests/e2e/dashboard
