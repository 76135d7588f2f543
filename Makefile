# `make run` and `make test` are the two commands a newcomer needs (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint format schema

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/todo-api serve

test: install lint
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy api db schema

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

schema: install
	$(BIN)/todo-api export-schema --output schema.graphql
