# The two commands a new user needs:
#   make run    set everything up and serve the API on SQLite (http://127.0.0.1:5000)
#   make test   set everything up and run the whole test suite (SQLite, PostgreSQL, the real stack)
SHELL := /bin/bash
VENV ?= .venv
BIN := $(VENV)/bin
PYTHON ?= python3

.PHONY: bench setup system-deps node-deps services run test lint audit fuzz-long lock postman clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

system-deps:
	bash scripts/install-system-deps.sh

node-deps:
	bash scripts/install-node-deps.sh

services:
	bash scripts/start-services.sh

run: setup
	$(BIN)/stores-api db upgrade
	$(BIN)/stores-api run

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# pip-audit of the locked dependencies: fails on a known vulnerability (see SECURITY.md).
audit: setup
	$(BIN)/python scripts/audit-dependencies.py requirements.lock

test: setup system-deps node-deps services lint audit
	$(BIN)/pytest

# A longer schemathesis campaign than CI's (2000 examples per operation, about 10x as long).
fuzz-long: setup services
	STORES_API_FUZZ_EXAMPLES=2000 $(BIN)/pytest tests/security/test_fuzz.py

# Re-pin the dependencies after changing pyproject.toml.
lock: setup
	$(BIN)/pip install --quiet uv
	$(BIN)/uv pip compile --quiet --python-version 3.11 --extra server pyproject.toml -o requirements.lock
	$(BIN)/uv pip compile --quiet --python-version 3.11 --extra dev pyproject.toml -o requirements-dev.lock

# Regenerate docs/postman/ (collection + environment) from the app's OpenAPI spec.
postman: setup node-deps
	$(BIN)/stores-api openapi write --format json docs/postman/openapi.json
	node docs/postman/generate.mjs docs/postman/openapi.json docs/postman
	rm docs/postman/openapi.json

# The benchmark (bench/run.py; about 12 minutes): our app vs a ceiling app under uwsgi.ini, wrk on
# loopback, SQLite and PostgreSQL, 3 data sizes. Results: bench/results/. Not part of `make test`.
bench: setup system-deps services
	$(BIN)/pip install --quiet -e ".[bench]"
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) instance .pytest_cache node_modules
