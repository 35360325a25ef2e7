# Two commands on a fresh machine with Python 3.11+:  `make run`  and  `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# axe-core for the dashboard's accessibility tests, pinned in tests/dashboard/axe/package-lock.json
AXE_DIR := tests/dashboard/axe
AXE     := $(AXE_DIR)/node_modules/axe-core/axe.min.js

.PHONY: run test install lint bench screenshots clean

$(STAMP): pyproject.toml requirements.lock requirements-dev.lock build-constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet "pip==26.3"
	$(BIN)/python -m pip install --quiet --build-constraint build-constraints.txt \
		-r requirements.lock -c requirements-dev.lock -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# without npm the accessibility tests skip locally (and fail under CI=true)
$(AXE): $(AXE_DIR)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		cd $(AXE_DIR) && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/axe-core/axe.min.js; \
	else echo "npm not found: the accessibility tests (axe-core) will be skipped"; fi

## run: start the service on its embedded defaults (./watch, ./data, dashboard on :8000)
run: $(STAMP)
	mkdir -p watch data
	MALLOC_ARENA_MAX=2 $(BIN)/emby-processor run

## test: the whole test suite (browser tests need Debian's chromium at /usr/bin/chromium, the
## accessibility tests npm for axe-core)
test: $(STAMP) $(AXE)
	$(BIN)/python -m pytest -q

## lint: ruff, mypy (strict), the import contracts of pyproject.toml, module and function sizes
lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python scripts/check_sizes.py src

## bench: every benchmark in benchmarks/, one table of figures (BENCH_ARGS=--quick for small sizes)
bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py $(BENCH_ARGS)

## screenshots: regenerate the README's dashboard screenshots
screenshots: $(STAMP)
	$(BIN)/python -m pytest -q tests/dashboard -k screenshots --screenshots

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
