# The two commands of the README's quickstart: `make demo` and `make test`.
# Each sets up its own virtual environment on first use.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-unit test-sqlite test-postgres lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/pioneer demo $(DEMO_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The domain and the use cases on in-memory fakes: no database, a few seconds.
test-unit: $(STAMP)
	$(BIN)/pytest -q tests/unit

test-sqlite: $(STAMP)
	$(BIN)/pytest -q

test-postgres: $(STAMP)
	PATH="$(abspath $(BIN)):$$PATH" scripts/with-postgres $(BIN)/pytest -q

# Lint, then the whole suite on SQLite and on a real PostgreSQL side by side (a core each);
# each suite's output is printed whole once it ends, so they do not interleave.
test: lint
	$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
