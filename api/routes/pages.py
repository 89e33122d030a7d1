"""The web chat page. Its security headers come from api/middleware.py, which gives
them to every HTML response."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

router = APIRouter(tags=["pages"])
STATIC = Path(__file__).resolve().parents[1] / "static"


@router.get("/", include_in_schema=False)
async def index() -> FileResponse:
    return FileResponse(STATIC / "index.html")
