# Two commands set everything up: `make run` and `make test`. See README.md.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.installed

# A Python 3.12+: $(PYTHON) if given, else python3.13/python3.12/python3 on the
# PATH when they run and are new enough, else the newest pyenv-installed 3.12+.
define find_python
for candidate in $${PYTHON:-} python3.14 python3.13 python3.12 python3; do \
  [ -n "$$candidate" ] || continue; \
  if "$$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
    command -v "$$candidate" 2>/dev/null || echo "$$candidate"; exit 0; \
  fi; \
  if [ -n "$${PYTHON:-}" ] && [ "$$candidate" = "$${PYTHON:-}" ]; then \
    echo "PYTHON=$$PYTHON is not a working Python 3.12 or newer." >&2; exit 1; \
  fi; \
done; \
root=$$(pyenv root 2>/dev/null || echo "$$HOME/.pyenv"); \
for version in $$(ls "$$root/versions" 2>/dev/null | grep -E '^3\.[0-9]+\.[0-9]+$$' | sort -t. -k2,2nr -k3,3nr); do \
  candidate="$$root/versions/$$version"; \
  if "$$candidate/bin/python" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
    echo "$$candidate/bin/python"; exit 0; \
  fi; \
done; \
echo "No Python 3.12 or newer found: install one (e.g. 'pyenv install 3.12') or run with PYTHON=/path/to/python3.12." >&2; exit 1
endef

.PHONY: help venv install run test test-fast lint format migrate seed editor serve clean quality screenshots messages compilemessages check-messages

# Test processes in parallel (pytest-xdist): one per core; TEST_WORKERS=0 runs them in one.
TEST_WORKERS ?= auto

help:
	@echo "make run       - set up everything and serve the demo library on http://127.0.0.1:$(PORT)/"
	@echo "make serve     - the same library served like production: gunicorn, DEBUG off (see README)"
	@echo "make test      - the whole test suite (SQLite, or DATABASE_URL when set); prints the slowest"
	@echo "make test-fast - the suite without the slow tests (servers, browsers, subprocesses)"
	@echo "make lint      - the pre-commit hooks: ruff, ruff format, django-upgrade, djhtml, import-linter"
	@echo "make format    - apply ruff fixes and formatting"
	@echo "make messages  - gather the interface's strings into locale/*/LC_MESSAGES/django.po"
	@echo "make compilemessages - compile the catalogs (.po) into the .mo files the site reads"
	@echo "make check-messages  - fail when a catalog is out of date or not compiled (CI runs it)"
	@echo "make quality   - Lighthouse (mobile), axe-core and the Nu HTML checker against a live server"
	@echo "make screenshots - desktop and phone screenshots of the main pages (docs/screenshots/after)"

$(PY):
	@python_bin=$$($(find_python)) || exit 1; \
	echo "Creating $(VENV) with $$python_bin ($$($$python_bin --version))"; \
	"$$python_bin" -m venv $(VENV)

$(STAMP): $(PY) requirements.txt requirements-dev.txt
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $(STAMP)

venv install: $(STAMP)

migrate: $(STAMP)
	$(PY) manage.py migrate --no-input

seed: migrate
	$(PY) manage.py seed_demo

editor: migrate
	$(PY) manage.py ensure_editor

run: seed editor
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# Production settings on this machine: DEBUG off, gunicorn (config/gunicorn.conf.py),
# whitenoise serving the compressed, hashed static files. Without SECRET_KEY it uses
# the strong key in .secret_key (created once, ignored by git). It serves plain
# http://127.0.0.1, so the HTTPS-only defaults of DEBUG-off are switched off unless
# set; behind a TLS proxy, set SECURE_SSL_REDIRECT/SECURE_COOKIES/SECURE_HSTS_SECONDS
# (see README). Every variable set in the environment wins.
serve: $(STAMP)
	@set -e; \
	if [ -z "$${SECRET_KEY:-}" ] && [ ! -s .secret_key ]; then \
	  (umask 077 && $(PY) -c 'import secrets; print(secrets.token_urlsafe(50))' > .secret_key); \
	fi; \
	export DEBUG=false SECRET_KEY="$${SECRET_KEY:-$$(cat .secret_key)}" \
	  ALLOWED_HOSTS="$${ALLOWED_HOSTS:-localhost,127.0.0.1,[::1]}" \
	  SECURE_SSL_REDIRECT="$${SECURE_SSL_REDIRECT:-false}" SECURE_COOKIES="$${SECURE_COOKIES:-false}" \
	  SECURE_HSTS_SECONDS="$${SECURE_HSTS_SECONDS:-0}" SERVE_MEDIA="$${SERVE_MEDIA:-true}" \
	  PORT="$(PORT)"; \
	$(PY) manage.py migrate --no-input -v 0; \
	$(PY) manage.py seed_demo; \
	$(PY) manage.py ensure_editor; \
	$(PY) manage.py collectstatic --no-input -v 0; \
	echo "Serving the library with gunicorn on http://$${BIND:-127.0.0.1:$(PORT)}/ (DEBUG off)"; \
	exec $(VENV)/bin/gunicorn --config config/gunicorn.conf.py config.wsgi

# The tests start dozens of Python processes (gunicorn, manage.py): with PYTHONDONTWRITEBYTECODE
# set, as some containers set it, each would compile the project's modules anew, and pytest
# would rewrite every test module's asserts in each process. Empty, it lets __pycache__ be kept.
test: $(STAMP)
	$(PY) manage.py makemigrations --check --dry-run
	PYTHONDONTWRITEBYTECODE= $(PY) -m pytest -n $(TEST_WORKERS) --durations=15

test-fast: $(STAMP)
	PYTHONDONTWRITEBYTECODE= $(PY) -m pytest -n $(TEST_WORKERS) -m "not slow"

lint: $(STAMP)
	$(VENV)/bin/pre-commit run --all-files --show-diff-on-failure

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Page quality (docs/quality.md): the npm packages pinned in tools/quality, installed once.
QUALITY_TOOLS := tools/quality/node_modules/.installed
$(QUALITY_TOOLS): tools/quality/package.json tools/quality/package-lock.json
	npm ci --prefix tools/quality --no-audit --no-fund --ignore-scripts
	@touch $@

quality: $(STAMP) $(QUALITY_TOOLS)
	$(PY) tools/quality.py

SHOTS ?= docs/screenshots/after
screenshots: $(STAMP)
	$(PY) tools/screenshots.py $(SHOTS)

# The interface's catalogs (README: "Languages"). Both .po and the compiled .mo are committed,
# so `make run` needs no gettext; these targets do (apt-get install gettext).
LOCALES := ru en
MAKEMESSAGES := $(PY) manage.py makemessages --no-obsolete --no-location --ignore=.venv \
	--ignore=staticfiles --ignore=media --ignore=tools --ignore=node_modules --ignore=tests \
	$(addprefix -l ,$(LOCALES))

messages: $(STAMP)
	$(MAKEMESSAGES)

compilemessages: $(STAMP)
	$(PY) manage.py compilemessages --ignore=.venv $(addprefix -l ,$(LOCALES))

check-messages: $(STAMP)
	$(PY) -m books.devtools.check_messages $(LOCALES)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache tools/quality/node_modules
