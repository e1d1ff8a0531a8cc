# Two entry points for a fresh machine with Python 3.11+:
#   make demo   set up .venv and run the tutorial's whole job (pictures and blobs.csv in
#               ./ffnn_demo*/); it ends by printing what to run next, by .venv/bin/ path
#   make test   set up .venv and run the checks: ruff, mypy and the test suite
#               (the summary names each skipped test and why: pytest's -ra in pyproject.toml;
#               the playground's browser tests need chromium and chromium-driver from apt)
PYTHON ?= python3
VENV ?= .venv
# extras installed by `make test`; `make test EXTRAS=test,torch` adds the PyTorch comparisons
EXTRAS ?= test
BIN := $(VENV)/bin

.PHONY: demo test venv clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "ffnn needs Python 3.11 or newer, $(PYTHON) is " + sys.version.split()[0] + "; run make PYTHON=python3.11 ...")'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.demo-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[plot]'
	@touch $@

$(VENV)/.test-installed-$(EXTRAS): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[$(EXTRAS)]'
	@touch $@

demo: $(VENV)/.demo-installed
	$(BIN)/ffnn demo --show

test: $(VENV)/.test-installed-$(EXTRAS)
	$(BIN)/ruff check src tests benchmarks examples scripts
	$(BIN)/ruff format --check src tests benchmarks examples scripts
	$(BIN)/mypy
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
