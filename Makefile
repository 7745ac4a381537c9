# The two set-up commands are `make run` and `make test`; everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
INDEX ?= var/index
CORPUS ?= corpus
# `make run PORT=7861 HOST=0.0.0.0` (off loopback, cited asks for --auth: CITED_AUTH=user:pw)
PORT ?= 7860
HOST ?= 127.0.0.1
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: run test install index browser lint format bench clean

run: install index
	@echo "cited: [3/3] starting the web UI (loading the model and the index; Ctrl-C stops it)"
	@$(BIN)/cited serve --corpus $(CORPUS) --index $(INDEX) --host $(HOST) --port $(PORT)

test: install browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy ingest index assistant
	$(BIN)/python -m pytest

install: $(STAMP)

# torch goes in first, alone: pip then takes the local CPU wheel instead of pulling
# the newest torch with several GB of CUDA packages.
# Each group says what it installs, and pip shows its own download progress.
PIP := $(BIN)/python -m pip install --progress-bar on --disable-pip-version-check
$(STAMP): pyproject.toml
	@echo "cited: [1/3] installing into $(VENV) (first time: several minutes, ~1.5 GB)"
	@test -x $(BIN)/python || { echo "cited:   creating the virtualenv $(VENV)"; $(PYTHON) -m venv $(VENV); }
	@echo "cited:   pip itself"
	@$(PIP) --quiet --upgrade pip
	@echo "cited:   torch (CPU wheel, ~200 MB)"
	@$(PIP) torch==2.13.0
	@echo "cited:   cited and its libraries (gradio, faiss, sentence-transformers, ray, test tools)"
	@$(PIP) -e '.[test,ray]'
	@touch $(STAMP)

# Incremental: builds a missing index, catches up with the corpus (0.5 s when nothing
# changed) and rebuilds an index in an older format instead of refusing to serve it.
index: install
	@echo "cited: [2/3] building the index of $(CORPUS)/ in $(INDEX)/ (first time ~30 s; then only what changed)"
	@$(BIN)/cited ingest --corpus $(CORPUS) --index $(INDEX)

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
