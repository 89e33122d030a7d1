#!/usr/bin/env bash
# The whole test suite (what `make test` runs). Two interpreters, two pytest runs:
#   .venv-rasa  - Rasa data validation, test stories, NLU evaluation, components, actions
#   .venv-api   - API units, corpus facts, and conversations through the running stack
# The model is trained once (or reused when its fingerprint matches) before either.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p test-artifacts

echo "== lint (ruff)"
.venv-api/bin/ruff check . || exit 1
echo "== type check (mypy)"
bash tools/typecheck.sh || exit 1

echo "== browser test tools (system chromium, axe-core from npm)"
command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium) || exit 1
npm ci --no-audit --no-fund || exit 1

echo "== spaCy pipeline and Rasa model"
.venv-rasa/bin/python -m tools.model || exit 1

status=0
echo "== Rasa runtime tests"
.venv-rasa/bin/python -m pytest tests/rasa_runtime tests/safety --junitxml=test-artifacts/rasa.xml "$@" || status=1
echo "== API, corpus and end-to-end tests"
.venv-api/bin/python -m pytest tests/corpus tests/api tests/e2e tests/browser --junitxml=test-artifacts/api.xml "$@" || status=1

# One closing line for both runs, in the plain "N passed, N failed" form.
.venv-api/bin/python -m tools.junit_summary test-artifacts/rasa.xml test-artifacts/api.xml
exit $status
