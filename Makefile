# Two commands for newcomers: `make demo` (serve the Hậu Giang demo) and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

# First Python >= 3.12 among python3.14, python3.13, python3.12, python3, then pyenv's.
define FIND_PYTHON
for c in python3.14 python3.13 python3.12 python3; do \
  if command -v $$c >/dev/null 2>&1 && $$c -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
    command -v $$c; exit 0; fi; \
done; \
if command -v pyenv >/dev/null 2>&1; then \
  for c in $$(ls -d "$$(pyenv root)"/versions/3.1[2-9]* "$$(pyenv root)"/versions/3.[2-9][0-9]* 2>/dev/null | sort -rV); do \
    if "$$c/bin/python" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
      echo "$$c/bin/python"; exit 0; fi; \
  done; \
fi; \
exit 1
endef

.PHONY: demo test fuzz lint messages bench loadtest smoke-deploy restore-drill clean

# Python writes its bytecode caches (__pycache__/, ignored by git) even where the
# environment says not to: every pytest worker, manage.py command and gunicorn
# worker would otherwise compile the project's modules and rewrite the test files
# again (pytest collection: 13 s of CPU against 7 s with the caches, 2 cores).
unexport PYTHONDONTWRITEBYTECODE

# One pytest-xdist worker more than there are cores: each worker runs its share
# of the browser tests, which leave the CPU idle while Chromium and the live
# server answer, and the extra worker fills that (2 cores: 8 min 50 s with 3
# workers against 10 min 5 s with 2). SQLite test databases are built from the
# models (--nomigrations): applying the migrations costs ~50 s of CPU per
# worker; CI applies them on PostgreSQL.
PYTEST_WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))
PYTEST_FAST := -n $(PYTEST_WORKERS) --dist loadgroup --nomigrations

# uv installs the packages into the virtualenv: about 17 s on 2 cores with an
# empty cache, against pip's 54 s with a full one. It reads the system's CA
# certificates, as pip does (UV_NATIVE_TLS). pip stays in the virtualenv.
UV_RELEASE := uv==0.13.9
UV_INSTALL := UV_NATIVE_TLS=1 $(VENV)/bin/uv pip install --quiet --python $(PY)

$(PY):
	@base=$$( $(FIND_PYTHON) ) || { echo "Error: Python >= 3.12 is required (tried python3.14, python3.13, python3.12, python3 and pyenv). Install Python 3.12 or newer and run make again." >&2; exit 1; }; \
	echo "Using $$base ($$($$base --version))"; \
	"$$base" -m venv $(VENV)

$(VENV)/bin/uv: | $(PY)
	$(PY) -m pip install --quiet $(UV_RELEASE)

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/uv
	$(UV_INSTALL) -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(VENV)/bin/uv
	$(UV_INSTALL) -e '.[dev]'
	@touch $@ $(VENV)/.installed

# DEBUG is off unless DJANGO_DEBUG=1 (config/settings/local.py): visitors see the
# Vietnamese error pages; WhiteNoise serves the static files.
demo: $(VENV)/.installed
	@echo "Creating or updating the database (migrations)…"
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_demo --url http://127.0.0.1:$(PORT)/
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

test: lint
	$(VENV)/bin/pytest $(PYTEST_FAST)

# Hostile input in full: every form fuzzed with 200 examples (CI's profile uses 50), and
# 40 generated whole years instead of the suite's 5.
fuzz: $(VENV)/.installed-dev
	HYPOTHESIS_PROFILE=fuzz $(VENV)/bin/pytest $(PYTEST_FAST) -m fuzz
	GENERATED_YEARS=40 $(VENV)/bin/pytest $(PYTEST_FAST) tests/pledges/test_generated_years.py

# The benchmark: throwaway PostgreSQL, production settings, gunicorn on 127.0.0.1,
# 8 concurrent clients; the table goes to bench-results/ (scripts/bench.sh).
bench: $(VENV)/.installed
	scripts/bench.sh

# Deadline day: locust, 200 officers log in, save results, upload evidence
# and submit (scripts/loadtest.sh; `scripts/loadtest.sh --smoke` is CI's).
loadtest: $(VENV)/.installed-dev
	scripts/loadtest.sh

# The production set-up on loopback: gunicorn (+ nginx when installed), login.
smoke-deploy: $(VENV)/.installed
	scripts/smoke-deploy.sh

# Restore drill: pg_dump -Fc → pg_restore into a scratch database, every table compared.
restore-drill: $(VENV)/.installed
	scripts/restore-drill.sh

# Refresh the catalogues after changing translatable strings (needs GNU gettext).
messages: $(VENV)/.installed-dev
	$(PY) manage.py makemessages -l vi -l en --no-obsolete --ignore=.venv --ignore=static --ignore=tests
	$(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles media
