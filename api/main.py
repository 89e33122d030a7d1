"""The FastAPI application: health, the chat proxy, the web chat page, the guidance
routes and the referral store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api import db
from api.core.config import get_settings
from api.middleware import ResponsePolicy
from api.ratelimit import RateLimits
from api.routes import chat, health, pages
from api.routes.guidance import router as guidance_router
from api.routes.referrals import router as referrals_router
from guidance_corpus.retrieval import default_retriever
from rasa_addons import log_privacy

STATIC = Path(__file__).with_name("static")


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    db.migrate()
    # Read the records and build the search index before serving, so the first person to
    # open a record or search does not wait for it (about a second, more on a busy host).
    default_retriever()
    yield


def create_app() -> FastAPI:
    settings = get_settings()
    # Same rule as Rasa's side: no log line carries what someone wrote.
    log_privacy.install()
    docs = settings.api_docs
    app = FastAPI(
        title="Missing children guidance assistant API",
        lifespan=lifespan,
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
        openapi_url="/openapi.json" if docs else None,
    )
    app.state.rate_limits = RateLimits(settings.rate_limit_storage_url)
    app.include_router(health.router)
    app.include_router(chat.router)
    app.include_router(pages.router)
    app.include_router(guidance_router)
    app.include_router(referrals_router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(ResponsePolicy, max_body_bytes=settings.max_body_bytes)
    return app


app = create_app()
