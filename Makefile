# Threadline: `make run` serves the demo shop, `make test` runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements-dev.lock .python-version | cksum | cut -d' ' -f1)
NODE_STAMP := node_modules/.installed-$(shell cat package.json package-lock.json | cksum | cut -d' ' -f1)
WITH_DB = export DATABASE_URL="$$(scripts/devdb.sh)" &&
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help venv node lighthouse lock db migrate seed run test test-python test-fast test-e2e test-container lint typecheck format bench fuzz backup restore db-stop clean

help:
	@echo "make run             the shop with demo data on http://$(HOST):$(PORT)"
	@echo "make test            lint + every test (PostgreSQL, browser, container)"
	@echo "make test-python     the pytest suite without the container tests"
	@echo "make test-fast       the quick local loop: no browser, no container, database reused"
	@echo "make test-e2e        every browser test (-m e2e)"
	@echo "make test-container  only the container build-and-run tests"
	@echo "make lint | format   ruff, djLint (templates), mypy (make typecheck: mypy alone)"
	@echo "make lock            requirements*.txt -> requirements*.lock (exact versions + hashes)"
	@echo "make lighthouse      Lighthouse scores (prod settings) into docs/quality.md"
	@echo "make bench           requests/s and latency of the main pages"
	@echo "make soak            64 shoppers for 60 s on gunicorn with prod settings, PostgreSQL restart, Redis stop, SIGTERM"
	@echo "make fuzz            the hostile-input suite with 400 examples per property and the full URL sweep"
	@echo "make backup          pg_dump (custom format) of DATABASE_URL or the local cluster into backups/"
	@echo "make restore BACKUP=backups/<file>.dump [RESTORE_DATABASE_URL=...]   (docs/backups.md)"
	@echo "make db-stop         stop the local PostgreSQL cluster"

# Installs exactly what the lock says, every file checked against its hash.
$(STAMP): requirements-dev.lock .python-version
	@py=$$(scripts/find-python.sh) && \
	  { [ -x $(PY) ] && $(PY) -c 'import sys; sys.exit(0 if sys.version_info[:2]==(3,12) else 1)' || { rm -rf $(VENV); $$py -m venv $(VENV); }; }
	$(PY) -m pip install --disable-pip-version-check -q --require-hashes --no-deps -r requirements-dev.lock
	@rm -f $(VENV)/.installed-* && touch $@

venv: $(STAMP)

# axe-core for the accessibility tests (npm, pinned in package-lock.json; installed by the project, not by hand).
$(NODE_STAMP): package.json package-lock.json
	@scripts/system-deps.sh node
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	@rm -f node_modules/.installed-* && touch $@

node: $(NODE_STAMP)

# requirements.txt / requirements-dev.txt (edited by people) -> the lock files (generated).
# uv resolves against PyPI alone (no pip.conf, no local wheel folders), for every
# platform, keeping the versions already locked unless an input pin changed: the same
# inputs give the same files. UPGRADE=1 re-resolves the unpinned transitive versions.
UV_COMPILE = $(VENV)/bin/uv pip compile --quiet --no-config --system-certs --universal --python-version 3.12 \
	--generate-hashes --custom-compile-command "make lock" $(if $(UPGRADE),--upgrade)
lock: venv
	$(UV_COMPILE) requirements.txt -o requirements.lock
	$(UV_COMPILE) requirements-dev.txt --constraints requirements.lock -o requirements-dev.lock
	$(UV_COMPILE) deploy/checkov.txt -o deploy/checkov.lock

db: venv
	@scripts/devdb.sh >/dev/null && echo "PostgreSQL: $$(scripts/devdb.sh)"

migrate: db
	@$(WITH_DB) $(PY) manage.py migrate --noinput

seed: migrate
	@$(WITH_DB) $(PY) manage.py seed_demo

# The periodic work (expire_orders, housekeeping) runs beside the server, as compose's
# scheduler service does; it stops with it.
run: seed
	@scripts/system-deps.sh pdf
	@echo "Threadline on http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	@$(WITH_DB) { $(PY) manage.py run_schedule & scheduler=$$!; }; \
	  trap 'kill $$scheduler 2>/dev/null; wait $$scheduler 2>/dev/null' EXIT INT TERM; \
	  $(PY) manage.py runserver $(HOST):$(PORT)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/djlint templates --lint
	$(VENV)/bin/mypy

typecheck: venv
	$(VENV)/bin/mypy

format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

test: lint node
	@scripts/system-deps.sh all
	@$(WITH_DB) scripts/test-all.sh $(PYTEST_ARGS)

test-python: lint node
	@scripts/system-deps.sh browser
	@$(WITH_DB) $(PY) -m pytest --ignore=tests/deploy $(PYTEST_ARGS)

test-fast: venv
	@$(WITH_DB) $(PY) -m pytest --reuse-db -m "not e2e and not container" $(PYTEST_ARGS)

test-e2e: venv node
	@scripts/system-deps.sh browser
	@$(WITH_DB) $(PY) -m pytest -m e2e $(PYTEST_ARGS)

test-container: venv
	@scripts/system-deps.sh container
	@$(WITH_DB) $(PY) -m pytest tests/deploy $(PYTEST_ARGS)

LIGHTHOUSE_VERSION := 13.5.0

# Lighthouse scores under production settings into docs/quality.md (not part of `make test`).
lighthouse: seed
	@scripts/system-deps.sh browser
	@[ -x .lighthouse/node_modules/.bin/lighthouse ] || npm install --prefix .lighthouse --no-audit --no-fund --loglevel=error lighthouse@$(LIGHTHOUSE_VERSION)
	@$(WITH_DB) CHROME_PATH=/usr/bin/chromium $(PY) scripts/lighthouse.py

bench: seed
	@scripts/system-deps.sh bench
	@$(WITH_DB) $(PY) scripts/bench.py

fuzz: venv
	@$(WITH_DB) HYPOTHESIS_PROFILE=fuzz $(PY) -m pytest tests/security $(PYTEST_ARGS)

# Logical backups for compose and single-machine users (COMPOSE=1: through compose's db).
backup:
	@if [ "$(COMPOSE)" = 1 ]; then scripts/db-backup.sh backup $(BACKUP); \
	else $(WITH_DB) scripts/db-backup.sh backup $(BACKUP); fi

restore:
	@test -n "$(BACKUP)" || { echo "usage: make restore BACKUP=backups/<file>.dump [RESTORE_DATABASE_URL=postgres://...]" >&2; exit 2; }
	@if [ "$(COMPOSE)" = 1 ]; then scripts/db-backup.sh restore "$(BACKUP)"; \
	else $(WITH_DB) scripts/db-backup.sh restore "$(BACKUP)" $(RESTORE_DATABASE_URL); fi

soak: venv
	@scripts/system-deps.sh redis
	@$(PY) scripts/soak.py

db-stop:
	@scripts/devdb.sh stop

clean: db-stop
	rm -rf $(VENV) .data staticfiles .pytest_cache node_modules
