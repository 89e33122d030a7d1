"""POST /chat: the web page's way to talk to Rasa, with a safe answer if Rasa fails.

Going through the API keeps the page on one origin (no CORS, no third parties) and
means a Rasa outage still gives the person the emergency and helpline numbers.

The API issues the conversation id (api/conversations.py) and checks it on every call.
A missing, forged, expired or closed id is never an error a person has to deal with:
the message is answered in a new conversation and the reply carries its id. After a
report is sent (Rasa's reply carries a `conversation_closed` marker), the id is closed
and a new one is returned, so nobody can use the old one to read back what was given.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from api import conversations, ratelimit
from api.core.config import get_settings
from api.deps import DbSession
from api.safe_reply import rate_limited_messages, silent_turn_messages, unavailable_messages

router = APIRouter(tags=["chat"])
log = logging.getLogger(__name__)

# Rasa's REST channel copes with long text, but nobody types 20,000 characters:
# anything longer is cut here rather than refused, so nothing the person wrote is lost
# from the first part of the message.
MAX_MESSAGE_CHARS = 20_000
# What an action sends (as a custom payload) once a report has left the conversation.
CLOSED_MARKER = "conversation_closed"


class ChatIn(BaseModel):
    # Issued by this API; absent on a tab's first message.
    conversation_id: str | None = Field(default=None, max_length=100)
    message: str = Field(default="", max_length=200_000)


class ChatOut(BaseModel):
    conversation_id: str
    messages: list[dict[str, Any]]
    degraded: bool = False
    # True when this reply started a new conversation (first message, expired or closed
    # id, or a report was just sent).
    new_conversation: bool = False


def _closes(message: dict[str, Any]) -> bool:
    custom = message.get("custom")
    return isinstance(custom, dict) and bool(custom.get(CLOSED_MARKER))


async def _ask_rasa(sender: str, text: str) -> list[dict[str, Any]] | None:
    settings = get_settings()
    try:
        async with httpx.AsyncClient(timeout=settings.chat_timeout_seconds) as client:
            response = await client.post(
                f"{settings.rasa_url}/webhooks/rest/webhook",
                json={"sender": sender, "message": text},
                headers={"Authorization": f"Bearer {settings.rasa_token}"},
            )
            response.raise_for_status()
            messages = response.json()
    except (httpx.HTTPError, ValueError) as error:
        # The message text is personal: log only what failed.
        log.warning("chat: Rasa did not answer (%s)", type(error).__name__)
        return None
    if not isinstance(messages, list):
        return None
    # An empty list is an answer (nothing to say to that turn), not a failure: the route
    # gives the person a calm reply rather than "not working".
    # Rasa's recipient id is a digest of the conversation id: the page has no use for it.
    return [{k: v for k, v in m.items() if k != "recipient_id"} for m in messages
            if isinstance(m, dict)]


@router.post("/chat", response_model=ChatOut)
async def chat(body: ChatIn, request: Request, session: DbSession) -> Any:
    settings = get_settings()
    conversation = conversations.verify(session, body.conversation_id)
    new = conversation is None
    if conversation is None:
        conversation = conversations.issue()
    limits = ratelimit.of(request)
    if not (
        limits.allow(settings.chat_rate_per_client, "chat-client",
                     ratelimit.client_address(request))
        and limits.allow(settings.chat_rate_per_conversation, "chat-conversation",
                         conversation.digest)
    ):
        out = ChatOut(conversation_id=conversation.id, messages=rate_limited_messages(),
                      degraded=True, new_conversation=new)
        return JSONResponse(out.model_dump(), status_code=429, headers={"Retry-After": "60"})
    messages = await _ask_rasa(conversation.rasa_sender, body.message[:MAX_MESSAGE_CHARS])
    if messages is None:
        return ChatOut(conversation_id=conversation.id, messages=unavailable_messages(),
                       degraded=True, new_conversation=new)
    if any(_closes(m) for m in messages):
        conversations.close(session, conversation)
        conversation, new = conversations.issue(), True
        messages = [m for m in messages if not _closes(m)]
    if not messages:
        messages = silent_turn_messages()
    return ChatOut(conversation_id=conversation.id, messages=messages, new_conversation=new)
