# Partner Portal — `make run` runs the portal with a demo world; `make test` runs every test.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
BENCH_STAMP := $(VENV)/.installed-bench
SERVICES := set -a; . .local/services.env; set +a;
PYTEST_WORKERS ?= 2

.PHONY: run test lint services venv dev browser migrate seed bench clean

# What `make run` needs (runtime packages only); tests add the dev extra. uv when available
# (or bootstrapped with pip), pip as the fallback: scripts/install.sh.
$(STAMP): pyproject.toml
	PYTHON=$(PYTHON) scripts/install.sh .
	touch $(STAMP)

$(DEV_STAMP): $(STAMP)
	PYTHON=$(PYTHON) scripts/install.sh ".[dev]"
	touch $(DEV_STAMP)

$(BENCH_STAMP): $(STAMP)
	PYTHON=$(PYTHON) scripts/install.sh ".[bench]"
	touch $(BENCH_STAMP)

venv: $(STAMP)

dev: $(DEV_STAMP)

services: venv
	$(PY) scripts/services.py
	@mkdir -p .local/staticfiles .local/mail

migrate: services
	$(SERVICES) $(PY) manage.py migrate --noinput

seed: migrate
	$(SERVICES) $(PY) manage.py seed_demo

## make run: the portal with the demo world on http://127.0.0.1:8000 (web + worker + beat)
run: seed
	scripts/run_all.sh

browser:
	@command -v chromium >/dev/null || { echo "[browser] installing Debian's chromium"; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

## make lint: ruff over everything; mypy (django-stubs) over the core, services and selectors
lint: dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

## make test: ruff, then the whole pytest suite (browser tests included) on real Postgres/Redis
test: dev services browser lint
	$(SERVICES) DJANGO_ALLOW_ASYNC_UNSAFE=true $(VENV)/bin/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

## make bench: benchmarks with numbers (bench-results.json); not part of make test
bench: $(BENCH_STAMP) services
	@command -v wrk >/dev/null || { echo "[bench] installing Debian's wrk (load generator)"; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null || true; }
	$(SERVICES) $(PY) -m benchmarks $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .local .pytest_cache .ruff_cache
