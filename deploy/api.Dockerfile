# The API (FastAPI, Python 3.11): the web chat, /chat, /guidance, /referrals.
# Build from the repository root:  docker compose -f deploy/compose.yml build
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app

WORKDIR /app
COPY requirements/api.lock requirements/api.lock
RUN python -m venv .venv-api \
 && .venv-api/bin/pip install --no-cache-dir -r requirements/api.lock

# The API reads the guidance records (guidance_corpus/) and the bot's copy (bot/copy/: what
# /chat says when Rasa cannot answer), and shares the log sanitiser
# (rasa_addons/log_privacy.py) with the Rasa side.
COPY api api
COPY guidance_corpus guidance_corpus
COPY bot/copy bot/copy
COPY rasa_addons rasa_addons

RUN useradd --system --uid 10001 --create-home --home-dir /home/app --shell /usr/sbin/nologin app
USER app
ENV PATH=/app/.venv-api/bin:$PATH
# Behind nginx: client addresses (for the rate limits) come from X-Forwarded-For, which
# only the balancer's network (FORWARDED_ALLOW_IPS, set in compose.yml) may set.
CMD ["uvicorn", "api.main:app", "--host", "0.0.0.0", "--port", "8000", \
     "--no-access-log", "--proxy-headers"]
