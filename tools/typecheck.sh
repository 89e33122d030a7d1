#!/usr/bin/env bash
# mypy over the project's packages, once per runtime (`make lint` and `make test` run it).
# mypy lives in .venv-api; for the Rasa side it reads .venv-rasa's packages and targets that
# interpreter's Python (3.10) through --python-executable. Settings: pyproject.toml [tool.mypy].
set -euo pipefail
cd "$(dirname "$0")/.."
echo "-- Rasa side (actions, rasa_addons, missing_clock) against .venv-rasa"
.venv-api/bin/mypy --python-executable .venv-rasa/bin/python actions rasa_addons missing_clock
echo "-- API side (api, guidance_corpus) against .venv-api"
.venv-api/bin/mypy api guidance_corpus
