# `make run` and `make test` are the two commands a newcomer needs (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The browser files of GraphiQL (/graphql) and Swagger UI (/docs), from npm with the committed
# lock (api/assets/; its .npmrc turns install scripts off). A built wheel carries them (setup.py).
ASSETS := api/assets
ASSETS_STAMP := $(ASSETS)/node_modules/.installed
# The TypeScript client generated from schema.graphql (tests/test_typed_client.py).
TYPED_CLIENT := tests/typed-client
TYPED_CLIENT_STAMP := $(TYPED_CLIENT)/node_modules/.installed
# The browser test drives Debian's Chromium (never a downloaded one).
CHROMIUM ?= /usr/bin/chromium

.PHONY: install run test test-fast test-pgbouncer lint format schema chromium typed-client

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $(STAMP)

$(ASSETS_STAMP): $(ASSETS)/package.json $(ASSETS)/package-lock.json
	@command -v npm >/dev/null || { echo "npm (Node 20+) is needed to install GraphiQL's and Swagger UI's files"; exit 1; }
	cd $(ASSETS) && npm ci
	touch $@

$(TYPED_CLIENT_STAMP): $(TYPED_CLIENT)/package.json $(TYPED_CLIENT)/package-lock.json
	@command -v npm >/dev/null || { echo "npm (Node 20+) is needed for the typed client"; exit 1; }
	cd $(TYPED_CLIENT) && npm ci --no-audit --no-fund
	touch $@

install: $(STAMP) $(ASSETS_STAMP) $(TYPED_CLIENT_STAMP)

chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "$(CHROMIUM) is missing; installing Debian's chromium for the browser test"; \
	    apt-get update -qq && apt-get install -y -qq chromium; \
	  else \
	    echo "$(CHROMIUM) is missing: run 'sudo apt-get install chromium' (Debian)."; \
	    echo "Until then the browser test is skipped (with CI=true it fails)."; \
	  fi; \
	fi

run: $(STAMP) $(ASSETS_STAMP)
	$(BIN)/todo-api serve

test: install lint chromium
	$(BIN)/pytest

# The loop while working: unit tests and SQLite, no PostgreSQL, clusters, browsers or Node.
FAST := not postgres and not cluster and not browser and not node and not slow
test-fast: $(STAMP)
	$(BIN)/pytest -n auto -q -m "$(FAST)"

# The PostgreSQL half of the suite again, with the app behind PgBouncer in transaction mode
# (Neon's pooled endpoint), started and stopped by tests/pgbouncer.py; needs Debian's pgbouncer.
test-pgbouncer: install
	$(BIN)/python -m tests.support.pgbouncer -k "postgresql or test_pgbouncer"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy api db schema

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

schema: install
	$(BIN)/todo-api export-schema --output schema.graphql

# Regenerates the typed client's src/gql/ from schema.graphql and its operations; commit the result.
typed-client: $(TYPED_CLIENT_STAMP)
	cd $(TYPED_CLIENT) && node_modules/.bin/graphql-codegen --config codegen.ts
