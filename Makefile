# The two commands: `make run` and `make test`. Each does all of its own set-up.
PYTHON ?= python3
UV = $(PYTHON) -m uv
VENV = .venv
FLASK = $(VENV)/bin/flask --app wsgi
PYTEST = $(VENV)/bin/python -m pytest
PG_TEST_URL = postgresql+psycopg://127.0.0.1:5432/test

.PHONY: run test setup install assets database test-sqlite test-postgresql clean

## Serve the demo on http://127.0.0.1:5000
run: setup
	@echo "Serving on http://127.0.0.1:5000 (Ctrl+C to stop)"
	SESSION_COOKIE_SECURE=0 TWO_FACTOR_ROLES=$${TWO_FACTOR_ROLES-} $(FLASK) run --host 127.0.0.1 --port 5000

## Run the whole suite on SQLite, then on PostgreSQL when a server answers at 127.0.0.1:5432
test: setup
	$(MAKE) --no-print-directory test-sqlite
	@if $(VENV)/bin/python -c "import psycopg; psycopg.connect('host=127.0.0.1 port=5432 dbname=test', connect_timeout=3).close()" 2>/dev/null; then \
		$(MAKE) --no-print-directory test-postgresql; \
	else \
		echo "No PostgreSQL at 127.0.0.1:5432 (database test): skipped the PostgreSQL run."; \
	fi

test-sqlite:
	@echo "== Test suite on SQLite =="
	env -u TEST_DATABASE_URL $(PYTEST) $(PYTEST_ARGS)

# The browser journeys (tests/e2e) run once, in the SQLite pass: they test pages and flows, and the rest
# of the suite covers the database's behaviour on both. Running them twice took CI past 15 minutes.
test-postgresql:
	@echo "== Test suite on PostgreSQL (without the browser journeys, which ran on SQLite) =="
	TEST_DATABASE_URL=$(PG_TEST_URL) $(PYTEST) --ignore=tests/e2e $(PYTEST_ARGS)

setup: install assets database

## Python dependencies, exactly as locked
install:
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	$(UV) sync --frozen --python $(PYTHON)

## GOV.UK Frontend and the service's stylesheets (npm, exactly as locked)
assets:
	npm ci --no-audit --no-fund --loglevel=error
	npm run --silent build

## Instance secret (created on first use), issuer keys, migrations, the KSS framework, demo data
database:
	@mkdir -p instance
	$(FLASK) keys init
	$(FLASK) db-upgrade
	$(FLASK) bank import
	$(FLASK) seed-demo

clean:
	rm -rf $(VENV) node_modules app/static/dist instance
