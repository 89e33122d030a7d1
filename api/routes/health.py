"""GET /health: 200 only when the model is loaded, actions answer and the DB is up."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import httpx
from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api import db
from api.core.config import get_settings

router = APIRouter(tags=["health"])


async def _rasa_model_loaded(client: httpx.AsyncClient) -> bool:
    settings = get_settings()
    response = await client.get(
        f"{settings.rasa_url}/status", params={"token": settings.rasa_token}
    )
    return response.status_code == 200 and bool(response.json().get("model_file"))


async def _actions_up(client: httpx.AsyncClient) -> bool:
    response = await client.get(f"{get_settings().actions_url}/health")
    return response.status_code == 200


async def _database_up() -> bool:
    await asyncio.to_thread(db.ping)
    return True


async def _check(probe: Callable[[], Awaitable[bool]]) -> str:
    try:
        return "ok" if await probe() else "down"
    except Exception:
        return "down"


@router.get("/health")
async def health() -> JSONResponse:
    async with httpx.AsyncClient(timeout=get_settings().health_timeout_seconds) as client:
        rasa, actions, database = await asyncio.gather(
            _check(lambda: _rasa_model_loaded(client)),
            _check(lambda: _actions_up(client)),
            _check(_database_up),
        )
    body = {"rasa": rasa, "actions": actions, "database": database}
    return JSONResponse(body, status_code=200 if set(body.values()) == {"ok"} else 503)
