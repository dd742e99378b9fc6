# Sightline: `make run` starts everything, `make test` runs every test.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.requirements-installed

.PHONY: run serve test test-fast corpus bench lint format clean

run: $(STAMP) .env ## API + workers + Redis + Streamlit + Gradio
	$(PY) -m engine run

serve: $(STAMP) .env ## API + workers + Redis, no UIs
	$(PY) -m engine serve

test: $(STAMP) ## the whole suite, browser tests included
	$(PY) -m pytest

test-fast: $(STAMP) ## everything but the browser tests
	$(PY) -m pytest -m "not browser"

corpus: $(STAMP) ## the real-data corpus of issue 9 alone
	$(PY) -m pytest -m corpus tests/engine/analysis/corpus

bench: $(STAMP) ## benchmarks: print figures and ratios, never fail
	-$(PY) -m bench

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

format: $(STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.txt
	touch $(STAMP)

.env:
	cp .env.example .env

clean:
	rm -rf tmp_uploads results .pytest_cache .mypy_cache .ruff_cache
