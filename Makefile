# Northstar: `make demo` to try it, `make test` to check it. Both share `make install`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CHROMIUM ?= /usr/bin/chromium
HOST ?= 127.0.0.1
PORT ?= 8000

OIDC_PROVIDER := tests/oidc_provider

.PHONY: install assets demo serve test test-sqlite test-postgres lint browser oidc-provider lock clean

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Northstar needs $(PYTHON) (Python 3.11) on PATH."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-virtualenv -r requirements.lock
	$(BIN)/python -m pip install --quiet --require-virtualenv --no-deps -e .
	@$(MAKE) --no-print-directory assets
	@touch $@

# plotly.js's partial bundle (the traces Northstar draws), from npm, at the plotly.js version the plotly
# Python package ships; chart pages fall back to that package's full bundle when npm is not there.
PLOTLY_JS = $$($(BIN)/python -c "import plotly.offline; print(plotly.offline.get_plotlyjs_version())")
assets:
	@if command -v npm >/dev/null; then \
	  npm install --silent --no-save --no-audit --no-fund --prefix $(VENV)/share/northstar \
	    plotly.js-basic-dist-min@$(PLOTLY_JS); \
	else echo "npm is missing: chart pages will load the full plotly.js bundle."; fi

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

# Browser tests drive Debian's Chromium; the report tests convert PPTX with LibreOffice and read PDFs
# with poppler; WeasyPrint needs Pango; CJK names need Noto CJK. Install what is missing when allowed.
SYSTEM_PACKAGES := chromium libreoffice-impress poppler-utils libpango-1.0-0 libpangoft2-1.0-0 \
	libharfbuzz-subset0 fonts-dejavu-core fonts-noto-cjk
browser:
	@missing=""; \
	[ -x $(CHROMIUM) ] || missing="$$missing chromium"; \
	command -v soffice >/dev/null || missing="$$missing libreoffice-impress"; \
	command -v pdftotext >/dev/null || missing="$$missing poppler-utils"; \
	fc-list 2>/dev/null | grep -q "Noto Sans CJK" || missing="$$missing fonts-noto-cjk"; \
	ldconfig -p 2>/dev/null | grep -q libpangoft2 || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	ldconfig -p 2>/dev/null | grep -q libharfbuzz-subset || missing="$$missing libharfbuzz-subset0"; \
	fc-list 2>/dev/null | grep -q "DejaVu Sans" || missing="$$missing fonts-dejavu-core"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's$$missing for the browser and report tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else echo "Missing:$$missing. Install these Debian packages (needs root): $(SYSTEM_PACKAGES)"; exit 1; fi; \
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
	$(BIN)/mypy northstar
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
