# Two commands for a fresh clone (see README):
#   make run    install everything, index corpus/, start the assistant on http://127.0.0.1:7860
#   make test   install everything and run the test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 7860
PYTEST_ARGS ?=

.PHONY: install index run test lint bench-retrieval clean

# pip caches the llama-cpp-python wheel it builds (about 4-8 minutes on 2 cores the first time)
$(BIN)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is needed (found " + sys.version.split()[0] + ")")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --progress-bar off -e ".[dev]"
	touch $@

install: $(BIN)/.installed

index: install
	$(BIN)/assistant ingest --index index corpus/

run: index
	$(BIN)/assistant serve --index index --host $(HOST) --port $(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check assistant tests eval
	$(BIN)/ruff format --check assistant tests eval

bench-retrieval: install
	$(BIN)/python eval/bench_retrieval.py

clean:
	rm -rf $(VENV) index/CURRENT index/versions
