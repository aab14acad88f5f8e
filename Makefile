# The SCN Portal's commands. `make run` and `make test` work on a fresh clone.
SHELL := /bin/bash
PORT ?= 8000
# PostgreSQL for the test suite: the local server unless TEST_DATABASE_URL says otherwise.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/scn_portal
SQLITE_TEST_URL := sqlite:///$(CURDIR)/.test-db.sqlite3

# uv: the one on PATH if it works, else a private copy installed into .tools/ with pip.
ifeq ($(shell uv --version >/dev/null 2>&1 && echo ok),ok)
UV := uv
else
UV := $(CURDIR)/.tools/bin/uv
endif
# Never download an interpreter: use the Python 3.13 named by .python-version.
export UV_PYTHON_DOWNLOADS := never
PY := $(CURDIR)/.venv/bin/python
LOCAL := DJANGO_DEBUG=true

.PHONY: install run otp test test-postgres test-sqlite lint format migrations demo backup restore clean bench

$(CURDIR)/.tools/bin/uv:
	python3 -m venv $(CURDIR)/.tools
	$(CURDIR)/.tools/bin/pip install --quiet --disable-pip-version-check uv

install: $(filter $(CURDIR)/.tools/bin/uv,$(UV))
	@$(UV) sync --frozen --quiet
	@if [ -d locale ]; then $(LOCAL) $(PY) manage.py compilemessages --ignore=.venv --ignore=.tools -v0; fi

## make run: install, migrate, load the demo data and users, serve on 127.0.0.1:$(PORT) and
## run the background worker (large exports) beside the server
run: install
	$(LOCAL) $(PY) manage.py migrate --noinput
	$(LOCAL) $(PY) manage.py load_demo --with-users
	@echo "Serving the SCN Portal on http://127.0.0.1:$(PORT)/ (admin: /admin/), with its background worker"
	@$(LOCAL) $(PY) manage.py db_worker --no-startup-delay & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(LOCAL) PORTAL_BASE_URL=http://127.0.0.1:$(PORT) $(PY) manage.py runserver 127.0.0.1:$(PORT)

## make otp USER=demo.staff: the demo user's current two-factor code (local mode only)
otp: install
	@$(LOCAL) $(PY) manage.py demo_otp_code $(USER)

## make backup: a consistent copy of the database (DATABASE_URL) in backups/
backup: install
	$(LOCAL) $(PY) manage.py backup_db --verify

## make restore FILE=backups/scn-….dump: replace the database with a backup (asks first)
restore: install
	@if [ -z "$(FILE)" ]; then \
	  echo "usage: make restore FILE=backups/scn-YYYYmmdd-HHMMSS.dump (PostgreSQL) or .sqlite3 (SQLite)" >&2; \
	  exit 2; \
	fi
	$(LOCAL) $(PY) manage.py restore_db "$(FILE)"

## make test: the whole suite against PostgreSQL, then again against SQLite
test: install
	$(MAKE) --no-print-directory test-postgres test-sqlite

test-postgres:
	@echo "== test suite on PostgreSQL ($(TEST_DATABASE_URL))"
	DATABASE_URL=$(TEST_DATABASE_URL) $(PY) -m pytest -p no:cacheprovider $(PYTEST_ARGS)

test-sqlite:
	@echo "== test suite on SQLite"
	DATABASE_URL=$(SQLITE_TEST_URL) $(PY) -m pytest -p no:cacheprovider $(PYTEST_ARGS)

## make bench: page server times at scale (BENCH_SCALE, default 1) beside Django admin and the
## SQL floor, and the export speeds, on a scratch PostgreSQL database (BENCH_DATABASE_URL)
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/scn_bench_scale
BENCH_SCALE ?= 1
bench: install
	@psql "$(BENCH_DATABASE_URL)" -c 'select 1' >/dev/null 2>&1 || \
	  psql "$(dir $(BENCH_DATABASE_URL))postgres" -c 'CREATE DATABASE $(notdir $(BENCH_DATABASE_URL))'
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) BENCH_SCALE=$(BENCH_SCALE) $(PY) bench/pages_bench.py

## make lint: ruff rules and formatting, and no model change without its migration
lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(LOCAL) $(PY) manage.py makemigrations --check --dry-run

format: install
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

migrations: install
	$(LOCAL) $(PY) manage.py makemigrations

clean:
	rm -rf .venv .tools db.sqlite3 .test-db.sqlite3 staticfiles
