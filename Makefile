# Northstar: `make demo` to try it, `make test` to check it. Both share `make install`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CHROMIUM ?= /usr/bin/chromium
HOST ?= 127.0.0.1
PORT ?= 8000

OIDC_PROVIDER := tests/oidc_provider

.PHONY: install demo serve test test-sqlite test-postgres lint browser oidc-provider lock clean

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Northstar needs $(PYTHON) (Python 3.11) on PATH."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-virtualenv -r requirements.lock
	$(BIN)/python -m pip install --quiet --require-virtualenv --no-deps -e .
	@touch $@

demo: install
	@$(BIN)/northstar migrate --verbosity 0
	@$(BIN)/northstar demo
	@echo "----------------------------------------------------------------------"
	@echo " Northstar demo: open http://$(HOST):$(PORT) and sign in with"
	@$(BIN)/northstar createuser admin --role admin --demo-password
	@echo "----------------------------------------------------------------------"
	@$(BIN)/northstar serve --host $(HOST) --port $(PORT)

serve: install
	$(BIN)/northstar serve --host $(HOST) --port $(PORT)

# Browser tests drive Debian's Chromium; install it when missing and we are allowed to.
browser:
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Chromium is missing at $(CHROMIUM): install Debian's 'chromium' package (needs root)."; exit 1; fi; \
	fi

# The suite's real OpenID provider (panva's oidc-provider) runs on Node.js; installed from its lock file.
oidc-provider: $(OIDC_PROVIDER)/node_modules/.package-lock.json

$(OIDC_PROVIDER)/node_modules/.package-lock.json: $(OIDC_PROVIDER)/package-lock.json
	@if ! command -v npm >/dev/null; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's nodejs and npm for the single sign-on tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; \
	  else echo "Node.js and npm are missing: the single sign-on tests will be skipped (they fail under CI=true)."; exit 0; fi; \
	fi; \
	cd $(OIDC_PROVIDER) && npm ci --no-audit --no-fund --loglevel=error

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check northstar tests benchmarks manage.py
	$(BIN)/python manage.py makemigrations --check --dry-run --settings=tests.settings

test: install browser oidc-provider lint
	@bash scripts/test.sh

# Re-resolve the pinned versions (run after changing dependencies in pyproject.toml).
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet -e '.[dev]'
	.lock-venv/bin/pip freeze --exclude-editable | grep -v '^-e ' > requirements.lock
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) var test-output $(OIDC_PROVIDER)/node_modules
