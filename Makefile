# The two commands of the README: `make demo` and `make test`. Each builds .venv first.
# `make test`: formatting, lint, the import contracts (pyproject.toml), then the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint bench install migration catalogs

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/.installed

demo: install
	$(BIN)/sanduku demo

test: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	$(BIN)/python -m bench

# Until the first deployment, the schema is one migration, rewritten from the models.
migration: install
	rm -f ledger/migrations/versions/0001_initial.py
	$(BIN)/python -c "import tempfile, pathlib; from ledger.db import make_engine; from ledger import schema; d = tempfile.mkdtemp(); schema.revision(make_engine(f'sqlite:///{d}/m.db'), 'initial schema')"
	cd ledger/migrations/versions && f=$$(ls *_initial_schema.py) && sed -i "s/^revision = '.*'/revision = '0001'/; s/^Revision ID: .*/Revision ID: 0001/" $$f && mv $$f 0001_initial.py
	$(BIN)/ruff format ledger/migrations/versions >/dev/null

# Catalogs: the words of the code into locales/messages.pot, then into every language's catalog
# (new words empty, changed ones marked fuzzy). Translate those, then `make test`.
catalogs: install
	$(BIN)/pybabel -q extract
	$(BIN)/pybabel -q update
