# The two commands: `make run` and `make test`. Everything else is a helper of theirs.
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_ARGS ?= -n 2

.PHONY: run test lint bench clean

$(VENV)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e .
	touch $@

$(VENV)/.test-installed: $(VENV)/.installed
	$(PIP) install -q -e '.[test]'
	touch $@

run: $(VENV)/.installed
	$(PY) manage.py migrate
	$(PY) manage.py run --host $(HOST) --port $(PORT)

test: $(VENV)/.test-installed
	$(VENV)/bin/ruff check .
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.test-installed
	$(VENV)/bin/ruff check .

$(VENV)/.bench-installed: $(VENV)/.installed
	$(PIP) install -q -e '.[bench]'
	touch $@

# Benchmark (see bench/run.py): BENCH_ARGS="--quick" for a short run, "--database-url postgresql://..." for PostgreSQL.
bench: $(VENV)/.bench-installed
	$(PY) -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
