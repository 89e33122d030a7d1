# The Rasa side: one image for Rasa and for the action server (they differ only in the
# command, see deploy/compose.yml). The model is trained while the image is built, by the
# same `tools.model` that `make run` uses, so an image always carries the model of its
# own bot/ and config.yml.
# Build from the repository root:  docker compose -f deploy/compose.yml build
FROM python:3.10.13-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    RASA_TELEMETRY_ENABLED=false \
    TF_CPP_MIN_LOG_LEVEL=2 \
    SQLALCHEMY_SILENCE_UBER_WARNING=1 \
    PYTHONPATH=/app

WORKDIR /app
# The environment first, so that changing the bot does not reinstall Rasa. It lives where
# tools/paths.py expects it (.venv-rasa in the checkout).
COPY requirements/rasa.lock requirements/rasa.lock
RUN python -m venv .venv-rasa \
 && .venv-rasa/bin/pip install --no-cache-dir -r requirements/rasa.lock

COPY . .
# Builds the spaCy pipeline (build/spacy_pipeline) and trains models/model-<fingerprint>.
RUN .venv-rasa/bin/python -m tools.model

# Never root at run time (the code is root-owned, so read-only to it); /data holds the
# action server's referral outbox (a volume).
RUN useradd --system --uid 10001 --create-home --home-dir /home/app --shell /usr/sbin/nologin app \
 && install -d -o app -g app -m 0700 /data /app/var
USER app
ENV PATH=/app/.venv-rasa/bin:$PATH \
    REFERRAL_OUTBOX_PATH=/data/referral_outbox.db
# The command is set per service (Rasa or the action server) in deploy/compose.yml.
CMD ["python", "-m", "rasa_addons.serve", "--model", "models", "--port", "5005", \
     "--endpoints", "bot/endpoints.yml"]
