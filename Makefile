# Two commands for a fresh machine:
#   make        set up .venv, build cues.sqlite from data/, answer a sample question
#   make test   run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: all setup cues.sqlite demo test bench docs clean

all: setup demo

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

# Built every time (half a second): a date check would miss edits to data/ made before any
# command wrote to cues.sqlite. `build` refuses to replace curator work the files lack and
# says how to keep it (`cuesheet dump`); `make FORCE=1` replaces it anyway.
cues.sqlite: $(STAMP)
	$(BIN)/cuesheet build --from data --db cues.sqlite $(if $(FORCE),--force)

demo: cues.sqlite
	$(BIN)/cuesheet what soundtrack 3

test: $(STAMP)
	$(BIN)/ruff check cuesheet tests bench scripts
	$(BIN)/python -m pytest -q

docs: $(STAMP)
	$(BIN)/python -m cuesheet.cli.reference --write README.md

clean:
	rm -rf $(VENV) cues.sqlite cues.sqlite-wal cues.sqlite-shm
