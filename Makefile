# The two commands of the README: `make demo` (install + ingest the seeds + answer a question)
# and `make test` (install + run the tests). .ci/run calls `make test`.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
SHARED ?= ../shared
QUESTION ?= Wie hoch sind die zusätzlichen Personalaufwendungen für das Stuttgarter Amt für Digitalisierung und IT?

.PHONY: install demo test bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

install: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'

demo: install
	$(BIN)/vorlagen ingest $(SHARED)/corpus/seeds
	$(BIN)/vorlagen ask "$(QUESTION)"

test: install
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python -m pytest -m slow -s
