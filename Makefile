# Red Engine — the two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DEMO_DB := var/demo.sqlite3
export DJANGO_SETTINGS_MODULE := redengine.settings

.PHONY: setup demo test lint check test-sqlite test-postgres bench messages clean

setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

demo: setup
	mkdir -p var
	DATABASE_URL=sqlite:///$(DEMO_DB) $(PY) manage.py migrate --noinput
	DATABASE_URL=sqlite:///$(DEMO_DB) $(PY) manage.py seed_demo --size city
	DATABASE_URL=sqlite:///$(DEMO_DB) $(PY) manage.py daily
	# The background worker (imports) beside the web server; stopped with it.
	DATABASE_URL=sqlite:///$(DEMO_DB) $(PY) manage.py db_worker --no-reload --interval 0.5 & WORKER=$$!; \
	trap 'kill $$WORKER 2>/dev/null' EXIT INT TERM; \
	DATABASE_URL=sqlite:///$(DEMO_DB) $(PY) manage.py runserver 127.0.0.1:8000

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check: setup
	$(PY) manage.py check --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run

test-sqlite: setup
	$(PY) -m pytest -n 2 -p no:cacheprovider

test-postgres: setup
	$(PY) scripts/with_postgres.py $(PY) -m pytest -n 2 -p no:cacheprovider -m "not browser and not replica and not bench"

test: lint check test-sqlite test-postgres

# Every benchmark on SQLite and PostgreSQL at SCALE of a province (0.01: 10,000 people; 1: 1,000,000).
SCALE ?= 0.01
bench: setup
	$(PY) bench/run.py --scale $(SCALE)

messages: setup
	cd redengine && ../$(PY) ../manage.py makemessages -l zh_Hans --no-obsolete --no-location && ../$(PY) ../manage.py compilemessages -l zh_Hans

clean:
	rm -rf $(VENV) node_modules var
