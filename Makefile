# The two commands: `make run` (the whole system, embedded, no services) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test venv lint bench clean ctk

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# the editable install's note about same-named folders in the working directory is what we intend
	PYTHONWARNINGS='ignore:Editable installation' $(BIN)/pip install -q -e '.[test]'
	touch $@

venv: $(BIN)/.installed

run: venv
	$(BIN)/python manage.py run_embedded $(ARGS)

test: venv
	$(BIN)/pytest

lint: venv
	$(BIN)/ruff check .
	$(BIN)/lint-imports

# Against a throw-away PostgreSQL database (created if missing); wrk drives the API load (apt-get install wrk).
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/bss_bench
bench: venv
	createdb -h 127.0.0.1 -U postgres bss_bench 2>/dev/null || true
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python bench/run.py $(ARGS)

# The official TM Forum CTKs (newman, unmodified kits from ../shared/tmf/ctk) against a live test server,
# through the token-adding proxy that stands in for an integrator's API gateway (docs/ctk.md).
node_modules/.installed: package-lock.json
	npm ci --no-audit --no-fund
	touch $@

ctk: venv node_modules/.installed
	BSS_REQUIRE_CTK=1 $(BIN)/pytest tests/ctk -s $(ARGS)

clean:
	rm -rf var .pytest_cache
