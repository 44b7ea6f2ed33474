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

.PHONY: run lint test bench load clean compiled

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP) compiled $(UI_ASSETS)
	$(BIN)/privacy-gateway serve --policy $(POLICY) --data-dir $(DATA) --host $(HOST) --port $(PORT)

# The modules listed under [tool.privacy-gateway] compiled in pyproject.toml, compiled into C extensions by mypyc
# (ships in the mypy wheel; needs gcc and the Python headers). build_compiled.py rebuilds only when a listed module or a
# module it imports changed, and otherwise says they are up to date (well under a second); policies/compiled.py runs
# the Python sources instead of extensions that are stale (PRIVACY_GATEWAY_COMPILED=require makes that an error).
compiled: $(STAMP)
	$(BIN)/python build_compiled.py

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

# The gates, run before the suite by `make test` (and so by CI); each fails the build on a violation:
# - ruff: the rule set in pyproject.toml, over all Python in the repo;
# - complexity: no function in the packages above cyclomatic complexity 20 as radon counts it (.ci/complexity.py);
# - mypy: gateway, replay and policies at the strictness in pyproject.toml;
# - import-linter: the layering contracts in pyproject.toml (gateway -> replay -> policies, never back);
# - duplicates (a workplace tool, not on users' machines: skipped with a message where it is missing): fails on
#   identical runs of 12 or more lines where both places are in gateway/, replay/ or policies/. Same-shape runs
#   (alike but for names and values) and repeats inside tests/ and bench/ are listed by the tool, not failed on.
LINT_PATHS := gateway replay policies tests bench fixtures build_compiled.py
DUPLICATE_MIN_LINES := 12

lint: $(STAMP)
	$(BIN)/ruff check $(LINT_PATHS) .ci
	$(BIN)/python .ci/complexity.py
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	@if command -v duplicates >/dev/null 2>&1; then \
		found=$$(duplicates --min-lines $(DUPLICATE_MIN_LINES) --most 200 --seconds 120 \
			| grep -E '^D[0-9]+ (gateway|replay|policies)/[^ ]+ ~ (gateway|replay|policies)/' | grep -v ' shape' || true); \
		if [ -n "$$found" ]; then \
			echo "duplicates: identical runs of $(DUPLICATE_MIN_LINES)+ lines in the packages; make one piece serve both:"; \
			echo "$$found"; exit 1; \
		fi; \
		echo "duplicates: no identical run of $(DUPLICATE_MIN_LINES)+ lines in gateway/, replay/, policies/"; \
	else echo "duplicates: not installed here (a workplace tool): skipped"; fi

test: lint compiled $(NODE_STAMP) $(UI_ASSETS)
	$(BIN)/python -m pytest

bench: $(STAMP) compiled
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	for b in ingest_segment protocols pipeline_consent pipeline_steps observability plan_cost plan_validation scrub pii_leaks replay_store detect detect_eval slow_vendor; do \
		echo "== bench/$$b.py"; $(BIN)/python bench/$$b.py || exit 1; done

# The gateway under concurrent load beside a minimal app (bench/load.py); wrk, the load generator, comes from Debian.
load: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	command -v wrk >/dev/null 2>&1 || (apt-get install -y wrk || sudo apt-get install -y wrk)
	$(BIN)/python bench/load.py $(LOAD_ARGS)

clean:
	rm -rf build $(VENV) .pytest_cache .hypothesis .mypy_cache .ruff_cache .import_linter_cache tests/browser/node_modules gateway/ui/node_modules gateway/ui/static/vendor
	find gateway replay policies -name '*.so' -delete
	rm -f privacy_gateway__mypyc*.so
