# The two commands a fresh machine needs (Python 3.11+ and make): `make generate` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PRISM := .prism/node_modules/.bin/prism
PYTEST_WORKERS ?= 2

.PHONY: generate check lint test bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $@

# Prism validates requests against the spec in the conformance tests; it lives in a git-ignored folder.
$(PRISM):
	npm install --prefix .prism --no-audit --no-fund --loglevel=error @stoplight/prism-cli@5.16.0

generate: $(STAMP)
	$(BIN)/sdkforge generate

check: $(STAMP)
	$(BIN)/sdkforge check

lint: $(STAMP)
	$(BIN)/ruff check generator tests
	$(BIN)/ruff format --check generator tests
	$(BIN)/mypy
	$(BIN)/ruff check --isolated --line-length 120 --target-version py310 --select E,F,W,I,UP,B --ignore E501,UP007,UP013,UP035 generated

test: $(STAMP) $(PRISM) check lint
	SDKFORGE_REQUIRE_PRISM=1 $(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup

# Not part of `test`. Installs openapi-python-client into its own .venv-bench/ on first use.
# Quick check: make bench BENCH_ARGS='--runs 1 --out /tmp/bench.md'
bench: $(STAMP)
	$(BIN)/python -m tests.bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .prism .pytest_cache .mypy_cache
