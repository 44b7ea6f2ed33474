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
UI_ASSETS := gateway/ui/static/vendor/.installed

.PHONY: run test bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP) $(UI_ASSETS)
	$(BIN)/privacy-gateway serve --policy $(POLICY) --data-dir $(DATA) --host $(HOST) --port $(PORT)

# The vendors' browser SDKs, pinned by package-lock.json, for the headless-Chromium tests. Without npm the browser tests
# say they are skipped (and fail under CI).
$(NODE_STAMP): tests/browser/package.json tests/browser/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		cd tests/browser && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.installed; \
	else echo "npm not found: the browser tests will be skipped"; fi

# The web UI's replay player (rrweb-player), pinned by gateway/ui/package-lock.json, copied into the git-ignored
# gateway/ui/static/vendor. Without npm the gateway still serves the UI, and the session page says the player is missing.
$(UI_ASSETS): gateway/ui/package.json gateway/ui/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		cd gateway/ui && npm ci --no-audit --no-fund --loglevel=error && \
		rm -rf static/vendor && mkdir -p static/vendor/rrweb-player && \
		cp node_modules/rrweb-player/umd/rrweb-player.min.js node_modules/rrweb-player/dist/style.css \
			static/vendor/rrweb-player/ && \
		touch static/vendor/.installed; \
	else echo "npm not found: the web UI will run without its replay player"; fi

test: $(STAMP) $(NODE_STAMP) $(UI_ASSETS)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	for b in ingest_segment protocols pipeline_consent scrub pii_leaks replay_store detect detect_eval; do \
		echo "== bench/$$b.py"; $(BIN)/python bench/$$b.py || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis tests/browser/node_modules gateway/ui/node_modules gateway/ui/static/vendor
