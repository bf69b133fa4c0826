# One command to run the dashboard, one to run every test. Each creates its own virtual environment.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8501

.PHONY: run test lint typecheck pytest bench assets venv-run venv-dev chromium clean screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Runtime install (marker file so a second `make run` starts at once).
$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@ $(VENV)/.installed-run

# Front-end assets (Leaflet and plugins) from pinned npm packages: served locally, never from a CDN.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

assets: node_modules/.installed

# Debian chromium for the browser tests: installed when missing and we are root.
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; \
	  else \
	    echo "chromium is missing: run 'sudo apt-get install chromium' (browser tests need /usr/bin/chromium)" >&2; exit 1; \
	  fi; \
	fi

run: $(VENV)/.installed-run assets
	$(BIN)/streamlit run streamlit_app.py --server.address 127.0.0.1 --server.port $(PORT) \
	  --server.headless true --browser.gatherUsageStats false

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

pytest: $(VENV)/.installed-dev assets chromium
	$(BIN)/pytest

test: lint typecheck pytest

# Benchmarks (numbers go to docs/benchmarks.md and the README): not timed unit tests.
bench: $(VENV)/.installed-dev assets chromium
	$(BIN)/python bench/bench_derive.py
	$(BIN)/python bench/bench_export.py
	$(BIN)/python bench/bench_dashboard.py
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache
