.PHONY: test dev bench lint

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
