"""POST /chat: the web page's way to talk to Rasa, with a safe answer if Rasa fails.

Going through the API keeps the page on one origin (no CORS, no third parties) and
means a Rasa outage still gives the person the emergency and helpline numbers.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx
from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.core.config import get_settings
from api.safe_reply import unavailable_messages

router = APIRouter(tags=["chat"])
log = logging.getLogger(__name__)

# Rasa's REST channel copes with long text, but nobody types 20,000 characters:
# anything longer is cut here rather than refused, so nothing the person wrote is lost
# from the first part of the message.
MAX_MESSAGE_CHARS = 20_000


class ChatIn(BaseModel):
    # A random id made by the page for this browser tab; never an IP or fingerprint.
    sender: str = Field(pattern=r"^[A-Za-z0-9_-]{8,64}$")
    message: str = Field(default="", max_length=200_000)


class ChatOut(BaseModel):
    messages: list[dict[str, Any]]
    degraded: bool = False


@router.post("/chat")
async def chat(body: ChatIn) -> ChatOut:
    settings = get_settings()
    payload = {"sender": body.sender, "message": body.message[:MAX_MESSAGE_CHARS]}
    try:
        async with httpx.AsyncClient(timeout=settings.chat_timeout_seconds) as client:
            response = await client.post(
                f"{settings.rasa_url}/webhooks/rest/webhook", json=payload
            )
            response.raise_for_status()
            messages = response.json()
    except (httpx.HTTPError, ValueError) as error:
        # The message text is personal: log only what failed.
        log.warning("chat: Rasa did not answer (%s)", type(error).__name__)
        return ChatOut(messages=unavailable_messages(), degraded=True)
    if not isinstance(messages, list) or not messages:
        return ChatOut(messages=unavailable_messages(), degraded=True)
    return ChatOut(messages=messages)
