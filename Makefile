# The two commands: `make run` (the whole system, embedded, no services) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test venv lint bench clean

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

clean:
	rm -rf var .pytest_cache
