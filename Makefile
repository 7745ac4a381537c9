# The two set-up commands are `make run` and `make test`; everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
INDEX ?= var/index
CORPUS ?= corpus
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: run test install index browser lint format bench clean

run: install index
	$(BIN)/cited serve --corpus $(CORPUS) --index $(INDEX) --host 127.0.0.1 --port 7860

test: install browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

install: $(STAMP)

# torch goes in first, alone: pip then takes the local CPU wheel instead of pulling
# the newest torch with several GB of CUDA packages.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[test,ray]'
	touch $(STAMP)

# Incremental: builds a missing index, catches up with the corpus (0.5 s when nothing
# changed) and rebuilds an index in an older format instead of refusing to serve it.
index: install
	$(BIN)/cited ingest --corpus $(CORPUS) --index $(INDEX)

# Browser tests drive Debian's Chromium; never a downloaded browser build.
browser:
	command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Default sizes finish in about 10-15 min on 2 cores; see docs/benchmarks.md for the flags,
# e.g. make bench BENCH_ARGS="--rebuild-articles 10000 --scale 100000".
BENCH_ARGS ?=
bench: install
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var benchmarks/out
