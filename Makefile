# The two commands of the README: `make demo` and `make test`. Each builds .venv first.
# `make test`: formatting, lint, the import contracts (pyproject.toml), then the tests, in one
# process per core (at most four; each has its own databases and Redis database).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Every dependency at the version CI, the demo and production run, with its hashes.
LOCK := requirements.lock
# The tool that writes the lock (installed into .venv by `make lock` only).
UV_VERSION := 0.13.8

.PHONY: demo test lint bench install lock migration catalogs tools browser

# The locked versions (pip checks every file against its hashes), then sanduku itself.
$(BIN)/.installed: pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

install: $(BIN)/.installed

# After changing a dependency in pyproject.toml: pin every package (the test extra
# included) for any platform, keeping the pins that still fit, then reinstall.
# `make lock LOCK_FLAGS=--upgrade` moves every pin to its newest allowed release.
LOCK_FLAGS ?=
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet uv==$(UV_VERSION)
	$(BIN)/uv pip compile pyproject.toml --extra test --generate-hashes --universal \
		--python-version 3.11 --custom-compile-command "make lock" $(LOCK_FLAGS) --quiet -o $(LOCK)
	$(MAKE) install

demo: install
	$(BIN)/sanduku demo

# The console's browser tests drive Debian's chromium through chromium-driver: installed here
# when missing and run as root; otherwise this says how, and stops (the tests never skip).
browser:
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing chromium and chromium-driver for the console's browser tests"; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null \
		|| { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; }; \
	else \
		echo "The console's browser tests need Debian's chromium and chromium-driver." >&2; \
		echo "Install them as root:  sudo apt-get install -y chromium chromium-driver" >&2; \
		exit 1; \
	fi

test: install browser
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -n auto --maxprocesses=4

lint: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	$(BIN)/python -m bench

# A schema change is a new revision after the released ones, which are frozen (their hashes
# are in ledger/migrations/released.sha256 and a test holds them to it):
# `make migration NAME=loan_photos` writes ledger/migrations/versions/0004_loan_photos.py from
# the models (upgrade and downgrade); read it, fix what autogenerate cannot see, test it.
migration: install
	@test -n "$(NAME)" || { echo "usage: make migration NAME=what_changes"; exit 2; }
	f=$$($(BIN)/python -c "import sys; from ledger import schema; print(schema.new_revision(sys.argv[1]))" "$(NAME)" | tail -n 1) \
		&& $(BIN)/ruff format "$$f" >/dev/null && echo "$$f"

# Catalogs: the words of the code into locales/messages.pot, then into every language's catalog
# (new words empty, changed ones marked fuzzy). Translate those, then `make test`.
catalogs: install
	$(BIN)/pybabel -q extract
	$(BIN)/pybabel -q update

# Tools the tests use when they are there: nginx (`nginx -t` on deploy/'s site), Debian's
# package, installed when missing and this runs as root with apt-get (CI: .ci/run).
tools:
	@command -v nginx >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  { DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nginx-light >/dev/null 2>&1 || \
	    { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y \
	      --no-install-recommends nginx >/dev/null; }; }; } || \
	  echo "nginx is not installed: tests/ops/test_deploy_files.py skips nginx -t"
