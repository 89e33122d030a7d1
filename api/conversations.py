"""Conversation ids: issued by the API, checked on every /chat call, closed after a report.

An id is ``c1.<issued>.<random>.<signature>``: 128 random bits, the time it was issued,
and an HMAC-SHA256 over both with CONVERSATION_SECRET. So the API can check an id
without storing every id it issued, and nobody can make up one that names someone
else's conversation. An id is refused once it is older than the conversation retention
period (its conversation is deleted by then) or once it is closed: after a MASH
referral or a licence holder's concern is sent, the id is closed and the page gets a new
one, so an old id (an old tab, a shared computer) cannot read back what was given.

Rasa never sees the id itself, only a keyed digest of it (`rasa_sender`): a copy of the
tracker database does not hand anyone a working conversation id.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.core.config import get_settings
from api.models import ClosedConversation

VERSION = "c1"
RANDOM_BYTES = 16


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


# Without a configured secret (one API process run by hand) ids are signed with one made
# for this process: they stop working when it restarts, which starts a new conversation
# rather than failing the person. Replicas must share CONVERSATION_SECRET.
_PROCESS_SECRET = secrets.token_bytes(32)


def _secret() -> bytes:
    secret = get_settings().conversation_secret.get_secret_value()
    return secret.encode() if secret else _PROCESS_SECRET


def _sign(body: str) -> str:
    return _b64(hmac.new(_secret(), f"id:{body}".encode(), hashlib.sha256).digest()[:16])


@dataclass(frozen=True)
class Conversation:
    id: str

    @property
    def rasa_sender(self) -> str:
        """The sender id Rasa keeps this conversation under."""
        return hmac.new(_secret(), f"sender:{self.id}".encode(), hashlib.sha256).hexdigest()[:40]

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.id.encode()).hexdigest()


def issue(now: float | None = None) -> Conversation:
    issued = format(int(time.time() if now is None else now), "x")
    body = f"{VERSION}.{issued}.{_b64(secrets.token_bytes(RANDOM_BYTES))}"
    return Conversation(f"{body}.{_sign(body)}")


def verify(session: Session, conversation_id: str | None, now: float | None = None
           ) -> Conversation | None:
    """The conversation an id names, or None if it is forged, expired or closed."""
    if not conversation_id or len(conversation_id) > 100:
        return None
    body, _, signature = conversation_id.rpartition(".")
    parts = body.split(".")
    if len(parts) != 3 or parts[0] != VERSION:
        return None
    if not hmac.compare_digest(signature.encode(), _sign(body).encode()):
        return None
    try:
        issued = int(parts[1], 16)
    except ValueError:
        return None
    age_days = ((time.time() if now is None else now) - issued) / 86_400
    if age_days > get_settings().conversation_retention_days or age_days < -1:
        return None
    conversation = Conversation(conversation_id)
    closed = session.scalar(
        select(ClosedConversation.id_digest).where(
            ClosedConversation.id_digest == conversation.digest
        )
    )
    return None if closed else conversation


def close(session: Session, conversation: Conversation) -> None:
    session.add(ClosedConversation(id_digest=conversation.digest))
    try:
        session.commit()
    except IntegrityError:  # closed already (two tabs, a retry)
        session.rollback()
