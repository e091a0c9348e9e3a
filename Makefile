.DEFAULT_GOAL := help
PG ?= postgresql://postgres@127.0.0.1:5432/postgres

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

start: ## Install, seed the demo data and serve on http://127.0.0.1:8000
	./scripts/start

install: ## Install Soash and its development tools into .venv
	sh -c '. scripts/bootstrap.sh'

test: ## Run the tests on SQLite
	./scripts/test

test-pg: ## Run the tests on PostgreSQL (PG=server URL)
	SOASH_TEST_DATABASE_URL=$(PG) ./scripts/test

lint: ## ruff, ruff format --check and mypy --strict
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy

format: ## Format the code and apply safe lint fixes
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

ci: ## What CI runs: lint, then the tests on SQLite and PostgreSQL
	./.ci/run

bench: ## Run the benchmarks (results in bench/results/)
	@ls bench/*.py >/dev/null 2>&1 && for b in bench/*.py; do .venv/bin/python $$b; done || echo "no benchmarks yet"

migration: ## Generate a migration from the models: make migration m="what changed"
	.venv/bin/alembic revision --autogenerate -m "$(m)"

.PHONY: help start install test test-pg lint format ci bench migration
