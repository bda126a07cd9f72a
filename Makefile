# Two commands do all set-up: `make lab` and `make test` (README). The rest are for authors.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
BROWSER_STAMP := $(VENV)/.installed-browser
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: lab test test-browser bench export exercises execute assets clean

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; v = sys.version_info; sys.exit(0) if v >= (3, 11) else sys.exit(f"Python 3.11 or newer is needed; {sys.executable} is {v.major}.{v.minor}. Run e.g. make PYTHON=python3.12 $(MAKECMDGOALS)")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

lab: $(STAMP)  ## start JupyterLab on the course (localhost, with its token)
	$(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.root_dir=. $(ROOT_FLAG) notebooks/01_neural_networks_and_backprop.ipynb

test: $(STAMP)  ## the whole test suite: library, every notebook in smoke, nbval, exercises in sync
	$(BIN)/python -m pytest

$(BROWSER_STAMP): $(STAMP) requirements-browser.txt
	$(BIN)/python -m pip install --quiet -r requirements-browser.txt
	touch $@

test-browser: $(BROWSER_STAMP)  ## every lesson's demos used in JupyterLab, in Debian's Chromium (apt-get install chromium)
	CREATIVE_LIB_BROWSER_TEST=1 $(BIN)/python -m pytest -p no:cacheprovider tests/browser

bench: $(STAMP)  ## race each lesson's recipe against the TensorFlow tutorial's (about nine minutes); writes benchmarks/RESULTS.md
	$(BIN)/python -m benchmarks

export: $(STAMP)  ## write each lesson's `#| export` cells into its creative_lib topic module
	$(BIN)/python -m creative_lib.authoring export

exercises: $(STAMP)  ## regenerate exercises/ from solutions/
	$(BIN)/python -m creative_lib.authoring exercises

execute: export  ## re-run lessons and their solutions in classroom and store their outputs (NB=07: one lesson)
	$(BIN)/python -m creative_lib.authoring execute $(if $(NB),notebooks/$(NB)_*.ipynb solutions/$(NB)_*.ipynb,notebooks/*.ipynb solutions/*.ipynb)
	$(BIN)/python -m creative_lib.authoring exercises

assets: $(STAMP)  ## fetch every download once, for an offline classroom
	$(BIN)/python -m creative_lib.backbones fetch-all

clean:
	rm -rf outputs .pytest_cache
