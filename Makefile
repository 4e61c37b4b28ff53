# Threadline: `make run` serves the demo shop, `make test` runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt .python-version | cksum | cut -d' ' -f1)
WITH_DB = export DATABASE_URL="$$(scripts/devdb.sh)" &&
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help venv db migrate seed run test test-python test-e2e test-container lint format bench db-stop clean

help:
	@echo "make run             the shop with demo data on http://$(HOST):$(PORT)"
	@echo "make test            lint + every test (PostgreSQL, browser, container)"
	@echo "make test-python     the pytest suite without the container tests"
	@echo "make test-container  only the container build-and-run tests"
	@echo "make lint | format   ruff"
	@echo "make bench           requests/s and latency of the main pages"
	@echo "make db-stop         stop the local PostgreSQL cluster"

$(STAMP): requirements.txt requirements-dev.txt .python-version
	@py=$$(scripts/find-python.sh) && \
	  { [ -x $(PY) ] && $(PY) -c 'import sys; sys.exit(0 if sys.version_info[:2]==(3,12) else 1)' || { rm -rf $(VENV); $$py -m venv $(VENV); }; }
	$(PY) -m pip install --disable-pip-version-check -q -r requirements-dev.txt
	@rm -f $(VENV)/.installed-* && touch $@

venv: $(STAMP)

db: venv
	@scripts/devdb.sh >/dev/null && echo "PostgreSQL: $$(scripts/devdb.sh)"

migrate: db
	@$(WITH_DB) $(PY) manage.py migrate --noinput

seed: migrate
	@$(WITH_DB) if $(PY) manage.py help seed_demo >/dev/null 2>&1; then $(PY) manage.py seed_demo; fi

run: seed
	@echo "Threadline on http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	@$(WITH_DB) exec $(PY) manage.py runserver $(HOST):$(PORT)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

test: lint
	@scripts/system-deps.sh all
	@$(WITH_DB) $(PY) -m pytest $(PYTEST_ARGS)

test-python: lint
	@scripts/system-deps.sh browser
	@$(WITH_DB) $(PY) -m pytest --ignore=tests/deploy $(PYTEST_ARGS)

test-e2e: venv
	@scripts/system-deps.sh browser
	@$(WITH_DB) $(PY) -m pytest tests/e2e $(PYTEST_ARGS)

test-container: venv
	@scripts/system-deps.sh container
	@$(WITH_DB) $(PY) -m pytest tests/deploy $(PYTEST_ARGS)

bench: seed
	@scripts/system-deps.sh bench
	@$(WITH_DB) $(PY) scripts/bench.py

db-stop:
	@scripts/devdb.sh stop

clean: db-stop
	rm -rf $(VENV) .data staticfiles .pytest_cache
