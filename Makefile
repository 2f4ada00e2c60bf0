# newsrag: `make run` starts the product, `make test` runs every test. Both set themselves up.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 8000
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: help install run test test-fast lint fmt typecheck bench eval model reliability browser redis clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# the CPU build of torch first: an unpinned torch would pull a multi-GB CUDA build
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

install: $(VENV)/.installed ## create .venv and install newsrag with its dev tools

browser: ## install Debian's headless Chromium for the browser tests (needs root)
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null)

redis: ## install Debian's redis-server for the shared-conversation-store tests (needs root)
	@command -v redis-server >/dev/null || (apt-get update -qq && apt-get install -y -qq redis-server >/dev/null)

run: install ## ingest the seed corpus if needed, then serve the API and the UI on $(HOST):$(PORT)
	$(BIN)/newsrag ingest
	$(BIN)/newsrag serve --host $(HOST) --port $(PORT)

test: install browser redis ## run the whole test suite (and the seed question set against eval/floors.json)
	@# pytest exits 5 when it collected no test: that is a failure here, not a pass
	$(BIN)/pytest; rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests collected" >&2; exit 1; fi; exit $$rc

test-fast: install ## the tests that need no Chroma server and no browser
	$(BIN)/pytest -m "not server and not browser and not slow"

lint: install ## ruff and mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

fmt: install ## format the code
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

eval: install ## score the seed question set (report under reports/eval)
	$(BIN)/newsrag eval --questions eval/questions/seed.jsonl --out reports/eval

bench: install ## performance figures side by side with the baseline (report under reports/bench)
	$(BIN)/newsrag bench --out reports/bench

model: install ## retrain the passage ranker, the answer selector and the sentence reader on ../shared/train/rtqa (ask/data/, with cards)
	$(BIN)/newsrag train ranker --data ../shared/train/rtqa
	$(BIN)/newsrag train selector --data ../shared/train/rtqa
	$(BIN)/newsrag train reader --data ../shared/train/rtqa

reliability: install ## the long load, soak and fault scenarios (docs/reliability.md)
	$(BIN)/pytest -m reliability tests/reliability

clean: ## remove the virtual environment, the index and reports
	rm -rf $(VENV) .newsrag reports
