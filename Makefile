# Two commands: `make run` and `make test`. Everything else here serves them.
SHELL := /bin/bash
export RASA_TELEMETRY_ENABLED := false
.DEFAULT_GOAL := run

PY310_VERSION := $(shell cat .python-version)
PY310 := $(shell pyenv prefix $(PY310_VERSION) 2>/dev/null || echo "$$HOME/.pyenv/versions/$(PY310_VERSION)")/bin/python
PY311 := $(shell pyenv prefix 3.11 2>/dev/null || dirname $$(dirname $$(command -v python3.11 2>/dev/null || echo /nonexistent/bin/x)))/bin/python

RASA_ENV := .venv-rasa/.installed
API_ENV := .venv-api/.installed

.PHONY: run test envs model lint bench clean check-python

check-python:
	@test -x "$(PY310)" || { echo "ERROR: Python $(PY310_VERSION) is needed for Rasa 3.6 but was not found." >&2; \
	  echo "Install it with:  pyenv install $(PY310_VERSION)   (https://github.com/pyenv/pyenv)" >&2; exit 1; }
	@test -x "$(PY311)" || { echo "ERROR: Python 3.11 is needed for the API but was not found." >&2; \
	  echo "Install it with:  pyenv install 3.11" >&2; exit 1; }

# Each environment is rebuilt only when its lock file changes.
$(RASA_ENV): requirements/rasa.lock | check-python
	@echo "Creating .venv-rasa (Python $(PY310_VERSION), Rasa 3.6) from requirements/rasa.lock..."
	rm -rf .venv-rasa
	"$(PY310)" -m venv .venv-rasa
	.venv-rasa/bin/pip install --quiet --disable-pip-version-check -r requirements/rasa.lock
	touch $@

$(API_ENV): requirements/api.lock | check-python
	@echo "Creating .venv-api (Python 3.11, FastAPI) from requirements/api.lock..."
	rm -rf .venv-api
	"$(PY311)" -m venv .venv-api
	.venv-api/bin/pip install --quiet --disable-pip-version-check -r requirements/api.lock
	touch $@

envs: $(RASA_ENV) $(API_ENV)

# Builds the spaCy pipeline and trains the Rasa model only if their inputs changed.
model: envs
	@.venv-rasa/bin/python -m tools.model

run: model
	@install -d -m 0700 var
	@.venv-api/bin/python -m tools.stack

test: envs
	@bash tools/run_tests.sh

lint: envs
	.venv-api/bin/ruff check .
	bash tools/typecheck.sh

bench: model
	.venv-api/bin/python -m bench.latency

clean:
	rm -rf build models var/test-* .pytest_cache
