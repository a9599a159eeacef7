# Two commands for a fresh machine:
#   make        set up .venv, build cues.sqlite from data/, answer a sample question
#   make test   run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: all setup demo test bench docs clean

all: setup demo

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

cues.sqlite: $(STAMP) $(wildcard data/*/*.yaml data/catalog/*.csv)
	$(BIN)/cuesheet build --from data --db cues.sqlite

demo: cues.sqlite
	@# A cues.sqlite from an older cuesheet: viewers only read, so upgrade it first.
	$(BIN)/cuesheet upgrade --db cues.sqlite
	$(BIN)/cuesheet what soundtrack 3

test: $(STAMP)
	$(BIN)/python -m pytest -q

docs: $(STAMP)
	$(BIN)/python -m cuesheet.cli.reference --write README.md

clean:
	rm -rf $(VENV) cues.sqlite cues.sqlite-wal cues.sqlite-shm
