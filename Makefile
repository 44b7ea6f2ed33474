# Two commands on a fresh machine: `make run` and `make test`. Both bootstrap .venv from nothing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

HOST ?= 127.0.0.1
PORT ?= 8080
POLICY ?= policies/default.toml
DATA ?= data

NODE_STAMP := tests/browser/node_modules/.installed

.PHONY: run test bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/privacy-gateway serve --policy $(POLICY) --data-dir $(DATA) --host $(HOST) --port $(PORT)

# The vendors' browser SDKs, pinned by package-lock.json, for the headless-Chromium tests. Without npm the browser tests
# say they are skipped (and fail under CI).
$(NODE_STAMP): tests/browser/package.json tests/browser/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		cd tests/browser && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.installed; \
	else echo "npm not found: the browser tests will be skipped"; fi

test: $(STAMP) $(NODE_STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python bench/ingest_segment.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis tests/browser/node_modules
