# `make run` and `make test` are the two commands a newcomer needs (see README.md).
PYTHON ?= python3
# Where `make run` listens: `make run HOST=0.0.0.0 PORT=8080` (Docker, WSL and VMs cannot reach
# 127.0.0.1 from outside). Set here, not with ?=: a HOST or PORT in the shell's environment (zsh
# sets HOST to the machine's name, hosting platforms set PORT) does not move it.
HOST := 127.0.0.1
PORT := 8000
VENV := .venv
BIN := $(VENV)/bin
# Two installs: the package alone (what running the service needs), then the test, lint and
# benchmark tools of its `dev` extra (pytest, Playwright, schemathesis, mypy...) on top.
RUNTIME_STAMP := $(VENV)/.installed-runtime
DEV_STAMP := $(VENV)/.installed-dev
# The oldest Node the two npm locks below are used with (a few of the typed client's code
# generator dependencies declare 22.15+, so npm warns on Node 20; they run on 20.19+).
NODE_MINIMUM := 20.19
# The browser files of GraphiQL (/graphql) and Swagger UI (/docs), from npm with the committed
# lock (api/assets/; its .npmrc turns install scripts off). A built wheel carries them (setup.py).
ASSETS := api/assets
ASSETS_STAMP := $(ASSETS)/node_modules/.installed
# The TypeScript client generated from schema.graphql (tests/test_typed_client.py).
TYPED_CLIENT := tests/typed-client
TYPED_CLIENT_STAMP := $(TYPED_CLIENT)/node_modules/.installed
# The browser test drives Debian's Chromium (never a downloaded one).
CHROMIUM ?= /usr/bin/chromium

# $(call need_node,what for): stop, saying why, without npm or with a Node older than NODE_MINIMUM.
NODE_IS_RECENT := const [a, b] = process.versions.node.split(".").map(Number), \
  [x, y] = "$(NODE_MINIMUM)".split(".").map(Number); process.exit(a > x || (a === x && b >= y) ? 0 : 1)
define need_node
	@command -v npm >/dev/null || { echo "npm (Node $(NODE_MINIMUM)+) is needed $(1)"; exit 1; }
	@node -e '$(NODE_IS_RECENT)' || { echo "Node $(NODE_MINIMUM)+ is needed $(1), not $$(node --version)"; exit 1; }
endef

.PHONY: install run test test-fast test-pgbouncer lint format schema chromium typed-client

$(RUNTIME_STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e .
	touch $@

$(DEV_STAMP): $(RUNTIME_STAMP)
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $@

$(ASSETS_STAMP): $(ASSETS)/package.json $(ASSETS)/package-lock.json
	$(call need_node,to install GraphiQL's and Swagger UI's files)
	cd $(ASSETS) && npm ci
	touch $@

$(TYPED_CLIENT_STAMP): $(TYPED_CLIENT)/package.json $(TYPED_CLIENT)/package-lock.json
	$(call need_node,for the typed client)
	cd $(TYPED_CLIENT) && npm ci --no-audit --no-fund
	touch $@

install: $(DEV_STAMP) $(ASSETS_STAMP) $(TYPED_CLIENT_STAMP)

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

# Only what running needs: the package and the browser files, no test tools.
run: $(RUNTIME_STAMP) $(ASSETS_STAMP)
	$(BIN)/todo-api serve --host $(HOST) --port $(PORT)

test: install lint chromium
	$(BIN)/pytest

# The loop while working: unit tests and SQLite, no PostgreSQL, clusters, browsers or Node.
FAST := not postgres and not cluster and not browser and not node and not slow
test-fast: $(DEV_STAMP)
	$(BIN)/pytest -n auto -q -m "$(FAST)"

# The PostgreSQL half of the suite again, with the app behind PgBouncer in transaction mode
# (Neon's pooled endpoint), started and stopped by tests/pgbouncer.py; needs Debian's pgbouncer.
test-pgbouncer: install
	$(BIN)/python -m tests.support.pgbouncer -k "postgresql or test_pgbouncer"

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy api db schema

format: $(DEV_STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

schema: $(RUNTIME_STAMP)
	$(BIN)/todo-api export-schema --output schema.graphql

# Regenerates the typed client's src/gql/ from schema.graphql and its operations; commit the result.
typed-client: $(TYPED_CLIENT_STAMP)
	cd $(TYPED_CLIENT) && node_modules/.bin/graphql-codegen --config codegen.ts
