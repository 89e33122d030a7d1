"""The web chat page. Its security headers come from api/middleware.py, which gives
them to every HTML response."""

from __future__ import annotations

import html
import re
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from guidance_corpus.loader import load_corpus

router = APIRouter(tags=["pages"])
STATIC = Path(__file__).resolve().parents[1] / "static"
# index.html names phone numbers as {{contact id}}: like every number the assistant gives,
# they come from guidance_corpus/contacts.yml.
PLACEHOLDER = re.compile(r"\{\{([a-z_]+)\}\}")


@lru_cache
def page() -> str:
    contacts = load_corpus().contacts

    def number(match: re.Match[str]) -> str:
        phone = contacts[match.group(1)].phone
        if not phone:
            raise KeyError(f"index.html names {match.group(1)!r}, which has no phone number")
        return html.escape(phone)

    return PLACEHOLDER.sub(number, (STATIC / "index.html").read_text(encoding="utf-8"))


@router.get("/", include_in_schema=False)
# The file's own address too, ahead of the /static mount: never served with placeholders.
@router.get("/static/index.html", include_in_schema=False)
async def index() -> HTMLResponse:
    return HTMLResponse(page())
