"""The FastAPI application: health, the chat proxy and the web chat page."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api import db
from api.routes import chat, health, pages
from api.routes.guidance import router as guidance_router
from api.routes.referrals import router as referrals_router

STATIC = Path(__file__).with_name("static")


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    db.migrate()
    yield


def create_app() -> FastAPI:
    app = FastAPI(title="Missing children guidance assistant API", lifespan=lifespan)
    app.include_router(health.router)
    app.include_router(chat.router)
    app.include_router(pages.router)
    app.include_router(guidance_router)
    app.include_router(referrals_router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


app = create_app()
