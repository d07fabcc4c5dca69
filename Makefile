# chatty — the targets a newcomer can guess. `make run` and `make test` are all you need.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
FRONTEND_SRC := $(shell find frontend/src frontend/public -type f 2>/dev/null) \
	frontend/index.html frontend/package.json frontend/vite.config.ts
PYTEST_ARGS ?=
# Test processes (pytest-xdist): the tests mostly wait on servers and subprocesses, so more
# workers than cores pays (README "Development"). Each file stays on one worker
# (its module fixtures — a private Redis, the bench smoke run — are made once). Files are handed
# out in collection order, which tests/conftest.py sorts longest first (`pytest.mark.seconds`).
PYTEST_WORKERS ?= 4
XDIST := -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder

.PHONY: help install run gateway worker migrate frontend services browser test test-all test-python \
	test-unit test-frontend test-browser lint format migrations screenshots clean

help:
	@echo "make run      start chatty (embedded: SQLite + in-process queue) on http://127.0.0.1:8080"
	@echo "make test     lint + the whole test suite (starts PostgreSQL and Redis if needed)"
	@echo "make test-unit  the unit tier alone: no database, no Redis, seconds"
	@echo "make lint     ruff + mypy --strict"
	@echo "make migrations NAME=...  generate migrations for PostgreSQL and SQLite from the models"
	@echo "make screenshots  regenerate docs/screenshots/ (the browser e2e at desktop and phone widths)"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

frontend/node_modules/.package-lock.json: frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	touch $@

# Built only when a source is newer than the build; no build output is committed.
frontend/dist/index.html: frontend/node_modules/.package-lock.json $(FRONTEND_SRC)
	cd frontend && npm run build

frontend: frontend/dist/index.html

run: install frontend
	$(BIN)/chatty run --host $${HOST:-127.0.0.1} --port $${PORT:-8080}

gateway: install frontend
	$(BIN)/chatty gateway --host $${HOST:-127.0.0.1} --port $${PORT:-8080}

worker: install
	$(BIN)/chatty worker

migrate: install
	$(BIN)/chatty migrate

migrations: install services
	$(BIN)/python -m backend.infra.migrations $${NAME:-update}

services:
	@bash scripts/services.sh

tests/e2e/js/node_modules/.package-lock.json: tests/e2e/js/package-lock.json
	cd tests/e2e/js && npm ci --no-audit --no-fund
	touch $@

# Debian's chromium for the browser tests (no browser download by a test tool). Installed when
# missing and we are root; otherwise the browser test skips (and fails under CI=true).
CHROMIUM_PATH ?= /usr/bin/chromium
browser:
	@if [ -x "$(CHROMIUM_PATH)" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "browser: installing Debian's chromium"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq --no-install-recommends chromium; \
	else \
		echo "browser: no chromium at $(CHROMIUM_PATH) (apt-get install chromium, as root)" >&2; \
	fi

lint: install
	$(BIN)/ruff check backend worker chatty tests bench
	$(BIN)/ruff format --check backend worker chatty tests bench
	$(BIN)/mypy

test-python: install services frontend browser tests/e2e/js/node_modules/.package-lock.json
	$(BIN)/pytest $(XDIST) $(PYTEST_ARGS)

# No PostgreSQL, no Redis, no processes (tests/unit/conftest.py refuses their fixtures).
test-unit: install
	$(BIN)/pytest tests/unit -q $(PYTEST_ARGS)

# The SPA in chromium against two gateways + a worker, restarted mid-way (part of test-python).
test-browser: install services frontend browser
	$(BIN)/pytest tests/e2e/test_browser_*.py $(PYTEST_ARGS)

# Screenshots for the README: the same browser run, writing its PNGs to docs/screenshots/.
screenshots: install services frontend browser
	rm -f docs/screenshots/*.png
	SCREENSHOT_DIR=$(CURDIR)/docs/screenshots $(BIN)/pytest tests/e2e/test_browser_*.py -q

test-frontend: frontend/node_modules/.package-lock.json
	cd frontend && npm test

# Lint, the SPA's unit tests and pytest at once (one make, so shared prerequisites are built
# once): mypy and vitest use the CPU while the tests wait on their servers.
test:
	@$(MAKE) --no-print-directory -j 3 test-all

test-all: lint test-frontend test-python

format: install
	$(BIN)/ruff check --fix backend worker chatty tests bench
	$(BIN)/ruff format backend worker chatty tests bench

clean:
	rm -rf $(VENV) frontend/node_modules frontend/dist tests/e2e/js/node_modules data

# ---- benchmarks (bench/README.md): not part of `make test`; ~7 minutes on 2 cores ---------
BENCH_ARGS ?=
BENCH_STAMP := $(VENV)/.bench-stamp

$(BENCH_STAMP): pyproject.toml $(STAMP)
	$(BIN)/pip install -q -e '.[dev,bench]'
	touch $(BENCH_STAMP)

bench/loadgen/node_modules/.package-lock.json: bench/loadgen/package-lock.json
	cd bench/loadgen && npm ci --no-audit --no-fund
	touch $@

bench/peer/node/node_modules/.package-lock.json: bench/peer/node/package-lock.json
	cd bench/peer/node && npm ci --no-audit --no-fund
	touch $@

BENCH_DEPS := $(BENCH_STAMP) services bench/loadgen/node_modules/.package-lock.json \
	bench/peer/node/node_modules/.package-lock.json

.PHONY: bench bench-profile

# chatty (2 gateways + 1 worker) against the python and Node relays; results in bench/results/.
bench: $(BENCH_DEPS)
	ulimit -n $$(ulimit -Hn); $(BIN)/python -m bench $(BENCH_ARGS)

# py-spy on a chatty gateway and the worker under the saturation load and the backlog drain.
bench-profile: $(BENCH_DEPS)
	ulimit -n $$(ulimit -Hn); $(BIN)/python -m bench --systems chatty \
		--scenarios throughput,persistence --profile $(BENCH_ARGS)

# 10 minutes of steady traffic with a fault every minute (Redis, PostgreSQL, worker, gateway),
# on a private PostgreSQL and Redis; RSS per process and lost/duplicated counts. Not in CI.
SOAK_ARGS ?=
.PHONY: soak
soak: install
	$(BIN)/python -m bench.soak $(SOAK_ARGS)

# --- containers (docker-compose.yml; docs/operations.md) ------------------------------------------
# `make up PROFILES="--profile logging --profile metrics"` adds Loki + Grafana and Prometheus.
COMPOSE ?= docker compose
PROFILES ?=

.PHONY: up down logs settings-docs events-docs

up:
	@test -f .env || { echo "make up: copy .env.example to .env and set its secrets first" >&2; exit 1; }
	$(COMPOSE) $(PROFILES) up -d --build --wait

down:
	$(COMPOSE) $(PROFILES) down

logs:
	$(COMPOSE) $(PROFILES) logs -f --tail=200

# Rewrites the generated settings tables (README.md, docs/operations.md) from backend/settings/config.py.
settings-docs: install
	$(BIN)/python scripts/settings_docs.py

events-docs: install
	$(BIN)/python scripts/events_docs.py
