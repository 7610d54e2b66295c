# The two commands of the README: `make run` and `make test`. Everything installs itself.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint format bench bench-load install messages check-deploy

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Start the console with demo data on embedded defaults (SQLite, file broker, simulator).
run: install
	$(PY) manage.py compilemessages -v 0 --ignore '.venv/*'
	$(PY) -m webexcommerce.launcher

## Run the whole suite against PostgreSQL and Redis (127.0.0.1 unless the environment says).
test: install
	$(PY) manage.py compilemessages -v 0 --ignore '.venv/*'
	DJANGO_SETTINGS_MODULE=webexcommerce.settings.test $(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DJANGO_SETTINGS_MODULE=webexcommerce.settings.test $(PY) manage.py makemigrations --check --dry-run

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

messages: install
	$(PY) manage.py makemessages -l fr --ignore '.venv/*' --ignore 'var/*' --no-obsolete
	$(PY) manage.py compilemessages -v 0 --ignore '.venv/*'

check-deploy: install
	DJANGO_SETTINGS_MODULE=webexcommerce.settings.production \
	SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(64))') \
	FIELD_ENCRYPTION_KEYS=$$($(PY) -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())') \
	$(PY) manage.py check --deploy --fail-level WARNING

bench: install
	$(PY) manage.py bench $(BENCH_ARGS)

## The payment page under load (Locust, gunicorn, PostgreSQL, the simulator; 127.0.0.1 only).
bench-load: install
	$(PY) manage.py bench_load $(BENCH_LOAD_ARGS)
